//! SurrealQL for readiness checklists and data-quality issues.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{check_guarded, key_of, rid};
use domain::error::{AppError, AppResult};
use domain::quality::{
    DqIssue, DqSeverity, DqStatus, ReadinessEntry, ReadinessItem, SourceOwnerChoice, ValidDqIssue,
    ValidReadinessItem, age_days, m4_reasons,
};

/// One stored readiness item.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ItemRow {
    #[surreal(default)]
    done: bool,
    owner: Option<RecordId>,
    #[surreal(default)]
    note: String,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReadinessRow {
    #[surreal(default)]
    items: BTreeMap<String, Option<ItemRow>>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NameRow {
    id: RecordId,
    name: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct StakeholderRow {
    id: RecordId,
    name: String,
    function: String,
}

/// A `dq_issue` row with the names of its reporter and source owner.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct DqIssueRecord {
    /// `dq_issue:<id>`.
    pub id: RecordId,
    /// The project.
    pub project: RecordId,
    /// Dataset.
    pub dataset: String,
    /// Description.
    pub description: String,
    /// Dimension name.
    pub dimension: Option<String>,
    /// Severity name.
    pub severity: String,
    /// The creator.
    pub reporter: Option<RecordId>,
    /// The creator's name (joined).
    pub reporter_name: Option<String>,
    /// The stakeholder owning the source.
    pub source_owner: Option<RecordId>,
    /// Their name (joined).
    pub source_owner_name: Option<String>,
    /// Opened.
    pub opened_on: NaiveDate,
    /// Reported upstream.
    pub reported_upstream_on: Option<NaiveDate>,
    /// Status name.
    pub status: String,
    /// Resolved or declared won't-fix.
    pub resolved_on: Option<NaiveDate>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl DqIssueRecord {
    /// The DTO, with its age and M4 reasons on `as_of`.
    pub fn into_dto(self, as_of: NaiveDate) -> DqIssue {
        let severity: DqSeverity = self.severity.parse().unwrap_or(DqSeverity::Medium);
        DqIssue {
            id: key_of(&self.id),
            project: key_of(&self.project),
            dataset: self.dataset,
            description: self.description,
            dimension: self.dimension.and_then(|d| d.parse().ok()),
            severity,
            reporter: self.reporter.as_ref().map(key_of),
            reporter_name: self.reporter_name,
            source_owner: self.source_owner.as_ref().map(key_of),
            source_owner_name: self.source_owner_name,
            opened_on: self.opened_on,
            reported_upstream_on: self.reported_upstream_on,
            status: self.status.parse().unwrap_or_default(),
            resolved_on: self.resolved_on,
            created_at: self.created_at,
            updated_at: self.updated_at,
            age_days: age_days(self.opened_on, self.resolved_on, as_of),
            m4_red: m4_reasons(
                severity,
                self.opened_on,
                self.reported_upstream_on,
                self.resolved_on,
                as_of,
            ),
        }
    }
}

const DQ_FIELDS: &str = "id, project, dataset, description, dimension, severity, reporter, \
     reporter.name AS reporter_name, source_owner, source_owner.name AS source_owner_name, opened_on, \
     reported_upstream_on, status, resolved_on, created_at, updated_at";

/// Refuses a source owner that is not a live directory entry (inside a transaction).
const OWNER_GUARD: &str = "IF $owner != NONE AND (SELECT VALUE id FROM ONLY $owner WHERE erased_at = NONE AND merged_into = NONE) = NONE { THROW 'source owner' };";

fn owner_error() -> AppError {
    AppError::field("source_owner", "Choose a stakeholder from the directory.")
}

/// Readiness checklists and data-quality issues.
#[derive(Clone)]
pub struct QualityRepo {
    db: Db,
}

impl QualityRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// A project's checklist: the eight items in order, unsaved ones not done.
    pub async fn readiness(&self, key: &str) -> AppResult<Vec<ReadinessEntry>> {
        let mut res = self
            .db
            .query("SELECT items FROM ONLY $id")
            .bind(("id", rid("readiness", key)))
            .await?
            .check()?;
        let row: Option<ReadinessRow> = res.take(0)?;
        let mut stored = row.map(|r| r.items).unwrap_or_default();
        let owners: Vec<RecordId> = stored
            .values()
            .filter_map(|i| i.as_ref().and_then(|i| i.owner.clone()))
            .collect();
        let names = self.user_names(owners).await?;
        Ok(ReadinessItem::ALL
            .iter()
            .map(|item| match stored.remove(item.as_str()).flatten() {
                Some(row) => {
                    let owner = row.owner.as_ref().map(key_of);
                    ReadinessEntry {
                        item: *item,
                        done: row.done,
                        owner_name: owner.as_ref().and_then(|o| names.get(o).cloned()),
                        owner,
                        note: row.note,
                        updated_at: row.updated_at,
                    }
                }
                None => ReadinessEntry::empty(*item),
            })
            .collect())
    }

    async fn user_names(&self, ids: Vec<RecordId>) -> AppResult<BTreeMap<String, String>> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut res = self
            .db
            .query("SELECT id, name FROM $ids")
            .bind(("ids", ids))
            .await?
            .check()?;
        let rows: Vec<NameRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| (key_of(&r.id), r.name)).collect())
    }

    /// Saves one item of a project's checklist, creating the checklist on first use.
    pub async fn set_readiness_item(&self, key: &str, v: &ValidReadinessItem) -> AppResult<()> {
        // The item key is one of eight constants (a parsed enum), never user text.
        let item = v.item.as_str();
        let sql = format!(
            "UPSERT $id SET project = $project, items.{item} = {{ done: $done, owner: $owner, note: $note, updated_at: time::now() }},
                created_at = created_at ?? time::now(), updated_at = time::now()"
        );
        self.db
            .query(sql)
            .bind(("id", rid("readiness", key)))
            .bind(("project", rid("project", key)))
            .bind(("done", v.done))
            .bind(("owner", v.owner.as_deref().map(|o| rid("user", o))))
            .bind(("note", v.note.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// The live entries of the stakeholder directory, by name.
    pub async fn source_owners(&self) -> AppResult<Vec<SourceOwnerChoice>> {
        let mut res = self
            .db
            .query(
                "SELECT id, name, `function` FROM stakeholder WHERE erased_at = NONE AND merged_into = NONE ORDER BY name",
            )
            .await?
            .check()?;
        let rows: Vec<StakeholderRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| SourceOwnerChoice {
                id: key_of(&r.id),
                name: r.name,
                function: r.function.parse().unwrap_or_default(),
            })
            .collect())
    }

    /// A project's issues, newest first, optionally with one status and one severity.
    pub async fn list_issues(
        &self,
        key: &str,
        status: Option<DqStatus>,
        severity: Option<DqSeverity>,
    ) -> AppResult<Vec<DqIssueRecord>> {
        let mut filter = String::from("project = $project");
        if status.is_some() {
            filter.push_str(" AND status = $status");
        }
        if severity.is_some() {
            filter.push_str(" AND severity = $severity");
        }
        let mut res = self
            .db
            .query(format!(
                "SELECT {DQ_FIELDS} FROM dq_issue WHERE {filter} ORDER BY opened_on DESC, created_at DESC"
            ))
            .bind(("project", rid("project", key)))
            .bind(("status", status.map(|s| s.as_str().to_string())))
            .bind(("severity", severity.map(|s| s.as_str().to_string())))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// A project's issues open on `as_of` (opened by then, not closed by then).
    pub async fn open_issues(&self, key: &str, as_of: NaiveDate) -> AppResult<Vec<DqIssueRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {DQ_FIELDS} FROM dq_issue WHERE project = $project AND opened_on <= $as_of
                 AND (resolved_on = NONE OR resolved_on > $as_of) ORDER BY opened_on ASC"
            ))
            .bind(("project", rid("project", key)))
            .bind(("as_of", as_of))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// One issue by id, whatever its project.
    pub async fn get_issue(&self, id: &str) -> AppResult<Option<DqIssueRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {DQ_FIELDS} FROM ONLY $id"))
            .bind(("id", rid("dq_issue", id)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Records an issue; an unknown, erased or merged source owner is refused on `source_owner`.
    pub async fn create_issue(
        &self,
        key: &str,
        v: &ValidDqIssue,
        reporter: &str,
    ) -> AppResult<DqIssueRecord> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 {OWNER_GUARD}
                 LET $new = CREATE ONLY dq_issue CONTENT {{ project: $project, dataset: $dataset,
                    description: $description, dimension: $dimension, severity: $severity,
                    reporter: $reporter, source_owner: $owner, opened_on: $opened_on,
                    reported_upstream_on: $reported_upstream_on, status: $status, resolved_on: $resolved_on,
                    created_at: time::now(), updated_at: time::now() }};
                 SELECT {DQ_FIELDS} FROM ONLY $new.id;
                 COMMIT TRANSACTION;"
            ))
            .bind(("project", rid("project", key)))
            .bind(("reporter", rid("user", reporter)))
            .bind(fields(v))
            .await?;
        let mut res = check_guarded(res, owner_error())?;
        // Statements: BEGIN, the guard, LET, SELECT.
        let row: Option<DqIssueRecord> = res.take(3)?;
        row.ok_or_else(AppError::internal)
    }

    /// Replaces an issue's fields (the reporter stays).
    pub async fn update_issue(&self, key: &str, id: &str, v: &ValidDqIssue) -> AppResult<()> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 {OWNER_GUARD}
                 UPDATE $id SET dataset = $dataset, description = $description, dimension = $dimension,
                    severity = $severity, source_owner = $owner, opened_on = $opened_on,
                    reported_upstream_on = $reported_upstream_on, status = $status,
                    resolved_on = $resolved_on, updated_at = time::now()
                 WHERE project = $project;
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", rid("dq_issue", id)))
            .bind(("project", rid("project", key)))
            .bind(fields(v))
            .await?;
        check_guarded(res, owner_error())?;
        Ok(())
    }

    /// Deletes an issue of the project.
    pub async fn delete_issue(&self, key: &str, id: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id WHERE project = $project")
            .bind(("id", rid("dq_issue", id)))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        Ok(())
    }
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Fields {
    dataset: String,
    description: String,
    dimension: String,
    severity: String,
    owner: Option<RecordId>,
    opened_on: NaiveDate,
    reported_upstream_on: Option<NaiveDate>,
    status: String,
    resolved_on: Option<NaiveDate>,
}

