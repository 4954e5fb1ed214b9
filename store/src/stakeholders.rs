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
        let from = if project.is_some() {
            "(SELECT VALUE stakeholder FROM stakeholder_link WHERE project = $project)"
        } else {
            "stakeholder"
        };
        let mut res = self
            .db
            .query(format!(
                "SELECT id, name, `function`, string::lowercase(name) AS sort_name FROM {from}
                 WHERE merged_into = NONE AND erased_at = NONE
                 ORDER BY sort_name ASC, id ASC"
            ))
            .bind(("project", project.map(|p| rid("project", p))))
            .await?
            .check()?;
        let rows: Vec<ChoiceRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| (key_of(&r.id), r.name, r.function))
            .collect())
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
    /// notes, attributes and consent go; function and project links stay. Erasing twice keeps
    /// the first time. A missing or merged entry is not found.
    pub async fn erase(&self, key: &str) -> AppResult<()> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $s = (SELECT id, merged_into FROM ONLY $id);
                 IF $s = NONE OR $s.merged_into != NONE { THROW 'not found' };
                 UPDATE $id SET name = $erased, email = NONE, organization = '', title = '', notes = '',
                    attributes = {}, consented_on = NONE, erased_at = erased_at ?? time::now(),
                    updated_at = time::now();
                 UPDATE stakeholder SET name = $erased, email = NONE, organization = '', title = '', notes = '',
                    attributes = {}, consented_on = NONE, erased_at = erased_at ?? time::now(),
                    updated_at = time::now()
                    WHERE merged_into = $id;
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
mod tests {
    use super::*;
    use domain::stakeholders::{Function, StakeholderForm};

    async fn repo(name: &str) -> StakeholderRepo {
        let db = crate::db::connect_isolated("mem://", name)
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        StakeholderRepo::new(db)
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
    }

    fn valid(name: &str, email: Option<&str>) -> ValidStakeholder {
        StakeholderForm {
            name: name.into(),
            email: email.map(str::to_string),
            organization: "Northwind Clinic".into(),
            title: "Nurse".into(),
            function: "end_user".into(),
            notes: "Met at the kickoff.".into(),
            ..StakeholderForm::default()
        }
        .validate(false, today())
        .expect("valid")
    }

    fn with_consent(mut v: ValidStakeholder) -> ValidStakeholder {
        v.consented_on = Some(Some(today()));
        v.attributes = Some(BTreeMap::from([(
            "gender".to_string(),
            "woman".to_string(),
        )]));
        v
    }

    #[tokio::test]
    async fn emails_are_unique_whatever_their_case() {
        let repo = repo("stakeholders_email").await;
        let a = repo
            .create(&valid("Robin", Some("robin@example.org")), &[])
            .await
            .expect("first");
        // No email at all may repeat.
        repo.create(&valid("No email 1", None), &[])
            .await
            .expect("none 1");
        repo.create(&valid("No email 2", None), &[])
            .await
            .expect("none 2");

        let mut dup = valid("Robin again", None);
        dup.email = Some(Some("ROBIN@Example.org".into()));
        let e = repo.create(&dup, &[]).await.expect_err("duplicate");
        assert_eq!(e.field_name(), Some("email"));

        let b = repo
            .create(&valid("Sam", Some("sam@example.org")), &[])
            .await
            .expect("second");
        let mut edit = valid("Sam", None);
        edit.email = Some(Some("Robin@EXAMPLE.org".into()));
        let e = repo.update(&b, &edit).await.expect_err("taken by a");
        assert_eq!(e.field_name(), Some("email"));
        assert_eq!(
            repo.get(&b)
                .await
                .expect("get")
                .expect("b")
                .email
                .as_deref(),
            Some("sam@example.org"),
            "the refused write changed nothing"
        );
        // Keeping one's own email is fine, in any case.
        let mut own = valid("Robin R.", None);
        own.email = Some(Some("ROBIN@example.org".into()));
        repo.update(&a, &own).await.expect("own email");
        let a_row = repo.get(&a).await.expect("get").expect("a");
        assert_eq!(a_row.name, "Robin R.");
        assert_eq!(a_row.email.as_deref(), Some("robin@example.org"));
    }

