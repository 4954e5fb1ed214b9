//! Email notifications: the outbox (messages written in the transaction of the change that
//! causes them, sent by the worker of whichever instance claims them first), its admin page
//! and the templates messages are rendered from.

pub mod api;
#[cfg(feature = "ssr")]
pub mod digest;
#[cfg(feature = "ssr")]
pub mod notify;
pub mod pages;
pub mod preferences;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod unsubscribe;
#[cfg(feature = "ssr")]
pub use store::mail as repo;
#[cfg(feature = "ssr")]
pub mod service;

pub use domain::mail::*;
