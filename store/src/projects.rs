//! SurrealQL for projects and memberships.

use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{key_of, rid};
use domain::error::{AppError, AppResult};
use domain::projects::{Member, MemberRole, MlNeeded, Project, ProjectStatus, ValidProject};

/// A `project` row with its lead's name.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ProjectRecord {
    /// `project:<key>`.
    pub id: RecordId,
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Problem statement.
    pub problem_statement: String,
    /// End users.
    pub end_users: String,
    /// Status name.
    pub status: String,
    /// Lead.
    pub lead: Option<RecordId>,
    /// Lead's name (joined).
    pub lead_name: Option<String>,
    /// Start.
    pub started_on: NaiveDate,
    /// Target sprint length.
    pub target_iteration_days: i64,
    /// Contact threshold.
    pub contact_threshold_days: i64,
    /// ML needed.
    pub ml_needed: String,
    /// Baseline.
    pub baseline_considered: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ProjectRecord> for Project {
    fn from(r: ProjectRecord) -> Self {
        Project {
            key: r.key,
            name: r.name,
            problem_statement: r.problem_statement,
            end_users: r.end_users,
            status: r.status.parse().unwrap_or_default(),
            lead: r.lead.as_ref().map(key_of),
            lead_name: r.lead_name,
            started_on: r.started_on,
            target_iteration_days: u32::try_from(r.target_iteration_days).unwrap_or(14),
            contact_threshold_days: u32::try_from(r.contact_threshold_days).unwrap_or(30),
            ml_needed: r.ml_needed.parse().unwrap_or(MlNeeded::Unknown),
            baseline_considered: r.baseline_considered,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MemberRow {
    user: RecordId,
    name: String,
    email: String,
    role: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RoleRow {
    role: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct CurrentSprintRow {
    project: RecordId,
    number: i64,
    name: String,
}

pub(crate) const PROJECT_FIELDS: &str = "id, key, name, problem_statement, end_users, status, lead, lead.name AS lead_name, \
     started_on, target_iteration_days, contact_threshold_days, ml_needed, baseline_considered, created_at, updated_at";

/// Projects and memberships.
#[derive(Clone)]
pub struct ProjectRepo {
    db: Db,
}

impl ProjectRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// One project by key.
    pub async fn get(&self, key: &str) -> AppResult<Option<ProjectRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {PROJECT_FIELDS} FROM ONLY $id"))
            .bind(("id", rid("project", key)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// The caller's membership role in a project, if any.
    pub async fn member_role(&self, key: &str, user: &str) -> AppResult<Option<MemberRole>> {
        let mut res = self
            .db
            .query("SELECT role FROM ONLY $id")
            .bind(("id", membership_id(key, user)))
            .await?
            .check()?;
        let row: Option<RoleRow> = res.take(0)?;
        Ok(row.and_then(|r| r.role.parse().ok()))
    }

    /// Every project (for admins and workspace leads), by name.
    pub async fn list_all(&self) -> AppResult<Vec<ProjectRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {PROJECT_FIELDS} FROM project ORDER BY name ASC"
            ))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// The projects a user belongs to, by name.
    pub async fn list_for_member(&self, user: &str) -> AppResult<Vec<ProjectRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {PROJECT_FIELDS} FROM (SELECT VALUE project FROM membership WHERE user = $user) ORDER BY name ASC"
            ))
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// The sprint running on `today` for each of the given projects: (project key, number, name).
    pub async fn current_sprints(
        &self,
        keys: &[String],
        today: NaiveDate,
    ) -> AppResult<Vec<(String, u32, String)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<RecordId> = keys.iter().map(|k| rid("project", k)).collect();
        let mut res = self
            .db
            .query(
                "SELECT project, number, name FROM sprint
                 WHERE project IN $ids AND start_on <= $today AND end_on >= $today
                 ORDER BY start_on DESC",
            )
            .bind(("ids", ids))
            .bind(("today", today))
            .await?
            .check()?;
        let rows: Vec<CurrentSprintRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    key_of(&r.project),
                    u32::try_from(r.number).unwrap_or(0),
                    r.name,
                )
            })
            .collect())
    }

    /// Creates a project and makes its lead a member with role `lead`, in one transaction.
    /// A taken key is a conflict on `key`.
    pub async fn create(
        &self,
        key: &str,
        v: &ValidProject,
        lead: &str,
    ) -> AppResult<ProjectRecord> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 IF record::exists($id) {{ THROW 'key taken' }};
                 CREATE $id CONTENT {{ key: $key, name: $name, problem_statement: $problem, end_users: $end_users,
                    status: $status, lead: $lead, started_on: $started_on, target_iteration_days: $target,
                    contact_threshold_days: $threshold, ml_needed: $ml, baseline_considered: $baseline,
                    created_at: time::now(), updated_at: time::now() }};
                 UPSERT $membership CONTENT {{ project: $id, user: $lead, role: 'lead', created_at: time::now() }};
                 SELECT {PROJECT_FIELDS} FROM ONLY $id;
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", rid("project", key)))
            .bind(("key", key.to_string()))
            .bind(("membership", membership_id(key, lead)))
            .bind(("lead", rid("user", lead)))
            .bind(fields(v))
            .await?;
        let mut res = crate::db::check_guarded(
            res,
            AppError::taken("key", "A project with this key already exists."),
        )?;
        let row: Option<ProjectRecord> = res.take(4)?;
        row.ok_or_else(AppError::internal)
    }

    /// Updates a project's fields; a new lead becomes a member with role `lead`.
    pub async fn update(&self, key: &str, v: &ValidProject, lead: Option<&str>) -> AppResult<()> {
        let lead_id = lead.map(|l| rid("user", l));
        self.db
            .query(
                "BEGIN TRANSACTION;
                 UPDATE $id SET name = $name, problem_statement = $problem, end_users = $end_users,
                    status = $status, started_on = $started_on, target_iteration_days = $target,
                    contact_threshold_days = $threshold, ml_needed = $ml, baseline_considered = $baseline,
                    updated_at = time::now();
                 IF $lead != NONE {
                    UPDATE $id SET lead = $lead;
                    UPSERT type::record('membership', [$key, record::id($lead)]) MERGE { project: $id, user: $lead, role: 'lead', created_at: time::now() };
                 };
                 COMMIT TRANSACTION;",
            )
            .bind(("id", rid("project", key)))
            .bind(("key", key.to_string()))
            .bind(("lead", lead_id))
            .bind(fields(v))
            .await?
            .check()?;
        Ok(())
    }

    /// Sets the status (archive and restore).
    pub async fn set_status(&self, key: &str, status: ProjectStatus) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET status = $status, updated_at = time::now()")
            .bind(("id", rid("project", key)))
            .bind(("status", status.as_str().to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// The members of a project, by name.
    pub async fn members(&self, key: &str) -> AppResult<Vec<Member>> {
        let mut res = self
            .db
            .query(
                "SELECT user, user.name AS name, user.email AS email, role FROM membership
                 WHERE project = $id ORDER BY name ASC",
            )
            .bind(("id", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<MemberRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| Member {
                user_id: key_of(&r.user),
                name: r.name,
                email: r.email,
                role: r.role.parse().unwrap_or_default(),
            })
            .collect())
    }

    /// Adds a member or changes their role.
    pub async fn set_member(&self, key: &str, user: &str, role: MemberRole) -> AppResult<()> {
        self.db
            .query("UPSERT $id MERGE { project: $project, user: $user, role: $role, created_at: time::now() }")
            .bind(("id", membership_id(key, user)))
            .bind(("project", rid("project", key)))
            .bind(("user", rid("user", user)))
            .bind(("role", role.as_str().to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Removes a member.
    pub async fn remove_member(&self, key: &str, user: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id")
            .bind(("id", membership_id(key, user)))
            .await?
            .check()?;
        Ok(())
    }
}

/// The record id of a membership.
pub fn membership_id(project: &str, user: &str) -> RecordId {
    RecordId::new(
        "membership",
        surrealdb::types::RecordIdKey::Array(surrealdb::types::Array::from(vec![
            project.to_string(),
            user.to_string(),
        ])),
    )
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Fields {
    name: String,
    problem: String,
    end_users: String,
    status: String,
    started_on: NaiveDate,
    target: i64,
    threshold: i64,
    ml: String,
    baseline: String,
}

fn fields(v: &ValidProject) -> Fields {
    Fields {
        name: v.name.clone(),
        problem: v.problem_statement.clone(),
        end_users: v.end_users.clone(),
        status: v.status.as_str().to_string(),
        started_on: v.started_on,
        target: i64::from(v.target_iteration_days),
        threshold: i64::from(v.contact_threshold_days),
        ml: v.ml_needed.as_str().to_string(),
        baseline: v.baseline_considered.clone(),
    }
}