    #[tokio::test]
    async fn attributes_are_kept_only_with_consent() {
        let repo = repo("stakeholders_consent").await;
        // Without a consent date the repository stores no attributes, even if given some.
        let mut v = valid("Robin", None);
        v.attributes = Some(BTreeMap::from([(
            "gender".to_string(),
            "woman".to_string(),
        )]));
        let a = repo.create(&v, &[]).await.expect("create");
        assert!(
            repo.get(&a)
                .await
                .expect("get")
                .expect("a")
                .attributes
                .is_empty()
        );

        let b = repo
            .create(&with_consent(valid("Sam", None)), &[])
            .await
            .expect("create");
        let row = repo.get(&b).await.expect("get").expect("b");
        assert_eq!(row.consented_on, Some(today()));
        assert_eq!(
            row.attributes.get("gender").map(String::as_str),
            Some("woman")
        );

        // An edit that keeps consent keeps the attributes.
        repo.update(&b, &valid("Sam S.", None)).await.expect("edit");
        let row = repo.get(&b).await.expect("get").expect("b");
        assert_eq!(row.attributes.len(), 1);

        // Clearing the date (a withdrawal, as validated) deletes them in the same write.
        let withdrawal = StakeholderForm {
            name: "Sam S.".into(),
            function: "end_user".into(),
            attributes: Some("gender: woman".into()),
            consented_on: Some(String::new()),
            ..StakeholderForm::default()
        }
        .validate(true, today())
        .expect("valid");
        assert!(withdrawal.withdraws_consent);
        repo.update(&b, &withdrawal).await.expect("withdraw");
        let row = repo.get(&b).await.expect("get").expect("b");
        assert_eq!(row.consented_on, None);
        assert!(row.attributes.is_empty());

        // Even a raw edit that clears only the date loses the attributes.
        let c = repo
            .create(&with_consent(valid("Kim", None)), &[])
            .await
            .expect("create");
        let mut clear = valid("Kim", None);
        clear.consented_on = Some(None);
        repo.update(&c, &clear).await.expect("clear");
        assert!(
            repo.get(&c)
                .await
                .expect("get")
                .expect("c")
                .attributes
                .is_empty()
        );

        let d = repo
            .create(&with_consent(valid("Lee", None)), &[])
            .await
            .expect("create");
        repo.withdraw_consent(&d).await.expect("withdraw");
        let row = repo.get(&d).await.expect("get").expect("d");
        assert!(row.attributes.is_empty() && row.consented_on.is_none());
    }

