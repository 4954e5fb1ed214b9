//! Production readiness checklists and data-quality issue registers (missteps 3 and 4): the
//! types both sides share, input validation, and the pure M3/M4 rules the pages show.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::quality as repo;

pub use domain::quality::*;
