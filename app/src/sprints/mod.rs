//! Sprints, sprint reviews, retrospectives and action items: the types both sides share, and
//! input validation (pure functions with unit tests).

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::sprints as repo;

pub use domain::sprints::*;
