//! The request context: what the request middleware learned about the caller (who is signed
//! in, from where, and the read cache's counters read with the session), kept in the request's
//! extensions. It sits below `auth` and the services, which read it; it reads nothing of theirs.

use std::sync::Arc;

use domain::auth::CurrentUser;
use store::revisions::Stamp;

/// What the request middleware learned about the caller, stored in the request's extensions.
#[derive(Clone, Debug, Default)]
pub struct RequestCtx {
    /// The signed-in user and their session, if any.
    pub auth: Option<AuthSession>,
    /// The client address (from `X-Forwarded-For` only behind a trusted proxy).
    pub ip: String,
    /// The browser's description of itself, shortened.
    pub user_agent: String,
    /// For a read-only request of a signed-in caller: the read cache's revision counters,
    /// read in the same round trip as the session (see [`crate::cache`]).
    pub stamp: Option<Arc<Stamp>>,
}

/// A signed-in caller: a live browser session, or a personal API token sent as
/// `Authorization: Bearer …` (then `token_id` is set and `session_hash` is empty).
#[derive(Clone, Debug)]
pub struct AuthSession {
    /// Who is signed in.
    pub user: CurrentUser,
    /// The SHA-256 hash of the session token (the session's record key); empty for a caller
    /// that came with an API token. Prefer [`AuthSession::session`].
    pub session_hash: String,
    /// The id of the API token the caller came with, if they came with one.
    pub token_id: Option<String>,
}

impl AuthSession {
    /// Whether the caller authenticated with an API token rather than a session cookie.
    pub fn via_token(&self) -> bool {
        self.token_id.is_some()
    }

    /// The session's hash, for a caller with a browser session; `None` for a token caller.
    pub fn session(&self) -> Option<&str> {
        (!self.via_token()).then_some(self.session_hash.as_str())
    }
}

/// The caller's request context, from the Leptos context (server functions and SSR).
pub fn request_ctx() -> RequestCtx {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestCtx>().cloned())
        .unwrap_or_default()
}

/// The stamp read with the caller's session at the start of this read-only request, if any
/// (see [`RequestCtx::stamp`]).
pub fn prefetched() -> Option<Arc<Stamp>> {
    request_ctx().stamp
}
