//! Touchpoint's store: everything that speaks to SurrealDB. Connecting and the schema, the
//! revision counters, the repositories of every domain, the read cache of project snapshots,
//! the portfolio lines, the workspace import and export, and the live hub's queries. It is the
//! only crate with SurrealQL in it; it reads and writes the types of `domain`, and it is a
//! server-only dependency of `app`.

pub mod cache;
pub mod credentials;
pub mod db;
pub mod live;
pub mod markdown;
pub mod probe;
pub mod revisions;
pub mod secrets;
pub mod summary;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod transfer;

// One repository per domain, under the domain's name. A write to a record that a project load
// reads must raise a revision counter in its transaction: see `revisions` (the revision rule).
pub mod auth;
pub mod feedback;
pub mod interviews;
pub mod mail;
pub mod projects;
pub mod quality;
pub mod reports;
pub mod sprints;
pub mod sso;
pub mod stakeholders;
pub mod tokens;
pub mod webhooks;
pub mod workspace;
