//! `surreal`: the SurrealDB 3.3.5 server, as the upstream binary starts it (same CLI: `surreal
//! start --user root --pass root --bind 127.0.0.1:8000 memory`), with only the storage engines
//! Touchpoint uses.

// The server's future is deep: computing its layout needs more than the default 128.
#![recursion_limit = "256"]

use std::process::ExitCode;

use surrealdb_server::core::CommunityComposer;

fn main() -> ExitCode {
    surrealdb_server::init(CommunityComposer())
}
