//! `surreal`: the SurrealDB 3.3.5 server, as the upstream binary starts it (same CLI: `surreal
//! start --user root --pass root --bind 127.0.0.1:8000 memory`), with only the storage engines
//! Touchpoint uses.

use std::process::ExitCode;

use surrealdb_server::core::CommunityComposer;

fn main() -> ExitCode {
    surrealdb_server::init(CommunityComposer())
}
