//! Projects and their members: the types both sides share, and input validation.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::projects as repo;
#[cfg(feature = "ssr")]
pub mod service;

pub use domain::projects::*;
