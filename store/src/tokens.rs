//! SurrealQL for personal API tokens (table `api_token`, see schema/60_tokens.surql).
//!
//! The token itself is never stored; `hash` is the hex SHA-256 of it and never leaves this
//! module (no query here selects it).

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::auth::{USER_FIELDS, UserRecord};
use crate::db::Db;
use crate::db::{check_guarded, key_of, rid};
use crate::revisions::{Stamp, and_stamp, stamp_ids, take_stamp, user_revision_of};
use domain::auth::tokens::ApiToken;
use domain::error::{AppError, AppResult};

/// An `api_token` row without its hash.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct TokenRecord {
    /// `api_token:<random key>`.
    pub id: RecordId,
    /// Owner.
    pub user: RecordId,
    /// What the token is for.
    pub name: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// End of life, if any.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last authenticated request (refreshed at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenRecord {
    /// Whether the token has expired at `now`.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }

    /// The list entry.
    pub fn to_dto(&self, now: DateTime<Utc>) -> ApiToken {
        ApiToken {
            id: key_of(&self.id),
            name: self.name.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
            expired: self.expired(now),
        }
    }
}

/// A token row with its user (`owner`), as one statement reads them.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct TokenWithOwner {
    id: RecordId,
    user: RecordId,
    name: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    owner: Option<UserRecord>,
    user_revision: i64,
}

/// Every column but the hash.
const TOKEN_FIELDS: &str = "id, user, name, created_at, expires_at, last_used_at, revoked_at";

/// A checked DTO id as a record id; `None` for anything a token id can never be.
pub fn token_rid(id: &str) -> Option<RecordId> {
    let ok = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then(|| rid("api_token", id))
}

/// Personal API tokens.
#[derive(Clone)]
pub struct TokenRepo {
    db: Db,
}

