//! Email notifications: the outbox (messages written in the transaction of the change that
//! causes them, sent by the worker of whichever instance claims them first), its admin page
//! and the templates messages are rendered from.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::mail as repo;
#[cfg(feature = "ssr")]
pub mod service;

pub use domain::mail::*;