fn fields(v: &ValidDqIssue) -> Fields {
    Fields {
        dataset: v.dataset.clone(),
        description: v.description.clone(),
        dimension: v.dimension.as_str().to_string(),
        severity: v.severity.as_str().to_string(),
        owner: v.source_owner.as_deref().map(|s| rid("stakeholder", s)),
        opened_on: v.opened_on,
        reported_upstream_on: v.reported_upstream_on,
        status: v.status.as_str().to_string(),
        resolved_on: v.resolved_on,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::format::DqDimension;
    use domain::quality::ReadinessItemForm;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    async fn repo(name: &str) -> (QualityRepo, Db) {
        let db = crate::db::connect_isolated("mem://", name)
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        db.query(
            "CREATE user:u1 CONTENT { email: 'kim@example.org', name: 'Kim Owner', role: 'member' };
             CREATE project:alpha CONTENT { key: 'alpha', name: 'Alpha', status: 'active', started_on: d'2026-01-05',
                target_iteration_days: 14, contact_threshold_days: 30, ml_needed: 'unknown',
                created_at: time::now(), updated_at: time::now() };
             CREATE project:beta CONTENT { key: 'beta', name: 'Beta', status: 'active', started_on: d'2026-01-05',
                target_iteration_days: 14, contact_threshold_days: 30, ml_needed: 'unknown',
                created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:s1 CONTENT { name: 'Pat Source', function: 'data_owner', created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:gone CONTENT { name: '', function: 'data_owner', erased_at: time::now(), created_at: time::now(), updated_at: time::now() };",
        )
        .await
        .expect("seed")
        .check()
        .expect("seed ok");
        (QualityRepo::new(db.clone()), db)
    }

    fn issue(
        status: DqStatus,
        severity: DqSeverity,
        opened: &str,
        resolved: Option<&str>,
    ) -> ValidDqIssue {
        ValidDqIssue {
            dataset: "admissions".into(),
            description: "Ward codes changed without notice.".into(),
            dimension: DqDimension::Consistency,
            severity,
            source_owner: None,
            opened_on: d(opened),
            reported_upstream_on: None,
            status,
            resolved_on: resolved.map(d),
        }
    }

    #[tokio::test]
    async fn readiness_items_are_saved_one_at_a_time() {
        let (repo, _db) = repo("quality_readiness").await;
        let empty = repo.readiness("alpha").await.expect("read");
        assert_eq!(empty.len(), 8);
        assert!(
            empty
                .iter()
                .all(|e| !e.done && e.owner.is_none() && e.note.is_empty())
        );

        let v = ReadinessItemForm {
            item: "monitoring_plan".into(),
            done: "true".into(),
            owner: "u1".into(),
            note: "Drift dashboard agreed".into(),
        }
        .validate()
        .expect("valid");
        repo.set_readiness_item("alpha", &v).await.expect("save");
        let v2 = ReadinessItemForm {
            item: "containerized".into(),
            done: "true".into(),
            ..Default::default()
        }
        .validate()
        .expect("valid");
        repo.set_readiness_item("alpha", &v2).await.expect("save 2");

        let items = repo.readiness("alpha").await.expect("read");
        let order: Vec<ReadinessItem> = items.iter().map(|e| e.item).collect();
        assert_eq!(order, ReadinessItem::ALL);
        let monitoring = &items[3];
        assert_eq!(monitoring.item, ReadinessItem::MonitoringPlan);
        assert!(monitoring.done);
        assert_eq!(monitoring.owner.as_deref(), Some("u1"));
        assert_eq!(monitoring.owner_name.as_deref(), Some("Kim Owner"));
        assert_eq!(monitoring.note, "Drift dashboard agreed");
        assert!(monitoring.updated_at.is_some());
        assert!(items[2].done, "containerized");
        assert_eq!(items.iter().filter(|e| e.done).count(), 2);

        // Unticking keeps the other items; another project is untouched.
        let undo = ReadinessItemForm {
            item: "monitoring_plan".into(),
            ..Default::default()
        }
        .validate()
        .expect("valid");
        repo.set_readiness_item("alpha", &undo).await.expect("undo");
        let items = repo.readiness("alpha").await.expect("read");
        assert!(!items[3].done);
        assert_eq!(items[3].owner, None);
        assert!(items[2].done);
        assert!(
            repo.readiness("beta")
                .await
                .expect("beta")
                .iter()
                .all(|e| !e.done)
        );
    }

    #[tokio::test]
    async fn issues_are_created_filtered_updated_and_deleted() {
        let (repo, db) = repo("quality_issues").await;
        let mut open = issue(DqStatus::Open, DqSeverity::High, "2026-10-01", None);
        open.source_owner = Some("s1".into());
        let a = repo
            .create_issue("alpha", &open, "u1")
            .await
            .expect("create");
        assert_eq!(a.reporter_name.as_deref(), Some("Kim Owner"));
        assert_eq!(a.source_owner_name.as_deref(), Some("Pat Source"));
        assert_eq!(a.opened_on, d("2026-10-01"));
        let b = repo
            .create_issue(
                "alpha",
                &issue(
                    DqStatus::Resolved,
                    DqSeverity::Low,
                    "2026-10-05",
                    Some("2026-10-20"),
                ),
                "u1",
            )
            .await
            .expect("create b");
        repo.create_issue(
            "beta",
            &issue(DqStatus::Open, DqSeverity::High, "2026-10-01", None),
            "u1",
        )
        .await
        .expect("create in beta");

        let all = repo.list_issues("alpha", None, None).await.expect("list");
        assert_eq!(all.len(), 2, "only alpha's issues");
        assert_eq!(key_of(&all[0].id), key_of(&b.id), "newest first");
        let open_only = repo
            .list_issues("alpha", Some(DqStatus::Open), None)
            .await
            .expect("open");
        assert_eq!(open_only.len(), 1);
        assert_eq!(key_of(&open_only[0].id), key_of(&a.id));
        let low = repo
            .list_issues("alpha", None, Some(DqSeverity::Low))
            .await
            .expect("low");
        assert_eq!(low.len(), 1);
        assert_eq!(key_of(&low[0].id), key_of(&b.id));
        assert!(
            repo.list_issues("alpha", Some(DqStatus::Open), Some(DqSeverity::Low))
                .await
                .expect("both")
                .is_empty()
        );

        let open_on = repo
            .open_issues("alpha", d("2026-10-10"))
            .await
            .expect("open on");
        assert_eq!(open_on.len(), 2, "b was still open on 10 October");
        let open_on = repo
            .open_issues("alpha", d("2026-11-29"))
            .await
            .expect("open on");
        assert_eq!(open_on.len(), 1);
        let dto = open_on[0].clone().into_dto(d("2026-11-29"));
        assert_eq!(dto.age_days, 59);
        assert_eq!(
            dto.m4_red,
            vec![
                domain::quality::M4Reason::SevereOverdue,
                domain::quality::M4Reason::NotReportedUpstream
            ]
        );

        // Update: close it.
        let a_id = key_of(&a.id);
        let mut closed = issue(
            DqStatus::WontFix,
            DqSeverity::High,
            "2026-10-01",
            Some("2026-11-02"),
        );
        closed.reported_upstream_on = Some(d("2026-10-03"));
        repo.update_issue("alpha", &a_id, &closed)
            .await
            .expect("update");
        let a2 = repo.get_issue(&a_id).await.expect("get").expect("exists");
        assert_eq!(a2.status, "wont_fix");
        assert_eq!(a2.resolved_on, Some(d("2026-11-02")));
        assert_eq!(a2.source_owner, None);
        assert_eq!(
            a2.reporter_name.as_deref(),
            Some("Kim Owner"),
            "reporter stays"
        );
        assert_eq!(a2.into_dto(d("2026-11-29")).age_days, 32);

        // Updating through another project changes nothing.
        repo.update_issue(
            "beta",
            &a_id,
            &issue(DqStatus::Open, DqSeverity::Low, "2026-10-01", None),
        )
        .await
        .expect("no-op");
        assert_eq!(
            repo.get_issue(&a_id)
                .await
                .expect("get")
                .expect("exists")
                .status,
            "wont_fix"
        );

        // The schema refuses a closed issue without a date, even past the service.
        let bad = db
            .query("UPDATE $id SET status = 'open'")
            .bind(("id", rid("dq_issue", &a_id)))
            .await
            .expect("query")
            .check();
        assert!(
            bad.is_err(),
            "open with resolved_on must be refused by the schema"
        );
        let c_id = key_of(&repo.list_issues("beta", None, None).await.expect("beta")[0].id);
        let bad = db
            .query("UPDATE $id SET status = 'resolved'")
            .bind(("id", rid("dq_issue", &c_id)))
            .await
            .expect("query")
            .check();
        assert!(
            bad.is_err(),
            "resolved without resolved_on must be refused by the schema"
        );

        repo.delete_issue("beta", &a_id)
            .await
            .expect("no-op delete");
        assert!(repo.get_issue(&a_id).await.expect("get").is_some());
        repo.delete_issue("alpha", &a_id).await.expect("delete");
        assert!(repo.get_issue(&a_id).await.expect("get").is_none());
    }

    #[tokio::test]
    async fn source_owners_come_from_the_live_directory() {
        let (repo, _db) = repo("quality_owners").await;
        let owners = repo.source_owners().await.expect("owners");
        assert_eq!(owners.len(), 1);
        assert_eq!(owners[0].id, "s1");
        assert_eq!(owners[0].function, domain::format::Function::DataOwner);

        for bad in ["gone", "nobody"] {
            let mut v = issue(DqStatus::Open, DqSeverity::Low, "2026-10-01", None);
            v.source_owner = Some(bad.into());
            let e = repo.create_issue("alpha", &v, "u1").await.expect_err(bad);
            assert_eq!(e.field_name(), Some("source_owner"), "{bad}");
        }
        assert!(
            repo.list_issues("alpha", None, None)
                .await
                .expect("list")
                .is_empty(),
            "nothing half-written"
        );
    }
}
