//! Stakeholder feedback: invite links, the public feedback form behind them, the team's inbox
//! and triage, and feedback the team records from conversations.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::feedback as repo;
#[cfg(feature = "ssr")]
pub mod service;

pub use domain::feedback::*;