impl TokenRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Stores a new token for `user` unless they already hold `max_live` live tokens
    /// (a `Conflict`), in one transaction.
    pub async fn create(
        &self,
        user: &str,
        hash: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        max_live: i64,
    ) -> AppResult<TokenRecord> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 IF array::len(SELECT VALUE id FROM api_token WHERE user = $user AND revoked_at = NONE
                    AND (expires_at = NONE OR expires_at > $now)) >= $max {{ THROW 'too many tokens' }};
                 CREATE api_token CONTENT {{ user: $user, name: $name, hash: $hash, created_at: $now,
                    expires_at: $expires_at }} RETURN {TOKEN_FIELDS};
                 COMMIT TRANSACTION;"
            ))
            .bind(("user", rid("user", user)))
            .bind(("name", name.to_string()))
            .bind(("hash", hash.to_string()))
            .bind(("now", now))
            .bind(("expires_at", expires_at))
            .bind(("max", max_live))
            .await?;
        let mut res = check_guarded(
            res,
            AppError::Conflict(format!(
                "You already have {max_live} active API tokens. Revoke one you no longer use first."
            )),
        )?;
        // Statement 0 is BEGIN, 1 the guard, 2 the CREATE.
        let mut rows: Vec<TokenRecord> = res.take(2)?;
        rows.pop().ok_or_else(AppError::internal)
    }

    /// A user's tokens that have not been revoked (expired ones included), newest first.
    pub async fn list(&self, user: &str) -> AppResult<Vec<TokenRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {TOKEN_FIELDS} FROM api_token WHERE user = $user AND revoked_at = NONE
                 ORDER BY created_at DESC"
            ))
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Revokes one of `user`'s tokens. Returns `false` when `user` has no such token (another
    /// user's token counts as none). Revoking a revoked token changes nothing.
    pub async fn revoke(&self, user: &str, id: &str, now: DateTime<Utc>) -> AppResult<bool> {
        let Some(id) = token_rid(id) else {
            return Ok(false);
        };
        let mut res = self
            .db
            .query(
                "UPDATE $id SET revoked_at = $now WHERE user = $user AND revoked_at = NONE;
                 SELECT VALUE id FROM $id WHERE user = $user;",
            )
            .bind(("id", id))
            .bind(("user", rid("user", user)))
            .bind(("now", now))
            .await?
            .check()?;
        let found: Vec<RecordId> = res.take(1)?;
        Ok(!found.is_empty())
    }

    /// The token with this hash and its user, in one round trip.
    pub async fn with_user(&self, hash: &str) -> AppResult<Option<(TokenRecord, UserRecord)>> {
        let (found, _) = self.with_user_and_stamp(hash, None).await?;
        Ok(found.map(|(t, u, _)| (t, u)))
    }

    /// The token with this hash, its user and the user's counter (`revision:⟨~user:<id>⟩`),
    /// in one statement of key reads (through the `api_token_hash` link); with `stamp_keys`,
    /// the read cache's stamp of those counters too, in the same round trip (one query per
    /// request).
    pub async fn with_user_and_stamp(
        &self,
        hash: &str,
        stamp_keys: Option<&[String]>,
    ) -> AppResult<(Option<(TokenRecord, UserRecord, i64)>, Option<Stamp>)> {
        let sql = and_stamp(
            format!(
                "SELECT {TOKEN_FIELDS}, user.{{{USER_FIELDS}}} AS owner, {} AS user_revision
                 FROM type::record('api_token_hash', $hash).token",
                user_revision_of("user")
            ),
            stamp_keys,
        );
        let mut res = self
            .db
            .query(sql)
            .bind(("hash", hash.to_string()))
            .bind(("stamp_ids", stamp_ids(stamp_keys.unwrap_or_default())))
            .await?
            .check()?;
        let rows: Vec<TokenWithOwner> = res.take(0)?;
        let stamp = take_stamp(&mut res, 1, stamp_keys)?;
        let found = rows.into_iter().next().and_then(|r| {
            let owner = r.owner?;
            Some((
                TokenRecord {
                    id: r.id,
                    user: r.user,
                    name: r.name,
                    created_at: r.created_at,
                    expires_at: r.expires_at,
                    last_used_at: r.last_used_at,
                    revoked_at: r.revoked_at,
                },
                owner,
                r.user_revision,
            ))
        });
        Ok((found, stamp))
    }

    /// Records that a token was used.
    pub async fn touch(&self, id: &RecordId, now: DateTime<Utc>) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET last_used_at = $now")
            .bind(("id", id.clone()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AuthRepo, NewUser};
    use crate::secrets::hash_token;

    async fn repo_with_user(name: &str) -> (TokenRepo, String) {
        let db = crate::db::connect_isolated("mem://", name)
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        let user = AuthRepo::new(db.clone())
            .create_user(NewUser {
                email: "owner@example.org",
                name: "Owner",
                password_hash: None,
                role: domain::auth::Role::Member,
                must_change_password: false,
            })
            .await
            .expect("user");
        (TokenRepo::new(db), user.key())
    }

    #[tokio::test]
    async fn tokens_made_before_the_hash_links_are_linked_by_the_migration() {
        let (repo, user) = repo_with_user("token_repo_links").await;
        let now = Utc::now();
        repo.create(&user, &hash_token("tp_old"), "Old", None, now, 50)
            .await
            .expect("create");
        // As a database from before the link table: the token without its link.
        repo.db
            .query("DELETE api_token_hash")
            .await
            .expect("delete")
            .check()
            .expect("ok");
        assert!(
            repo.with_user(&hash_token("tp_old"))
                .await
                .expect("lookup")
                .is_none()
        );
        repo.db
            .query(include_str!(
                "../schema/migrations/0002_token_hash_links.surql"
            ))
            .await
            .expect("migration")
            .check()
            .expect("ok");
        let (found, _) = repo
            .with_user(&hash_token("tp_old"))
            .await
            .expect("lookup")
            .expect("linked again");
        assert_eq!(found.name, "Old");
    }

    #[tokio::test]
    async fn token_rows_are_found_by_hash_listed_and_revoked() {
        let (repo, user) = repo_with_user("token_repo_basic").await;
        let now = Utc::now();
        let t = repo
            .create(&user, &hash_token("tp_one"), "CI", None, now, 50)
            .await
            .expect("create");
        assert_eq!(t.name, "CI");
        assert_eq!(key_of(&t.user), user);
        assert!(t.expires_at.is_none() && t.revoked_at.is_none());

        let (found, owner) = repo
            .with_user(&hash_token("tp_one"))
            .await
            .expect("lookup")
            .expect("found");
        assert_eq!(found.id, t.id);
        assert_eq!(owner.email, "owner@example.org");
        assert!(
            repo.with_user(&hash_token("tp_other"))
                .await
                .expect("lookup")
                .is_none()
        );

        repo.touch(&t.id, now).await.expect("touch");
        let list = repo.list(&user).await.expect("list");
        assert_eq!(list.len(), 1);
        assert!(list[0].last_used_at.is_some());

        let key = key_of(&t.id);
        assert!(!repo.revoke("someone", &key, now).await.expect("other user"));
        assert!(!repo.revoke(&user, "nope", now).await.expect("missing"));
        assert!(!repo.revoke(&user, "a:b", now).await.expect("malformed"));
        assert!(repo.revoke(&user, &key, now).await.expect("revoke"));
        assert!(repo.list(&user).await.expect("list").is_empty());
        let (after, _) = repo
            .with_user(&hash_token("tp_one"))
            .await
            .expect("lookup")
            .expect("row kept");
        assert!(after.revoked_at.is_some());
    }

    #[tokio::test]
    async fn live_tokens_are_capped_and_duplicates_refused() {
        let (repo, user) = repo_with_user("token_repo_cap").await;
        let now = Utc::now();
        for i in 0..2 {
            repo.create(&user, &hash_token(&format!("tp_{i}")), "x", None, now, 2)
                .await
                .expect("create");
        }
        let err = repo
            .create(&user, &hash_token("tp_2"), "x", None, now, 2)
            .await
            .expect_err("cap");
        assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
        // Expired tokens do not count.
        let past = now - chrono::Duration::days(1);
        let list = repo.list(&user).await.expect("list");
        repo.db
            .query("UPDATE $id SET expires_at = $past")
            .bind(("id", list[0].id.clone()))
            .bind(("past", past))
            .await
            .expect("expire")
            .check()
            .expect("expire");
        repo.create(&user, &hash_token("tp_3"), "x", None, now, 2)
            .await
            .expect("room after expiry");
        // The hash is unique.
        assert!(
            repo.create(&user, &hash_token("tp_3"), "x", None, now, 50)
                .await
                .is_err()
        );
    }
}