    #[tokio::test]
    async fn erasing_keeps_function_and_links_and_reaches_merged_duplicates() {
        let repo = repo("stakeholders_erase").await;
        let mut v = with_consent(valid("Robin", Some("robin@example.org")));
        v.function = Function::DomainExpert;
        let a = repo
            .create(&v, &["alpha".into(), "beta".into()])
            .await
            .expect("create");
        let dup = repo
            .create(&valid("R. Example", None), &["gamma".into()])
            .await
            .expect("dup");
        repo.merge(&a, &dup).await.expect("merge");

        repo.erase(&a).await.expect("erase");
        let row = repo.get(&a).await.expect("get").expect("a");
        assert_eq!(row.name, ERASED_NAME);
        assert_eq!(row.email, None);
        assert_eq!(row.organization, "");
        assert_eq!(row.title, "");
        assert_eq!(row.notes, "");
        assert!(row.attributes.is_empty());
        assert_eq!(row.consented_on, None);
        assert!(row.erased_at.is_some());
        assert_eq!(row.function, "domain_expert");
        assert_eq!(row.project_keys(), vec!["alpha", "beta", "gamma"]);

        let dup_row = repo.get(&dup).await.expect("get").expect("dup");
        assert_eq!(dup_row.name, ERASED_NAME);
        assert_eq!(dup_row.organization, "");
        assert!(dup_row.erased_at.is_some());

        // Erased entries leave the directory unless asked for, and never appear as choices.
        let q = DirectoryQuery {
            limit: 50,
            ..DirectoryQuery::default()
        };
        assert!(
            repo.list(&q, &EmailScope::default())
                .await
                .expect("list")
                .is_empty()
        );
        let all = DirectoryQuery {
            include_erased: true,
            ..q
        };
        let listed = repo.list(&all, &EmailScope::default()).await.expect("list");
        assert_eq!(listed.len(), 1, "the merged duplicate stays hidden");
        assert!(repo.choices(None).await.expect("choices").is_empty());

        let first = row.erased_at;
        repo.erase(&a).await.expect("again");
        assert_eq!(
            repo.get(&a).await.expect("get").expect("a").erased_at,
            first
        );
        assert!(matches!(
            repo.erase("missing").await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(repo.erase(&dup).await, Err(AppError::NotFound(_))));
    }

    #[tokio::test]
    async fn merging_moves_review_attendees_and_unites_projects() {
        let repo = repo("stakeholders_merge").await;
        let keep = repo
            .create(
                &with_consent(valid("Robin Example", None)),
                &["alpha".into()],
            )
            .await
            .expect("keep");
        let dup = repo
            .create(
                &valid("R. Example", Some("r.example@example.org")),
                &["beta".into()],
            )
            .await
            .expect("dup");
        let other = repo
            .create(&valid("Sam", None), &["alpha".into()])
            .await
            .expect("other");
        let older = repo
            .create(&valid("Robin E.", None), &[])
            .await
            .expect("older");
        repo.merge(&dup, &older).await.expect("older into dup");

        // Rows as the sprints and quality modules store them, inserted raw.
        let review_sql = "CREATE review:['alpha', 3] SET project = project:alpha, sprint = sprint:['alpha', 3],
                held_on = d'2026-11-20T00:00:00Z', attendee_stakeholders = [$dup, $other], outcome = 'accepted',
                created_at = time::now(), updated_at = time::now();
             CREATE review:['beta', 1] SET project = project:beta, sprint = sprint:['beta', 1],
                held_on = d'2026-11-21T00:00:00Z', attendee_stakeholders = [$dup, $keep], outcome = 'no_decision',
                created_at = time::now(), updated_at = time::now();
             CREATE dq_issue:q1 SET project = project:alpha, dataset = 'admissions', severity = 'low',
                reporter = user:someone, source_owner = $dup, opened_on = d'2026-11-01T00:00:00Z', status = 'open',
                created_at = time::now(), updated_at = time::now();";
        repo.db
            .query(review_sql)
            .bind(("dup", rid("stakeholder", &dup)))
            .bind(("keep", rid("stakeholder", &keep)))
            .bind(("other", rid("stakeholder", &other)))
            .await
            .expect("insert")
            .check()
            .expect("inserted");

        repo.merge(&keep, &dup).await.expect("merge");

        let kept = repo.get(&keep).await.expect("get").expect("keep");
        assert_eq!(kept.name, "Robin Example");
        assert_eq!(kept.project_keys(), vec!["alpha", "beta"]);
        assert_eq!(
            kept.email.as_deref(),
            Some("r.example@example.org"),
            "the email moves over"
        );
        assert_eq!(
            kept.attributes.len(),
            1,
            "the kept entry's consent and attributes stay"
        );
        let gone = repo.get(&dup).await.expect("get").expect("dup");
        assert_eq!(gone.merged_into.as_ref().map(key_of), Some(keep.clone()));
        assert_eq!(gone.email, None);
        let older_row = repo.get(&older).await.expect("get").expect("older");
        assert_eq!(
            older_row.merged_into.as_ref().map(key_of),
            Some(keep.clone()),
            "chains collapse"
        );

        let mut res = repo
            .db
            .query("SELECT VALUE attendee_stakeholders FROM review ORDER BY id")
            .await
            .expect("select")
            .check()
            .expect("ok");
        let attendees: Vec<Vec<RecordId>> = res.take(0).expect("rows");
        let keys: Vec<Vec<String>> = attendees
            .iter()
            .map(|a| a.iter().map(key_of).collect())
            .collect();
        assert_eq!(
            keys,
            vec![vec![other.clone(), keep.clone()], vec![keep.clone()]]
        );
        let mut res = repo
            .db
            .query("SELECT VALUE source_owner FROM ONLY dq_issue:q1")
            .await
            .expect("select")
            .check()
            .expect("ok");
        let owner: Option<RecordId> = res.take(0).expect("owner");
        assert_eq!(owner.as_ref().map(key_of), Some(keep.clone()));

        let reviews = repo
            .attended_reviews(&keep, true, &[])
            .await
            .expect("reviews");
        assert_eq!(reviews.len(), 2);
        assert_eq!((reviews[0].0.as_str(), reviews[0].2), ("beta", 1));
        assert_eq!(
            reviews[0].3,
            NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
        );
        let only_alpha = repo
            .attended_reviews(&keep, false, &["alpha".to_string()])
            .await
            .expect("reviews");
        assert_eq!(only_alpha.len(), 1);
        assert_eq!((only_alpha[0].0.as_str(), only_alpha[0].2), ("alpha", 3));
        assert!(
            repo.attended_reviews(&dup, true, &[])
                .await
                .expect("none")
                .is_empty()
        );

        // Merged entries leave the directory and the choices; merging them again is refused.
        let q = DirectoryQuery {
            limit: 50,
            ..DirectoryQuery::default()
        };
        let listed: Vec<String> = repo
            .list(&q, &EmailScope::default())
            .await
            .expect("list")
            .iter()
            .map(StakeholderRecord::key)
            .collect();
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(&keep) && listed.contains(&other));
        assert!(matches!(
            repo.merge(&keep, &dup).await,
            Err(AppError::Conflict(_))
        ));
        assert!(repo.merge(&keep, &keep).await.is_err());
    }

