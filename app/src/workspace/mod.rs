//! Workspace-wide settings: for now the time zone that dates and reports use.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::transfer;
#[cfg(feature = "ssr")]
pub use store::workspace as repo;

pub use domain::workspace::*;
