//! SurrealQL for a project's invite links.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use super::{FeedbackRepo, to_u32};
use crate::db::{key_of, rid};
use domain::error::{AppError, AppResult};
use domain::feedback::{Invite, InviteState, LinkSprint};

/// An `invite` row as the link handler needs it.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct InviteRecord {
    /// Record id.
    pub id: RecordId,
    /// Project.
    pub project: RecordId,
    /// Project name (joined).
    pub project_name: Option<String>,
    /// Sprint it names.
    pub sprint: Option<RecordId>,
    /// Its number (joined).
    pub sprint_number: Option<i64>,
    /// Its name (joined).
    pub sprint_name: Option<String>,
    /// Its goal (joined).
    pub sprint_goal: Option<String>,
    /// Stakeholder it names.
    pub stakeholder: Option<RecordId>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// Revoked by the team.
    pub revoked: bool,
}

impl InviteRecord {
    /// The project key.
    pub fn project_key(&self) -> String {
        key_of(&self.project)
    }

    /// The sprint it names, for the page.
    pub fn link_sprint(&self) -> Option<LinkSprint> {
        to_u32(self.sprint_number).map(|number| LinkSprint {
            number,
            name: self.sprint_name.clone().unwrap_or_default(),
            goal: self.sprint_goal.clone().unwrap_or_default(),
        })
    }
}

/// One of a project's invite links as the list shows it, before it is set beside the time
/// (whether it has expired is decided when it is shown).
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct InviteRow {
    id: RecordId,
    sprint_number: Option<i64>,
    sprint_name: Option<String>,
    stakeholder_name: Option<String>,
    expires_at: DateTime<Utc>,
    revoked: bool,
    use_count: i64,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
}

impl InviteRow {
    /// The link as it stands at `now`.
    pub fn at(&self, now: DateTime<Utc>) -> Invite {
        Invite {
            id: key_of(&self.id),
            sprint: to_u32(self.sprint_number)
                .map(|n| (n, self.sprint_name.clone().unwrap_or_default())),
            stakeholder_name: self.stakeholder_name.clone(),
            expires_at: self.expires_at,
            state: InviteState::of(self.revoked, self.expires_at, now),
            use_count: u32::try_from(self.use_count).unwrap_or(0),
            created_by: self.created_by_name.clone().unwrap_or_default(),
            created_at: self.created_at,
        }
    }
}

/// The query of a project's invite links (`$project`); every table and name it reads moves the
/// project's counter (see 70_revisions.surql and `revisions::tests`).
pub const INVITES_SQL: &str =
    "SELECT id, sprint.number AS sprint_number, sprint.name AS sprint_name,
        stakeholder.name AS stakeholder_name, expires_at, revoked, use_count,
        created_by.name AS created_by_name, created_at
     FROM invite WHERE project = $project ORDER BY created_at DESC LIMIT 500";

impl FeedbackRepo {
    /// Creates an invite link; only the token's hash is stored.
    pub async fn create_invite(
        &self,
        key: &str,
        sprint: Option<RecordId>,
        stakeholder: Option<&str>,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        created_by: &str,
    ) -> AppResult<String> {
        let mut res = self
            .db
            .query(
                "CREATE ONLY invite CONTENT {
                    project: $project, sprint: $sprint, stakeholder: $stakeholder, token_hash: $hash,
                    expires_at: $expires_at, revoked: false, use_count: 0, created_by: $created_by,
                    created_at: time::now(), updated_at: time::now()
                 } RETURN VALUE id",
            )
            .bind(("project", rid("project", key)))
            .bind(("sprint", sprint))
            .bind(("stakeholder", stakeholder.map(|s| rid("stakeholder", s))))
            .bind(("hash", token_hash.to_string()))
            .bind(("expires_at", expires_at))
            .bind(("created_by", rid("user", created_by)))
            .await?
            .check()?;
        let id: Option<RecordId> = res.take(0)?;
        id.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// A project's invite links, newest first, as they stand at `now`.
    pub async fn invites(&self, key: &str, now: DateTime<Utc>) -> AppResult<Vec<Invite>> {
        Ok(self
            .invite_rows(key)
            .await?
            .iter()
            .map(|r| r.at(now))
            .collect())
    }

    /// A project's invite links, newest first (at most 500), before they are set beside the
    /// time; the read cache keeps them per snapshot.
    pub async fn invite_rows(&self, key: &str) -> AppResult<Vec<InviteRow>> {
        let mut res = self
            .db
            .query(INVITES_SQL)
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// The invite whose token has this hash.
    pub async fn invite_by_hash(&self, hash: &str) -> AppResult<Option<InviteRecord>> {
        let mut res = self
            .db
            .query(
                "SELECT id, project, project.name AS project_name, sprint, sprint.number AS sprint_number,
                    sprint.name AS sprint_name, sprint.goal AS sprint_goal, stakeholder, expires_at, revoked
                 FROM invite WHERE token_hash = $hash LIMIT 1",
            )
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        let rows: Vec<InviteRecord> = res.take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Revokes an invite of a project. Returns false if the project has no such invite.
    pub async fn revoke_invite(&self, key: &str, id: &str) -> AppResult<bool> {
        let mut res = self
            .db
            .query("UPDATE $id SET revoked = true, updated_at = time::now() WHERE project = $project RETURN VALUE id")
            .bind(("id", rid("invite", id)))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let ids: Vec<RecordId> = res.take(0)?;
        Ok(!ids.is_empty())
    }
}
