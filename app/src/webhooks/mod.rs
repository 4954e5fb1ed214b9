//! Webhooks: per project, a URL, a secret and the events to send. Each event is written to the
//! database as a delivery before anything is sent, then sent (and retried with exponential
//! backoff for 24 hours) by the delivery worker of whichever app instance claims it first; so a
//! restart loses nothing. Every request is signed: `X-Touchpoint-Signature: t=<unix time>,
//! v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub use store::webhooks as repo;
#[cfg(feature = "ssr")]
pub mod service;

pub use domain::webhooks::*;
