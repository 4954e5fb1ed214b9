//! SurrealQL for single sign-on: users' links to the identity provider, and the sign-ins sent
//! to the provider and not yet back (`schema/65_sso.surql`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::auth::{USER_FIELDS, UserRecord};
use crate::db::{Db, check_guarded, key_of, rid};
use domain::auth::Role;
use domain::auth::sso::{KnownUser, SsoLinkInfo};
use domain::error::{AppError, AppResult};

/// A sign-in sent to the provider, waiting for its code.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct Attempt {
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// Where to go after signing in (a same-site path).
    pub next: String,
    /// When the attempt expires.
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct LinkRow {
    user: RecordId,
    issuer: String,
    subject: String,
    email: String,
    linked_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
}

impl LinkRow {
    fn info(self) -> SsoLinkInfo {
        SsoLinkInfo {
            issuer: self.issuer,
            subject: self.subject,
            email: self.email,
            linked_at: self.linked_at,
            last_used_at: self.last_used_at,
        }
    }
}

/// The users an SSO sign-in may reach, as one read finds them.
#[derive(Debug, Default)]
pub struct Candidates {
    /// The user linked to the provider's subject.
    pub by_subject: Option<UserRecord>,
    /// The user with the provider's email, and whether they are linked to this provider.
    pub by_email: Option<(UserRecord, bool)>,
}

impl Candidates {
    /// The two as the decision (`domain::auth::sso::decide`) sees them.
    pub fn known(&self) -> (Option<KnownUser>, Option<KnownUser>) {
        let subject = self.by_subject.as_ref().map(|u| KnownUser {
            id: u.key(),
            active: u.active,
            linked: true,
        });
        let email = self.by_email.as_ref().map(|(u, linked)| KnownUser {
            id: u.key(),
            active: u.active,
            linked: *linked,
        });
        (subject, email)
    }

    /// The user with id `key` among the two.
    pub fn user(&self, key: &str) -> Option<&UserRecord> {
        self.by_subject
            .iter()
            .chain(self.by_email.iter().map(|(u, _)| u))
            .find(|u| u.key() == key)
    }
}

/// Links and sign-in attempts.
#[derive(Clone)]
pub struct SsoRepo {
    db: Db,
}

