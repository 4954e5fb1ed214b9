//! The workspace-wide stakeholder directory: the types both sides share, input validation and
//! the visibility rules (who sees emails and self-described attributes, who may write).

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::stakeholders as repo;
#[cfg(feature = "ssr")]
pub mod service;

pub use domain::stakeholders::*;
