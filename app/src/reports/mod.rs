//! Reports: the portfolio dashboard, the project report and the diversity report. The numbers
//! come from [`crate::signals`]; this module loads their inputs, draws the charts and writes CSV.

pub mod api;
#[cfg(feature = "ssr")]
pub mod csv_export;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::reports as repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub use store::summary;

pub use domain::reports::*;
