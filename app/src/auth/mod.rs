//! Accounts, sessions and the audit log: the types both sides share.

pub mod api;
#[cfg(feature = "ssr")]
pub mod caller;
pub mod pages;
pub mod sso_api;
pub mod sso_pages;
#[cfg(feature = "ssr")]
pub use store::auth as repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sso;
#[cfg(feature = "ssr")]
pub mod sso_routes;
pub mod tokens_api;
pub mod tokens_pages;
#[cfg(feature = "ssr")]
pub use store::tokens as tokens_repo;
#[cfg(feature = "ssr")]
pub mod tokens_service;

pub use domain::auth::*;
