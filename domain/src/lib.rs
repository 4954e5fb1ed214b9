//! Touchpoint's domain: what the server and the browser share. The types of every record as
//! pages and the API show them, the validation of every input, the signal functions of
//! DESIGN.md and the workspace format. Nothing here does I/O: the `store` crate reads and
//! writes these types, and the `app` crate serves them.

pub mod auth;
pub mod error;
pub mod feedback;
pub mod fields;
pub mod format;
pub mod interviews;
pub mod mail;
pub mod paging;
pub mod projects;
pub mod quality;
pub mod reports;
pub mod signals;
pub mod sprints;
pub mod stakeholders;
pub mod webhooks;
pub mod workspace;