    #[tokio::test]
    async fn the_directory_searches_filters_and_limits() {
        let repo = repo("stakeholders_search").await;
        let mut a = valid("Robin Example", Some("robin@example.org"));
        a.organization = "Northwind Clinic".into();
        let a = repo.create(&a, &["alpha".into()]).await.expect("a");
        let mut b = valid("Sam Sample", Some("sam@contoso.example"));
        b.organization = "Contoso".into();
        b.function = Function::DataOwner;
        let b = repo.create(&b, &["beta".into()]).await.expect("b");
        let limit = 50;
        let run = |q: &str, f: Option<Function>, p: Option<&str>, emails: EmailScope| {
            let filter = DirectoryQuery {
                q: q.to_lowercase(),
                function: f,
                project: p.map(str::to_string),
                include_erased: false,
                limit,
                after: None,
            };
            let repo = repo.clone();
            async move {
                repo.list(&filter, &emails)
                    .await
                    .expect("list")
                    .iter()
                    .map(StakeholderRecord::key)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            run("", None, None, EmailScope::default()).await,
            vec![a.clone(), b.clone()]
        );
        assert_eq!(
            run("NORTHWIND", None, None, EmailScope::default()).await,
            vec![a.clone()]
        );
        assert_eq!(
            run("", Some(Function::DataOwner), None, EmailScope::default()).await,
            vec![b.clone()]
        );
        assert_eq!(
            run("", None, Some("alpha"), EmailScope::default()).await,
            vec![a.clone()]
        );
        // Emails are searched only where the caller may see them.
        assert!(
            run("contoso.example", None, None, EmailScope::default())
                .await
                .is_empty()
        );
        let all = EmailScope {
            all: true,
            projects: vec![],
        };
        assert_eq!(
            run("contoso.example", None, None, all).await,
            vec![b.clone()]
        );
        let lead_alpha = EmailScope {
            all: false,
            projects: vec!["alpha".into()],
        };
        assert!(
            run("contoso.example", None, None, lead_alpha.clone())
                .await
                .is_empty()
        );
        assert_eq!(run("robin@", None, None, lead_alpha).await, vec![a.clone()]);

        let one = DirectoryQuery {
            limit: 1,
            ..DirectoryQuery::default()
        };
        assert_eq!(
            repo.list(&one, &EmailScope::default())
                .await
                .expect("list")
                .len(),
            2,
            "limit + 1"
        );
        let choices = repo.choices(Some("beta")).await.expect("choices");
        assert_eq!(
            choices,
            vec![(
                b.clone(),
                "Sam Sample".to_string(),
                "data_owner".to_string()
            )]
        );
    }

    /// A project's choices as a scan of every stakeholder's `projects` finds them.
    async fn scanned(repo: &StakeholderRepo, project: &str) -> Vec<ChoiceRecord> {
        let mut res = repo
            .db
            .query(
                "SELECT id, name, `function`, string::lowercase(name) AS sort_name FROM stakeholder
                 WHERE merged_into = NONE AND erased_at = NONE AND projects CONTAINS $project
                 ORDER BY sort_name ASC, id ASC",
            )
            .bind(("project", rid("project", project)))
            .await
            .expect("scan")
            .check()
            .expect("scanned");
        let rows: Vec<ChoiceRow> = res.take(0).expect("rows");
        rows.into_iter()
            .map(|r| (key_of(&r.id), r.name, r.function))
            .collect()
    }

    #[tokio::test]
    async fn a_projects_people_follow_every_change_of_their_links() {
        let repo = repo("stakeholders_links").await;
        let projects = ["alpha", "beta", "gamma"];
        let same = |what: &'static str| {
            let repo = &repo;
            async move {
                let mut linked = 0;
                for p in projects {
                    let got = repo.choices(Some(p)).await.expect("choices");
                    assert_eq!(got, scanned(repo, p).await, "{what}: {p}");
                    linked += got.len();
                }
                linked
            }
        };
        let a = repo
            .create(&valid("Ada", None), &["alpha".into(), "beta".into()])
            .await
            .expect("a");
        let b = repo
            .create(&valid("Bo", None), &["beta".into()])
            .await
            .expect("b");
        let c = repo.create(&valid("Cy", None), &[]).await.expect("c");
        assert_eq!(same("created").await, 3);
        repo.link(&c, "gamma").await.expect("link");
        repo.link(&c, "gamma").await.expect("link twice");
        assert_eq!(same("linked").await, 4);
        repo.unlink(&a, "beta").await.expect("unlink");
        assert_eq!(same("unlinked").await, 3);
        repo.merge(&b, &c).await.expect("merge");
        assert_eq!(
            same("merged").await,
            3,
            "Bo in beta and gamma, Ada in alpha"
        );
        repo.erase(&a).await.expect("erase");
        assert_eq!(same("erased").await, 2);
        repo.db
            .query("DELETE $id")
            .bind(("id", rid("stakeholder", &b)))
            .await
            .expect("delete")
            .check()
            .expect("deleted");
        assert_eq!(same("deleted").await, 0);
        let mut res = repo
            .db
            .query("RETURN count(SELECT id FROM stakeholder_link)")
            .await
            .expect("count")
            .check()
            .expect("counted");
        let links: Vec<i64> = res.take(0).expect("links");
        assert_eq!(
            links,
            vec![2],
            "the erased entry and the merged duplicate keep theirs"
        );
    }
}
