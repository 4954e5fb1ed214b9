//! SurrealQL for the stakeholder directory.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{check_guarded, key_of, rid};
use domain::error::{AppError, AppResult};
use domain::stakeholders::{DirectoryQuery, ERASED_NAME, MemberRole, ValidStakeholder};

/// A `stakeholder` row.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct StakeholderRecord {
    /// `stakeholder:<key>`.
    pub id: RecordId,
    /// Name.
    pub name: String,
    /// Email (stored trimmed and lowercased).
    pub email: Option<String>,
    /// Organization.
    pub organization: String,
    /// Job title.
    pub title: String,
    /// Function name.
    pub function: String,
    /// Linked projects.
    #[surreal(default)]
    pub projects: Vec<RecordId>,
    /// Notes.
    pub notes: String,
    /// Self-described attributes.
    #[surreal(default)]
    pub attributes: BTreeMap<String, String>,
    /// Consent date.
    pub consented_on: Option<NaiveDate>,
    /// When erased.
    pub erased_at: Option<DateTime<Utc>>,
    /// The kept entry, once merged.
    pub merged_into: Option<RecordId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl StakeholderRecord {
    /// The record key (the DTO id).
    pub fn key(&self) -> String {
        key_of(&self.id)
    }

    /// Keys of the linked projects.
    pub fn project_keys(&self) -> Vec<String> {
        self.projects.iter().map(key_of).collect()
    }

    /// Whether the entry is in the directory (neither erased nor merged).
    pub fn is_active(&self) -> bool {
        self.erased_at.is_none() && self.merged_into.is_none()
    }
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MembershipRow {
    key: String,
    name: String,
    role: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReviewRow {
    project_key: String,
    project_name: Option<String>,
    sprint_number: Option<i64>,
    held_on: NaiveDate,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ChoiceRow {
    id: RecordId,
    name: String,
    function: String,
}

/// A review attended: (project key, project name, sprint number, held on).
pub type ReviewAttendance = (String, String, u32, NaiveDate);

/// A stakeholder to pick: (key, name, function name).
pub type ChoiceRecord = (String, String, String);

/// The people linked to a project (`$project`) whom a writer may pick; every table and field it
/// reads moves the project's counter, so the read cache keeps its answer per snapshot (see
/// 70_revisions.surql and `revisions::tests`).
pub const PROJECT_PEOPLE_SQL: &str = "SELECT id, name, `function` FROM
        (SELECT VALUE stakeholder FROM stakeholder_link WHERE project = $project)
     WHERE merged_into = NONE AND erased_at = NONE";

/// What the directory search may match besides names, organizations and titles.
#[derive(Clone, Debug, Default)]
pub struct EmailScope {
    /// Match every email (admins and workspace leads).
    pub all: bool,
    /// Match the emails of stakeholders linked to these projects (projects the caller leads).
    pub projects: Vec<String>,
}

const FIELDS: &str = "id, name, email, organization, title, `function`, projects, notes, attributes, \
     consented_on, erased_at, merged_into, created_at, updated_at";

/// Statements that move every reference from `$dup` to `$keep`, run inside the merge
/// transaction. Other tables that point at stakeholders are added here as they arrive:
/// `interview.participants` (array, like review attendees), `feedback.stakeholder` and
/// `invite.stakeholder` (single links, like `dq_issue.source_owner`).
pub fn merge_references() -> &'static str {
    "UPDATE review SET attendee_stakeholders = array::union(array::complement(attendee_stakeholders, [$dup]), [$keep])
        WHERE attendee_stakeholders CONTAINS $dup;
     UPDATE dq_issue SET source_owner = $keep WHERE source_owner = $dup;
     UPDATE interview SET participants = array::union(array::complement(participants, [$dup]), [$keep])
        WHERE participants CONTAINS $dup;
     UPDATE feedback SET stakeholder = $keep WHERE stakeholder = $dup;
     UPDATE invite SET stakeholder = $keep WHERE stakeholder = $dup;"
}

/// A new random record key: 20 characters from `[a-z0-9]`.
fn new_key() -> String {
    use rand::Rng as _;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

fn email_taken() -> AppError {
    AppError::taken(
        "email",
        "Another stakeholder already has this email address.",
    )
}

/// The stakeholder directory.
#[derive(Clone)]
pub struct StakeholderRepo {
    db: Db,
}

impl StakeholderRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// A user's project memberships: (project key, project name, role).
    pub async fn memberships(&self, user: &str) -> AppResult<Vec<(String, String, MemberRole)>> {
        let mut res = self
            .db
            .query(
                "SELECT record::id(project) AS key, project.name AS name, role FROM membership
                 WHERE user = $user",
            )
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        let rows: Vec<MembershipRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| r.role.parse().ok().map(|role| (r.key, r.name, role)))
            .collect())
    }

    /// One stakeholder, whatever their state.
    pub async fn get(&self, key: &str) -> AppResult<Option<StakeholderRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {FIELDS} FROM ONLY $id"))
            .bind(("id", rid("stakeholder", key)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// The directory: active entries (and erased ones when asked), never merged ones, by name.
    /// Returns at most `filter.limit + 1` rows, so the caller can tell whether there are more.
    pub async fn list(
        &self,
        filter: &DirectoryQuery,
        emails: &EmailScope,
    ) -> AppResult<Vec<StakeholderRecord>> {
        let led: Vec<RecordId> = emails.projects.iter().map(|p| rid("project", p)).collect();
        let mut res = self
            .db
            .query(format!(
                "LET $from = IF $after = NONE {{ NONE }} ELSE {{ type::record('stakeholder', $after).sort_name }};
                 SELECT {FIELDS}, sort_name FROM stakeholder WITH INDEX stakeholder_sort_name
                 WHERE merged_into = NONE
                   AND ($from = NONE OR sort_name > $from OR (sort_name = $from AND id > type::record('stakeholder', $after)))
                   AND ($include_erased OR erased_at = NONE)
                   AND ($function = NONE OR `function` = $function)
                   AND ($project = NONE OR projects CONTAINS $project)
                   AND ($q = ''
                        OR string::contains(string::lowercase(name), $q)
                        OR string::contains(string::lowercase(organization), $q)
                        OR string::contains(string::lowercase(title), $q)
                        OR (email != NONE AND ($all_emails OR array::len(array::intersect(projects, $led)) > 0)
                            AND string::contains(email, $q)))
                 ORDER BY sort_name ASC, id ASC
                 LIMIT $limit"
            ))
            .bind(("after", filter.after.clone()))
            .bind(("include_erased", filter.include_erased))
            .bind(("function", filter.function.map(|f| f.as_str().to_string())))
            .bind(("project", filter.project.as_deref().map(|p| rid("project", p))))
            .bind(("q", filter.q.clone()))
            .bind(("all_emails", emails.all))
            .bind(("led", led))
            .bind(("limit", i64::from(filter.limit) + 1))
            .await?
            .check()?;
        Ok(res.take(1)?)
    }

    /// Active stakeholders to pick from, by name; only those linked to `project` when given.
    pub async fn choices(&self, project: Option<&str>) -> AppResult<Vec<ChoiceRecord>> {
        // A project's people through their links (an index read), not a scan of the directory.
        let sql = if project.is_some() {
            PROJECT_PEOPLE_SQL
        } else {
            "SELECT id, name, `function` FROM stakeholder WHERE merged_into = NONE AND erased_at = NONE"
        };
        let mut res = self
            .db
            .query(sql)
            .bind(("project", project.map(|p| rid("project", p))))
            .await?
            .check()?;
        let rows: Vec<ChoiceRow> = res.take(0)?;
        // Sorted here by name, ignoring case, then id: cheaper than in the query.
        let mut people: Vec<(String, ChoiceRecord)> = rows
            .into_iter()
            .map(|r| (r.name.to_lowercase(), (key_of(&r.id), r.name, r.function)))
            .collect();
        people.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.0.cmp(&b.1.0)));
        Ok(people.into_iter().map(|(_, p)| p).collect())
    }

    /// Reviews the stakeholder attended, newest first; only in `projects` unless `all`.
    pub async fn attended_reviews(
        &self,
        key: &str,
        all: bool,
        projects: &[String],
    ) -> AppResult<Vec<ReviewAttendance>> {
        let ids: Vec<RecordId> = projects.iter().map(|p| rid("project", p)).collect();
        let mut res = self
            .db
            .query(
                "SELECT record::id(project) AS project_key, project.name AS project_name,
                        record::id(sprint)[1] AS sprint_number, held_on
                 FROM review
                 WHERE attendee_stakeholders CONTAINS $id AND ($all OR project IN $projects)
                 ORDER BY held_on DESC",
            )
            .bind(("id", rid("stakeholder", key)))
            .bind(("all", all))
            .bind(("projects", ids))
            .await?
            .check()?;
        let rows: Vec<ReviewRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.project_name
                        .clone()
                        .unwrap_or_else(|| r.project_key.clone()),
                    r,
                )
            })
            .map(|(name, r)| {
                (
                    r.project_key,
                    name,
                    r.sprint_number
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(0),
                    r.held_on,
                )
            })
            .collect())
    }

    /// Creates a stakeholder and returns its key. A taken email (in any case) is an error on
    /// `email`; attributes are stored only with a consent date.
    pub async fn create(&self, v: &ValidStakeholder, projects: &[String]) -> AppResult<String> {
        let key = new_key();
        let email = v
            .email
            .clone()
            .flatten()
            .map(|e| domain::auth::normalize_email(&e));
        let consented_on = v.consented_on.flatten();
        let attributes = if consented_on.is_some() {
            v.attributes.clone().unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        let project_ids: Vec<RecordId> = projects.iter().map(|p| rid("project", p)).collect();
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF $email != NONE AND array::len((SELECT VALUE id FROM stakeholder WHERE email = $email LIMIT 1)) > 0 {
                    THROW 'email taken'
                 };
                 CREATE $id CONTENT {
                    name: $name, email: $email, organization: $organization, title: $title,
                    `function`: $function, projects: $projects, notes: $notes,
                    attributes: IF $consented_on = NONE THEN {} ELSE $attributes END,
                    consented_on: $consented_on, created_at: time::now(), updated_at: time::now()
                 };
                 COMMIT TRANSACTION;",
            )
            .bind(("id", rid("stakeholder", &key)))
            .bind(("email", email))
            .bind(("name", v.name.clone()))
            .bind(("organization", v.organization.clone()))
            .bind(("title", v.title.clone()))
            .bind(("function", v.function.as_str().to_string()))
            .bind(("projects", project_ids))
            .bind(("notes", v.notes.clone()))
            .bind(("attributes", attributes))
            .bind(("consented_on", consented_on))
            .await?;
        check_guarded(res, email_taken())?;
        Ok(key)
    }

    /// Updates a stakeholder's fields. Email, consent and attributes change only when `v` says
    /// so; whatever happens, attributes without a consent date are deleted in the same write.
    pub async fn update(&self, key: &str, v: &ValidStakeholder) -> AppResult<()> {
        let email = v
            .email
            .clone()
            .map(|e| e.map(|e| domain::auth::normalize_email(&e)));
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF $set_email AND $email != NONE
                    AND array::len((SELECT VALUE id FROM stakeholder WHERE email = $email AND id != $id LIMIT 1)) > 0 {
                    THROW 'email taken'
                 };
                 UPDATE $id SET name = $name, organization = $organization, title = $title,
                    `function` = $function, notes = $notes, updated_at = time::now();
                 IF $set_email { UPDATE $id SET email = $email };
                 IF $set_consent { UPDATE $id SET consented_on = $consented_on };
                 IF $set_attributes { UPDATE $id SET attributes = $attributes };
                 UPDATE $id SET attributes = {} WHERE consented_on = NONE;
                 COMMIT TRANSACTION;",
            )
            .bind(("id", rid("stakeholder", key)))
            .bind(("set_email", email.is_some()))
            .bind(("email", email.flatten()))
            .bind(("set_consent", v.consented_on.is_some()))
            .bind(("consented_on", v.consented_on.flatten()))
            .bind(("set_attributes", v.attributes.is_some()))
            .bind(("attributes", v.attributes.clone().unwrap_or_default()))
            .bind(("name", v.name.clone()))
            .bind(("organization", v.organization.clone()))
            .bind(("title", v.title.clone()))
            .bind(("function", v.function.as_str().to_string()))
            .bind(("notes", v.notes.clone()))
            .await?;
        check_guarded(res, email_taken())?;
        Ok(())
    }

    /// Withdraws consent: the date and every attribute go, in one write.
    pub async fn withdraw_consent(&self, key: &str) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET consented_on = NONE, attributes = {}, updated_at = time::now()")
            .bind(("id", rid("stakeholder", key)))
            .await?
            .check()?;
        Ok(())
    }

    /// Links a stakeholder to a project.
    pub async fn link(&self, key: &str, project: &str) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET projects = array::union(projects, [$project]), updated_at = time::now()")
            .bind(("id", rid("stakeholder", key)))
            .bind(("project", rid("project", project)))
            .await?
            .check()?;
        Ok(())
    }

    /// Unlinks a stakeholder from a project.
    pub async fn unlink(&self, key: &str, project: &str) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET projects = array::complement(projects, [$project]), updated_at = time::now()")
            .bind(("id", rid("stakeholder", key)))
            .bind(("project", rid("project", project)))
            .await?
            .check()?;
        Ok(())
    }

    /// Merges `dup` into `keep` in one transaction: `keep` gains `dup`'s projects and fills its
    /// empty fields from it (email, organization, title, notes, and consent with attributes when
    /// it has none); `dup` gets `merged_into = keep` and loses its email and attributes; entries
    /// merged into `dup` earlier now point at `keep`; and every reference moves over (see
    /// [`merge_references`]). Either entry missing, erased or merged already is a conflict.
    pub async fn merge(&self, keep: &str, dup: &str) -> AppResult<()> {
        if keep == dup {
            return Err(AppError::field(
                "other",
                "Choose a different entry to merge.",
            ));
        }
        let sql = format!(
            "BEGIN TRANSACTION;
             LET $k = (SELECT * FROM ONLY $keep);
             LET $d = (SELECT * FROM ONLY $dup);
             IF $k = NONE OR $d = NONE OR $k.merged_into != NONE OR $d.merged_into != NONE
                OR $k.erased_at != NONE OR $d.erased_at != NONE {{
                THROW 'cannot merge'
             }};
             UPDATE $dup SET merged_into = $keep, email = NONE, attributes = {{}}, consented_on = NONE,
                updated_at = time::now();
             UPDATE $keep SET
                projects = array::union(projects, $d.projects),
                email = IF email = NONE THEN $d.email ELSE email END,
                organization = IF organization = '' THEN $d.organization ELSE organization END,
                title = IF title = '' THEN $d.title ELSE title END,
                notes = IF $d.notes = '' OR $d.notes = notes THEN notes
                    ELSE IF notes = '' THEN $d.notes
                    ELSE notes + '\\n\\n' + $d.notes END,
                attributes = IF consented_on = NONE THEN $d.attributes ELSE attributes END,
                consented_on = IF consented_on = NONE THEN $d.consented_on ELSE consented_on END,
                updated_at = time::now();
             UPDATE stakeholder SET merged_into = $keep, updated_at = time::now() WHERE merged_into = $dup;
             {refs}
             COMMIT TRANSACTION;",
            refs = merge_references()
        );
        let res = self
            .db
            .query(sql)
            .bind(("keep", rid("stakeholder", keep)))
            .bind(("dup", rid("stakeholder", dup)))
            .await?;
        check_guarded(
            res,
            AppError::Conflict(
                "Both entries must still be in the directory (not erased or merged) to be merged."
                    .into(),
            ),
        )?;
        Ok(())
    }

    /// Erases a stakeholder and any entries merged into them: name, email, organization, title,
    /// notes, attributes and consent go; function and project links stay. Their email leaves
    /// the mail outbox too: messages still waiting for them are dropped, sent ones blanked,
    /// the address they left on feedback (to hear the team's response) and its unsubscribe
    /// tokens removed. Erasing twice keeps the first time. A missing or merged entry is not
    /// found.
    pub async fn erase(&self, key: &str) -> AppResult<()> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $s = (SELECT id, merged_into FROM ONLY $id);
                 IF $s = NONE OR $s.merged_into != NONE { THROW 'not found' };
                 LET $merged = SELECT VALUE id FROM stakeholder WHERE merged_into = $id;
                 LET $emails = array::distinct(array::concat(
                    (SELECT VALUE email FROM stakeholder WHERE (id = $id OR merged_into = $id) AND email != NONE),
                    (SELECT VALUE notify_email FROM feedback WHERE stakeholder IN array::concat([$id], $merged) AND notify_email != NONE)
                 ));
                 UPDATE $id SET name = $erased, email = NONE, organization = '', title = '', notes = '',
                    attributes = {}, consented_on = NONE, erased_at = erased_at ?? time::now(),
                    updated_at = time::now();
                 UPDATE stakeholder SET name = $erased, email = NONE, organization = '', title = '', notes = '',
                    attributes = {}, consented_on = NONE, erased_at = erased_at ?? time::now(),
                    updated_at = time::now()
                    WHERE merged_into = $id;
                 UPDATE feedback SET notify_email = NONE, notify_consented_at = NONE, notify_link = NONE
                    WHERE stakeholder IN array::concat([$id], $merged) AND notify_email != NONE RETURN NONE;
                 DELETE mail_outbox WHERE status = 'pending'
                    AND (stakeholder IN array::concat([$id], $merged) OR recipient IN $emails) RETURN NONE;
                 UPDATE mail_outbox SET recipient = $erased, subject = '', text = '', html = '', ics = NONE,
                    unsubscribe = NONE
                    WHERE stakeholder IN array::concat([$id], $merged) OR recipient IN $emails RETURN NONE;
                 DELETE mail_unsubscribe WHERE email IN $emails RETURN NONE;
                 COMMIT TRANSACTION;",
            )
            .bind(("id", rid("stakeholder", key)))
            .bind(("erased", ERASED_NAME.to_string()))
            .await?;
        check_guarded(res, AppError::not_found("Stakeholder"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
