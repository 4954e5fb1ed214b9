//! SurrealQL for users, sessions, sign-in throttling, the setup token and the audit log.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{check_guarded, key_of, rid};
use crate::revisions::{Stamp, and_stamp, stamp_ids, take_stamp, user_revision_of};
use domain::auth::{AuditEntry, Role, SessionInfo, UserSummary};
use domain::error::{AppError, AppResult};

/// A `user` row. The password hash never leaves the server.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct UserRecord {
    /// Record id.
    pub id: RecordId,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// PHC-format argon2id hash; `None` until a password is set (imported users).
    pub password_hash: Option<String>,
    /// Workspace role name.
    pub role: String,
    /// May sign in.
    pub active: bool,
    /// Must change the password before anything else.
    pub must_change_password: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl UserRecord {
    /// The workspace role; an unknown stored value is the least powerful role.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }

    /// The DTO id.
    pub fn key(&self) -> String {
        key_of(&self.id)
    }

    /// The user as the current-user DTO.
    pub fn to_current(&self) -> domain::auth::CurrentUser {
        domain::auth::CurrentUser {
            id: self.key(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            must_change_password: self.must_change_password,
            has_password: self.password_hash.is_some(),
        }
    }

    /// The user as the admin list shows them.
    pub fn to_summary(&self, locked: bool) -> UserSummary {
        UserSummary {
            id: self.key(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            active: self.active,
            must_change_password: self.must_change_password,
            locked,
            created_at: self.created_at,
            sso: None,
        }
    }
}

/// A `session` row, keyed by the token's hash.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SessionRecord {
    /// `session:<sha256 of the token>`.
    pub id: RecordId,
    /// Owner.
    pub user: RecordId,
    /// Sign-in time.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
    /// Absolute end.
    pub expires_at: DateTime<Utc>,
    /// Browser description.
    pub user_agent: String,
    /// Client address at sign-in.
    pub ip: String,
}

/// A session row with its user (`owner`), as one statement reads them.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SessionWithOwner {
    id: RecordId,
    user: RecordId,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    user_agent: String,
    ip: String,
    owner: Option<UserRecord>,
    user_revision: i64,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct AuditRecord {
    id: RecordId,
    at: DateTime<Utc>,
    actor_label: String,
    action: String,
    target: String,
    detail: String,
    ip: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct CountRow {
    count: i64,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct LockRow {
    id: RecordId,
    until: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct HashRow {
    hash: String,
}

/// Fields of a new user.
pub struct NewUser<'a> {
    /// Normalised email.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Password hash, if a password is set.
    pub password_hash: Option<&'a str>,
    /// Workspace role.
    pub role: Role,
    /// Force a password change at first sign-in.
    pub must_change_password: bool,
}

/// The columns of a [`UserRecord`], for every query that reads one.
pub(crate) const USER_FIELDS: &str =
    "id, email, name, password_hash, role, active, must_change_password, created_at";

/// Users, sessions, throttling, the setup token and the audit log.
#[derive(Clone)]
pub struct AuthRepo {
    db: Db,
}

impl AuthRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Whether any user exists.
    pub async fn any_user(&self) -> AppResult<bool> {
        let mut res = self
            .db
            .query("SELECT VALUE id FROM user LIMIT 1")
            .await?
            .check()?;
        let ids: Vec<RecordId> = res.take(0)?;
        Ok(!ids.is_empty())
    }

    /// A user by normalised email.
    pub async fn user_by_email(&self, email: &str) -> AppResult<Option<UserRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {USER_FIELDS} FROM user WHERE email = $email LIMIT 1"
            ))
            .bind(("email", email.to_string()))
            .await?
            .check()?;
        let mut rows: Vec<UserRecord> = res.take(0)?;
        Ok(rows.pop())
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: &str) -> AppResult<Option<UserRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {USER_FIELDS} FROM ONLY $id"))
            .bind(("id", rid("user", id)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Every user, by name.
    pub async fn list_users(&self) -> AppResult<Vec<UserRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {USER_FIELDS} FROM user ORDER BY name ASC"))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Creates a user; a taken email is a conflict on the `email` field.
    pub async fn create_user(&self, new: NewUser<'_>) -> AppResult<UserRecord> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 IF array::len(SELECT VALUE id FROM user WHERE email = $email) > 0 {{ THROW 'email taken' }};
                 CREATE user CONTENT {{ email: $email, name: $name, password_hash: $hash, role: $role,
                    active: true, must_change_password: $must, created_at: time::now(), updated_at: time::now() }}
                    RETURN {USER_FIELDS};
                 COMMIT TRANSACTION;"
            ))
            .bind(("email", new.email.to_string()))
            .bind(("name", new.name.to_string()))
            .bind(("hash", new.password_hash.map(str::to_string)))
            .bind(("role", new.role.as_str().to_string()))
            .bind(("must", new.must_change_password))
            .await?;
        let mut res = check_guarded(
            res,
            AppError::taken("email", "A user with this email already exists."),
        )?;
        // Statement 0 is BEGIN, 1 the guard, 2 the CREATE.
        let mut rows: Vec<UserRecord> = res.take(2)?;
        rows.pop().ok_or_else(AppError::internal)
    }

    /// Creates the first admin, but only while no user exists, in one transaction, and uses up
    /// the setup token. Returns `Conflict` if a user appeared in the meantime.
    pub async fn create_first_admin(&self, new: NewUser<'_>) -> AppResult<UserRecord> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 IF array::len(SELECT VALUE id FROM user LIMIT 1) > 0 {{ THROW 'already set up' }};
                 CREATE user CONTENT {{ email: $email, name: $name, password_hash: $hash, role: 'admin',
                    active: true, must_change_password: false, created_at: time::now(), updated_at: time::now() }}
                    RETURN {USER_FIELDS};
                 DELETE setup_token;
                 COMMIT TRANSACTION;"
            ))
            .bind(("email", new.email.to_string()))
            .bind(("name", new.name.to_string()))
            .bind(("hash", new.password_hash.map(str::to_string)))
            .await?;
        let mut res = check_guarded(
            res,
            AppError::Conflict("This installation has already been set up.".into()),
        )?;
        // Statement 0 is BEGIN, 1 the guard, 2 the CREATE.
        let mut rows: Vec<UserRecord> = res.take(2)?;
        rows.pop().ok_or_else(AppError::internal)
    }

    /// Sets a new password hash and whether it must be changed at next sign-in.
    pub async fn set_password(&self, id: &str, hash: &str, must_change: bool) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET password_hash = $hash, must_change_password = $must, updated_at = time::now()")
            .bind(("id", rid("user", id)))
            .bind(("hash", hash.to_string()))
            .bind(("must", must_change))
            .await?
            .check()?;
        Ok(())
    }

    /// Sets the workspace role.
    pub async fn set_role(&self, id: &str, role: Role) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET role = $role, updated_at = time::now()")
            .bind(("id", rid("user", id)))
            .bind(("role", role.as_str().to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Activates or deactivates a user; deactivation ends all their sessions in the same
    /// transaction.
    pub async fn set_active(&self, id: &str, active: bool) -> AppResult<()> {
        self.db
            .query(
                "BEGIN TRANSACTION;
                 UPDATE $id SET active = $active, updated_at = time::now();
                 IF !$active { DELETE session WHERE user = $id };
                 COMMIT TRANSACTION;",
            )
            .bind(("id", rid("user", id)))
            .bind(("active", active))
            .await?
            .check()?;
        Ok(())
    }

    /// Stores a new session under the hash of its token.
    pub async fn create_session(&self, s: &SessionRecord) -> AppResult<()> {
        self.db
            .query(
                "CREATE $id CONTENT { user: $user, created_at: $created_at, last_seen_at: $last_seen_at,
                    expires_at: $expires_at, user_agent: $user_agent, ip: $ip }",
            )
            .bind(("id", s.id.clone()))
            .bind(("user", s.user.clone()))
            .bind(("created_at", s.created_at))
            .bind(("last_seen_at", s.last_seen_at))
            .bind(("expires_at", s.expires_at))
            .bind(("user_agent", s.user_agent.clone()))
            .bind(("ip", s.ip.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// A session and its user, in one round trip.
    pub async fn session_with_user(
        &self,
        hash: &str,
    ) -> AppResult<Option<(SessionRecord, UserRecord)>> {
        let (found, _) = self.session_with_user_and_stamp(hash, None).await?;
        Ok(found.map(|(s, u, _)| (s, u)))
    }

    /// The session with this hash, its user and the user's counter (`revision:⟨~user:<id>⟩`,
    /// read in the same statement), in one statement; with `stamp_keys`, the read cache's
    /// stamp of those counters too, in the same round trip (one query per request).
    pub async fn session_with_user_and_stamp(
        &self,
        hash: &str,
        stamp_keys: Option<&[String]>,
    ) -> AppResult<(Option<(SessionRecord, UserRecord, i64)>, Option<Stamp>)> {
        let sql = and_stamp(
            format!(
                "SELECT id, user, created_at, last_seen_at, expires_at, user_agent, ip,
                        user.{{{USER_FIELDS}}} AS owner, {} AS user_revision
                 FROM $id",
                user_revision_of("user")
            ),
            stamp_keys,
        );
        let mut res = self
            .db
            .query(sql)
            .bind(("id", rid("session", hash)))
            .bind(("stamp_ids", stamp_ids(stamp_keys.unwrap_or_default())))
            .await?
            .check()?;
        let rows: Vec<SessionWithOwner> = res.take(0)?;
        let stamp = take_stamp(&mut res, 1, stamp_keys)?;
        let found = rows.into_iter().next().and_then(|r| {
            let owner = r.owner?;
            Some((
                SessionRecord {
                    id: r.id,
                    user: r.user,
                    created_at: r.created_at,
                    last_seen_at: r.last_seen_at,
                    expires_at: r.expires_at,
                    user_agent: r.user_agent,
                    ip: r.ip,
                },
                owner,
                r.user_revision,
            ))
        });
        Ok((found, stamp))
    }

    /// Records activity on a session.
    pub async fn touch_session(&self, hash: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET last_seen_at = $now")
            .bind(("id", rid("session", hash)))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    /// Ends one session.
    pub async fn delete_session(&self, hash: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id")
            .bind(("id", rid("session", hash)))
            .await?
            .check()?;
        Ok(())
    }

    /// Ends one of a user's sessions, by its hash; does nothing for another user's session.
    pub async fn delete_user_session(&self, user: &str, hash: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id WHERE user = $user")
            .bind(("id", rid("session", hash)))
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        Ok(())
    }

    /// Ends every session of a user except `keep` (a token hash).
    pub async fn delete_user_sessions(&self, user: &str, keep: Option<&str>) -> AppResult<()> {
        self.db
            .query("DELETE session WHERE user = $user AND id != $keep")
            .bind(("user", rid("user", user)))
            .bind(("keep", rid("session", keep.unwrap_or(""))))
            .await?
            .check()?;
        Ok(())
    }

    /// A user's live sessions, most recent first.
    pub async fn list_sessions(
        &self,
        user: &str,
        current_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<SessionInfo>> {
        let mut res = self
            .db
            .query("SELECT * FROM session WHERE user = $user AND expires_at > $now ORDER BY last_seen_at DESC")
            .bind(("user", rid("user", user)))
            .bind(("now", now))
            .await?
            .check()?;
        let rows: Vec<SessionRecord> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|s| {
                let hash = key_of(&s.id);
                SessionInfo {
                    current: current_hash == Some(hash.as_str()),
                    id: hash.chars().take(16).collect(),
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    expires_at: s.expires_at,
                    user_agent: s.user_agent,
                    ip: s.ip,
                }
            })
            .collect())
    }

    /// Records a failed sign-in under each key and returns the largest number of failures of
    /// any key since `since`.
    pub async fn record_failure(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<(String, i64)>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let mut res = self
                .db
                .query(
                    "CREATE login_failure CONTENT { key: $key, at: $now };
                     SELECT count() AS count FROM login_failure WHERE key = $key AND at > $since GROUP ALL;",
                )
                .bind(("key", key.clone()))
                .bind(("now", now))
                .bind(("since", since))
                .await?
                .check()?;
            let rows: Vec<CountRow> = res.take(1)?;
            out.push((key.clone(), rows.first().map_or(0, |r| r.count)));
        }
        Ok(out)
    }

    /// Locks sign-ins for `key` until `until`.
    pub async fn lock(&self, key: &str, until: DateTime<Utc>) -> AppResult<()> {
        self.db
            .query("UPSERT $id CONTENT { until: $until }")
            .bind(("id", rid("lockout", key)))
            .bind(("until", until))
            .await?
            .check()?;
        Ok(())
    }

    /// The latest lockout among `keys` still in force at `now`.
    pub async fn locked_until(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> AppResult<Option<DateTime<Utc>>> {
        let ids: Vec<RecordId> = keys.iter().map(|k| rid("lockout", k)).collect();
        let mut res = self
            .db
            .query("SELECT id, until FROM $ids WHERE until > $now")
            .bind(("ids", ids))
            .bind(("now", now))
            .await?
            .check()?;
        let rows: Vec<LockRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| r.until).max())
    }

    /// Lifts a lockout and forgets the failures counted under `key`.
    pub async fn unlock(&self, key: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id; DELETE login_failure WHERE key = $key;")
            .bind(("id", rid("lockout", key)))
            .bind(("key", key.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Forgets failures older than `before` (housekeeping).
    pub async fn prune_failures(&self, before: DateTime<Utc>) -> AppResult<()> {
        self.db
            .query("DELETE login_failure WHERE at < $before; DELETE lockout WHERE until < $before; DELETE session WHERE expires_at < $before;")
            .bind(("before", before))
            .await?
            .check()?;
        Ok(())
    }

    /// Stores the hash of a new setup token, replacing any earlier one.
    pub async fn set_setup_token(&self, hash: &str) -> AppResult<()> {
        self.db
            .query("UPSERT setup_token:current CONTENT { hash: $hash, created_at: time::now() }")
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// The stored setup token hash.
    pub async fn setup_token_hash(&self) -> AppResult<Option<String>> {
        let mut res = self
            .db
            .query("SELECT hash FROM ONLY setup_token:current")
            .await?
            .check()?;
        let row: Option<HashRow> = res.take(0)?;
        Ok(row.map(|r| r.hash))
    }

    /// Appends to the audit log.
    pub async fn audit(
        &self,
        actor: Option<&str>,
        actor_label: &str,
        action: &str,
        target: &str,
        detail: &str,
        ip: &str,
    ) -> AppResult<()> {
        self.db
            .query(
                "CREATE audit_event CONTENT { at: time::now(), actor: $actor, actor_label: $label,
                    action: $action, target: $target, detail: $detail, ip: $ip }",
            )
            .bind(("actor", actor.map(|a| rid("user", a))))
            .bind(("label", actor_label.to_string()))
            .bind(("action", action.to_string()))
            .bind(("target", target.to_string()))
            .bind(("detail", detail.to_string()))
            .bind(("ip", ip.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// The newest audit entries, optionally before a time (for paging) and of one action. Reads
    /// the `newest_first` index forwards (see `00_core.surql`).
    pub async fn list_audit(
        &self,
        limit: i64,
        before: Option<DateTime<Utc>>,
        action: Option<&str>,
    ) -> AppResult<Vec<AuditEntry>> {
        let mut res = self
            .db
            .query(
                "SELECT id, at, actor_label, action, target, detail, ip FROM audit_event
                 WHERE ($after = NONE OR newest_first > $after) AND ($action = NONE OR action = $action)
                 ORDER BY newest_first ASC LIMIT $limit",
            )
            .bind(("after", before.map(newest_first_key)))
            .bind(("action", action.map(str::to_string)))
            .bind(("limit", limit))
            .await?
            .check()?;
        let rows: Vec<AuditRecord> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: key_of(&r.id),
                at: r.at,
                actor: r.actor_label,
                action: r.action,
                target: r.target,
                detail: r.detail,
                ip: r.ip,
            })
            .collect())
    }
}

/// The audit log's `newest_first` key of a time, as the schema computes it: smaller is newer.
fn newest_first_key(at: DateTime<Utc>) -> i64 {
    4_000_000_000_000_000_000 - at.timestamp_nanos_opt().unwrap_or(i64::MAX / 2)
}

#[cfg(test)]
mod audit_tests {
    use super::*;
    use chrono::Duration;

    #[tokio::test]
    async fn audit_pages_newest_first_by_the_forward_key() {
        let db = crate::db::connect_isolated("mem://", "audit_pages")
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        let repo = AuthRepo::new(db.clone());
        for i in 0..5 {
            repo.audit(None, "cli", "test.event", &format!("t{i}"), "", "cli")
                .await
                .expect("audit");
        }
        let first = repo.list_audit(2, None, None).await.expect("page 1");
        assert_eq!(
            first.iter().map(|e| e.target.as_str()).collect::<Vec<_>>(),
            ["t4", "t3"]
        );
        let second = repo
            .list_audit(10, Some(first[1].at), Some("test.event"))
            .await
            .expect("page 2");
        assert_eq!(
            second.iter().map(|e| e.target.as_str()).collect::<Vec<_>>(),
            ["t2", "t1", "t0"]
        );
        assert!(
            newest_first_key(first[0].at) < newest_first_key(first[0].at - Duration::seconds(1))
        );
        let mut plan = db
            .query("SELECT id FROM audit_event WHERE newest_first > 0 ORDER BY newest_first ASC LIMIT 2 EXPLAIN")
            .await
            .expect("explain");
        let plan: surrealdb::types::Value = plan.take(0).expect("plan");
        let plan = format!("{plan:?}");
        assert!(plan.contains("audit_event_newest_first"), "{plan}");
        assert!(plan.contains("Forward"), "{plan}");
    }
}
