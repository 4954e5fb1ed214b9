//! Workspace-wide settings: for now the time zone that dates and reports use.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod transfer;

pub use domain::workspace::*;