impl SsoRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Stores an attempt under the hash of its `state`.
    pub async fn save_attempt(&self, state_hash: &str, attempt: &Attempt) -> AppResult<()> {
        self.db
            .query(
                "CREATE $id CONTENT { nonce: $nonce, verifier: $verifier, next: $next,
                    expires_at: $expires_at } RETURN NONE",
            )
            .bind(("id", rid("sso_attempt", state_hash)))
            .bind(("nonce", attempt.nonce.clone()))
            .bind(("verifier", attempt.verifier.clone()))
            .bind(("next", attempt.next.clone()))
            .bind(("expires_at", attempt.expires_at))
            .await?
            .check()?;
        Ok(())
    }

    /// Takes (reads and deletes, at once) the attempt of a `state`; `None` when there is none,
    /// it was taken before, or it expired.
    pub async fn take_attempt(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Attempt>> {
        let mut res = self
            .db
            .query("DELETE $id RETURN BEFORE")
            .bind(("id", rid("sso_attempt", state_hash)))
            .await?
            .check()?;
        let rows: Vec<Attempt> = res.take(0)?;
        Ok(rows.into_iter().next().filter(|a| a.expires_at > now))
    }

    /// Drops attempts that expired before `now`.
    pub async fn prune_attempts(&self, now: DateTime<Utc>) -> AppResult<()> {
        self.db
            .query("DELETE sso_attempt WHERE expires_at < $now")
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    /// The user linked to `subject` at `issuer`, and the user with `email` (normalised), in
    /// one round trip.
    pub async fn candidates(
        &self,
        issuer: &str,
        subject: &str,
        email: Option<&str>,
    ) -> AppResult<Candidates> {
        let mut res = self
            .db
            .query(format!(
                "SELECT VALUE user.{{ {USER_FIELDS} }} FROM sso_link
                    WHERE issuer = $issuer AND subject = $subject LIMIT 1;
                 SELECT {USER_FIELDS} FROM user WHERE email = $email LIMIT 1;
                 array::len(SELECT VALUE id FROM sso_link WHERE issuer = $issuer
                    AND user IN (SELECT VALUE id FROM user WHERE email = $email)) > 0;"
            ))
            .bind(("issuer", issuer.to_string()))
            .bind(("subject", subject.to_string()))
            .bind(("email", email.unwrap_or_default().to_string()))
            .await?
            .check()?;
        let mut by_subject: Vec<UserRecord> = res.take(0)?;
        let mut by_email: Vec<UserRecord> = res.take(1)?;
        let linked: Option<bool> = res.take(2)?;
        Ok(Candidates {
            by_subject: by_subject.pop(),
            by_email: by_email.pop().map(|u| (u, linked.unwrap_or(false))),
        })
    }

    /// Links `user` to `subject` at `issuer`. A temporary password the user never chose (an
    /// admin's invitation) is dropped in the same transaction: from now on they sign in
    /// through the provider. A link made meanwhile by another sign-in is a conflict.
    pub async fn link(
        &self,
        user: &str,
        issuer: &str,
        subject: &str,
        email: &str,
    ) -> AppResult<()> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF array::len(SELECT VALUE id FROM sso_link
                    WHERE (issuer = $issuer AND subject = $subject) OR (user = $user AND issuer = $issuer)) > 0
                    { THROW 'linked' };
                 CREATE sso_link CONTENT { user: $user, issuer: $issuer, subject: $subject, email: $email,
                    linked_at: time::now(), last_used_at: time::now() } RETURN NONE;
                 UPDATE $user SET password_hash = NONE, must_change_password = false, updated_at = time::now()
                    WHERE must_change_password = true RETURN NONE;
                 COMMIT TRANSACTION;",
            )
            .bind(("user", rid("user", user)))
            .bind(("issuer", issuer.to_string()))
            .bind(("subject", subject.to_string()))
            .bind(("email", email.to_string()))
            .await?;
        check_guarded(
            res,
            AppError::Conflict("This account was linked by another sign-in.".into()),
        )?;
        Ok(())
    }

    /// Creates a user without a password, linked to `subject` at `issuer`, in one transaction.
    pub async fn create_linked_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        issuer: &str,
        subject: &str,
    ) -> AppResult<UserRecord> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 IF array::len(SELECT VALUE id FROM user WHERE email = $email) > 0
                    OR array::len(SELECT VALUE id FROM sso_link WHERE issuer = $issuer AND subject = $subject) > 0
                    {{ THROW 'taken' }};
                 LET $created = CREATE ONLY user CONTENT {{ email: $email, name: $name, password_hash: NONE,
                    role: $role, active: true, must_change_password: false, created_at: time::now(),
                    updated_at: time::now() }};
                 CREATE sso_link CONTENT {{ user: $created.id, issuer: $issuer, subject: $subject,
                    email: $email, linked_at: time::now(), last_used_at: time::now() }} RETURN NONE;
                 SELECT {USER_FIELDS} FROM ONLY $created.id;
                 COMMIT TRANSACTION;"
            ))
            .bind(("email", email.to_string()))
            .bind(("name", name.to_string()))
            .bind(("role", role.as_str().to_string()))
            .bind(("issuer", issuer.to_string()))
            .bind(("subject", subject.to_string()))
            .await?;
        let mut res = check_guarded(
            res,
            AppError::Conflict("This account was created by another sign-in.".into()),
        )?;
        let last = crate::db::before_commit(&res);
        let user: Option<UserRecord> = res.take(last)?;
        user.ok_or_else(AppError::internal)
    }

    /// Notes a sign-in through the link: its time and the email the provider gave. A
    /// temporary password the user never chose (an admin's reset) is dropped in the same
    /// transaction, as when linking.
    pub async fn touch(&self, issuer: &str, subject: &str, email: Option<&str>) -> AppResult<()> {
        self.db
            .query(
                "BEGIN TRANSACTION;
                 LET $users = UPDATE sso_link SET last_used_at = time::now(), email = $email ?? email
                    WHERE issuer = $issuer AND subject = $subject RETURN VALUE user;
                 UPDATE $users SET password_hash = NONE, must_change_password = false,
                    updated_at = time::now() WHERE must_change_password = true RETURN NONE;
                 COMMIT TRANSACTION;",
            )
            .bind(("issuer", issuer.to_string()))
            .bind(("subject", subject.to_string()))
            .bind(("email", email.map(str::to_string)))
            .await?
            .check()?;
        Ok(())
    }

    /// Every user's link (by user id); a user linked at several issuers shows the latest.
    pub async fn links(&self) -> AppResult<HashMap<String, SsoLinkInfo>> {
        let mut res = self
            .db
            .query("SELECT user, issuer, subject, email, linked_at, last_used_at FROM sso_link ORDER BY linked_at ASC")
            .await?
            .check()?;
        let rows: Vec<LinkRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|row| (key_of(&row.user), row.info()))
            .collect())
    }

    /// Removes a user's links; whether there was one.
    pub async fn unlink(&self, user: &str) -> AppResult<bool> {
        let mut res = self
            .db
            .query("DELETE sso_link WHERE user = $user RETURN BEFORE")
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        let rows: Vec<LinkRow> = res.take(0)?;
        Ok(!rows.is_empty())
    }
}

#[cfg(test)]
mod tests;
