//! The Touchpoint server: configuration, start-up, the command line and HTTP middleware.

pub mod api;
pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod exports;
pub mod mail;
pub mod metrics;
pub mod middleware;
pub mod spool;
pub mod startup;
pub mod telemetry;
pub mod transfer_cli;
pub mod webhooks;
