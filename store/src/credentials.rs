//! Credentials as last read: a session or API token with its user, kept apart from the
//! project snapshots of [`crate::cache`]. A credential is used again only while its user's
//! counter (`revision:⟨~user:<id>⟩`, raised by every write to the user, their sessions and
//! tokens) is the one it was read at.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::auth::{SessionRecord, UserRecord};
use crate::revisions::{Stamp, user_counter};
use crate::tokens::TokenRecord;

/// How many credentials [`CredentialCache::remember`] keeps before it starts afresh.
const MAX_CREDENTIALS: usize = 10_000;

/// A session or API token as last read from the database, with its user.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A browser session.
    Session(SessionRecord, UserRecord),
    /// A personal API token.
    Token(TokenRecord, UserRecord),
}

impl Credential {
    /// The user it signs in.
    pub fn user(&self) -> &UserRecord {
        match self {
            Credential::Session(_, u) | Credential::Token(_, u) => u,
        }
    }
}

/// The credentials one app instance has seen, by the hash of their token.
#[derive(Default)]
pub struct CredentialCache {
    /// Session or token hash → the credential as last read and its user's counter then.
    credentials: RwLock<HashMap<String, (i64, Credential)>>,
}

impl CredentialCache {
    /// The user of a credential seen before.
    pub fn user_of(&self, credential_hash: &str) -> Option<String> {
        self.credentials
            .read()
            .ok()?
            .get(credential_hash)
            .map(|(_, cred)| cred.user().key())
    }

    /// The credential with this hash as last read, if its user's counter in `stamp` is still
    /// the one it was read at.
    pub fn get(&self, credential_hash: &str, stamp: &Stamp) -> Option<Credential> {
        let (revision, cred) = self
            .credentials
            .read()
            .ok()?
            .get(credential_hash)
            .cloned()?;
        (stamp.project(&user_counter(&cred.user().key())) == Some(revision)).then_some(cred)
    }

    /// Keeps a credential as read at its user's counter `revision`.
    pub fn remember(&self, credential_hash: &str, revision: i64, cred: Credential) {
        if let Ok(mut c) = self.credentials.write() {
            if c.len() >= MAX_CREDENTIALS {
                c.clear();
            }
            c.insert(credential_hash.to_string(), (revision, cred));
        }
    }

    /// Forgets a credential (signed out, expired, revoked).
    pub fn forget(&self, credential_hash: &str) {
        if let Ok(mut c) = self.credentials.write() {
            c.remove(credential_hash);
        }
    }
}
