//! The import itself: check the whole source, then write it in batched transactions, or undo
//! what was written.
//!
//! 1. **Check.** The source is read once in a blocking thread (twice when a file lists its
//!    users or stakeholders after its projects) and every problem is collected with its JSON
//!    path ([`Checker`]). Only ids are kept: nothing of a project outlives its check.
//! 2. **Plan the rest.** Users and stakeholders are matched with the workspace's, project keys
//!    that exist already are refused (or, with replace, marked for replacement), all before
//!    anything is written.
//! 3. **Write.** The source is read again in a blocking thread that hands each project to the
//!    writer through a short channel. The writer turns it into rows and commits a transaction
//!    whenever about `tx_rows` rows have gathered: users and stakeholders first, then the
//!    projects in file order, each project's records in dependency order. The stakeholders'
//!    project links and the workspace time zone go with the last transaction. A project being
//!    replaced is deleted in the transaction that writes its first new rows. Transactions of
//!    project rows alone run two at a time (see [`Writer::commit`]); the others run alone.
//! 4. **Undo on failure.** If a transaction fails (or the source no longer reads as it did), the
//!    running ones are awaited, and the records of every committed transaction are deleted
//!    again, newest first, one transaction per committed one: by project for the projects'
//!    records, by id for users and stakeholders.
//!    The workspace ends as it was, except that projects being replaced in the committed
//!    transactions stay deleted.
//!
//! Every transaction sets `$bulk_import`, which switches off the per-row revision events, and
//! bumps the counters of the projects it touched once ([`bulk_project_revisions`]); those that
//! run alone, and the undo, also bump the catalog's and the directory's ([`bulk_revisions`]). A
//! project whose rows go on in the next transaction is bumped there only: two transactions
//! running beside each other that bump one counter conflict, and one of them runs again. A
//! project that the file's people are linked to is bumped in the last transaction, which writes
//! those links (they put people on the project's list, which the read cache keeps).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use surrealdb::types::{RecordId, SurrealValue, Value};

use super::source::{Head, ReadError, Source};
use super::validate::{Checked, Checker};
use super::{
    ActionRow, CountRow, DqRow, ExistingStakeholder, ExistingUser, FeedbackRow, HealthRow,
    ImportError, ImportIssue, ImportSummary, InsightRow, InterviewRow, LinkRow, NewMembershipRow,
    NewProjectRow, NewReadinessRow, NewSprintRow, NewStakeholderRow, NewUserRow, PROJECT_TABLES,
    ReadinessItemRow, RetroItemRow, RetroRow, ReviewRow, bulk_project_revisions, bulk_revisions,
    name_org, new_key, select_all,
};
use crate::db::{Db, key_of, rid};
use crate::projects::membership_id;
use crate::sprints::{retro_id, review_id, sprint_id};
use domain::error::AppError;
use domain::format::{self, Project, Workspace};
mod rows;
use rows::rows_of;

/// Projects waiting between the reading thread and the writer.
const CHANNEL: usize = 8;

/// Imports `source`: checks all of it, then writes all of it in transactions of about `tx_rows`
/// rows, or nothing. `extra` runs just before the last `COMMIT` (tests force failures with it).
pub(super) async fn run<S: Source>(
    db: &Db,
    source: S,
    replace: bool,
    extra: &str,
    tx_rows: usize,
) -> Result<ImportSummary, ImportError> {
    let (source, head, checked) = tokio::task::spawn_blocking(move || check(source))
        .await
        .map_err(|e| internal("checking", &e))??;
    if !checked.issues.is_empty() {
        return Err(ImportError::Invalid(checked.issues));
    }
    let plan = plan(db, &head.ws, &checked, replace).await?;
    write(db, source, plan, &checked, extra, tx_rows).await
}

fn internal(what: &str, e: &dyn std::fmt::Display) -> ImportError {
    tracing::error!(error = %e, "the import failed while {what}");
    ImportError::Db(AppError::internal())
}

/// Reads the whole source and checks it.
fn check<S: Source>(mut source: S) -> Result<(S, Head, Checked), ImportError> {
    let mut checker = Checker::default();
    let read = source.read(&mut |head, i, p| {
        checker.project(&head.ws, head.people, i, &p);
        ControlFlow::Continue(())
    });
    let head = match read {
        Ok(head) => head,
        Err(ReadError::Invalid(issue)) => {
            // What was found before the error is worth knowing too.
            let mut issues = vec![issue];
            issues.extend(
                checker
                    .finish(&Workspace::default())
                    .issues
                    .into_iter()
                    .filter(|i| i.path.starts_with("projects[")),
            );
            return Err(ImportError::Invalid(issues));
        }
        Err(ReadError::Stopped) => return Err(internal("checking", &"the reading stopped")),
    };
    if checker.deferred() {
        let again = source.read(&mut |_, i, p| {
            checker.contents(&head.ws, i, &p);
            ControlFlow::Continue(())
        });
        match again {
            Ok(_) => {}
            Err(ReadError::Invalid(issue)) => return Err(ImportError::Invalid(vec![issue])),
            Err(ReadError::Stopped) => return Err(internal("checking", &"the reading stopped")),
        }
    }
    let checked = checker.finish(&head.ws);
    Ok((source, head, checked))
}

/// What the import writes besides the projects, and how the file's ids map to records.
pub(super) struct Plan {
    now: DateTime<Utc>,
    users: HashMap<String, RecordId>,
    stakeholders: HashMap<String, RecordId>,
    /// Who records retro items and issues when a project has neither lead nor members.
    any_user: Option<RecordId>,
    /// The file's time zone, for interviews that name none.
    zone: String,
    replaced: HashSet<String>,
    new_users: Vec<NewUserRow>,
    new_stakeholders: Vec<NewStakeholderRow>,
    /// Every stakeholder's links to the imported projects, new entries and matched ones.
    links: Vec<LinkRow>,
    /// The keys of the projects those links name: the links are their last rows, so their
    /// counters move in the last transaction, once.
    linked: HashSet<String>,
    /// The workspace time zone, set only when the workspace has no project yet.
    time_zone: Option<String>,
    summary: ImportSummary,
}

/// Matches the file's users and stakeholders with the workspace's, and refuses project keys
/// that exist already (unless `replace`). Writes nothing.
async fn plan(
    db: &Db,
    ws: &Workspace,
    checked: &Checked,
    replace: bool,
) -> Result<Plan, ImportError> {
    let now = Utc::now();
    let mut issues = Vec::new();

    // Existing projects with the file's keys.
    let wanted: Vec<RecordId> = checked
        .projects
        .iter()
        .map(|p| rid("project", &p.key))
        .collect();
    let mut res = db
        .query("SELECT VALUE key FROM $ids; SELECT count() AS count FROM project GROUP ALL;")
        .bind(("ids", wanted))
        .await?
        .check()?;
    let existing_keys: Vec<String> = res.take(0)?;
    let project_count: Vec<CountRow> = res.take(1)?;
    let existing_keys: HashSet<String> = existing_keys.into_iter().collect();
    let mut replaced = HashSet::new();
    for (i, p) in checked.projects.iter().enumerate() {
        if existing_keys.contains(&p.key) {
            if replace {
                replaced.insert(p.key.clone());
            } else if issues.len() < super::validate::MAX_ISSUES {
                issues.push(ImportIssue::new(
                    format!("projects[{i}].key"),
                    format!(
                        "a project with key `{}` already exists (import with replace to replace it)",
                        p.key
                    ),
                ));
            }
        }
    }
    if !issues.is_empty() {
        return Err(ImportError::Invalid(issues));
    }
    let time_zone = project_count
        .first()
        .is_none_or(|c| c.count == 0)
        .then(|| ws.settings.time_zone.trim().to_string());
    let mut summary = ImportSummary::default();

    // Users: match on email.
    let existing_users: Vec<ExistingUser> = select_all(db, "SELECT id, email FROM user").await?;
    let by_email: HashMap<String, RecordId> = existing_users
        .iter()
        .map(|u| (domain::auth::normalize_email(&u.email), u.id.clone()))
        .collect();
    let mut users: HashMap<String, RecordId> = HashMap::new();
    let mut new_users = Vec::new();
    for u in &ws.users {
        let email = domain::auth::normalize_email(&u.email);
        if let Some(id) = by_email.get(&email) {
            users.insert(u.id.clone(), id.clone());
            summary.users_matched += 1;
        } else {
            let id = rid("user", &new_key());
            users.insert(u.id.clone(), id.clone());
            let name = if u.name.trim().is_empty() {
                email.split('@').next().unwrap_or_default().to_string()
            } else {
                u.name.trim().to_string()
            };
            new_users.push(NewUserRow {
                id,
                email,
                name,
                // No credentials: the user cannot sign in until an admin sets a temporary
                // password, which must then be changed.
                password_hash: None,
                role: u.role.as_str().to_string(),
                active: u.active,
                must_change_password: true,
                created_at: now,
                updated_at: now,
            });
            summary.users_created += 1;
        }
    }
    let any_user: Option<RecordId> = ws
        .users
        .first()
        .and_then(|u| users.get(&u.id).cloned())
        .or_else(|| existing_users.first().map(|u| u.id.clone()));
    if any_user.is_none() && !checked.needs_user.is_empty() {
        return Err(ImportError::Invalid(checked.needs_user.clone()));
    }

    // Stakeholders: match on email, else on name + organization (live entries only).
    let existing: Vec<ExistingStakeholder> = select_all(
        db,
        "SELECT id, name, email, organization FROM stakeholder WHERE erased_at = NONE AND merged_into = NONE",
    )
    .await?;
    let mut by_mail: HashMap<String, RecordId> = HashMap::new();
    let mut by_name: HashMap<(String, String), RecordId> = HashMap::new();
    for s in &existing {
        if let Some(e) = &s.email {
            by_mail.insert(domain::auth::normalize_email(e), s.id.clone());
        }
        by_name
            .entry(name_org(&s.name, &s.organization))
            .or_insert_with(|| s.id.clone());
    }
    let project_rid: HashMap<&str, RecordId> = checked
        .projects
        .iter()
        .map(|p| (p.id.as_str(), rid("project", &p.key)))
        .collect();
    let mut stakeholders: HashMap<String, RecordId> = HashMap::new();
    let mut new_stakeholders = Vec::new();
    // Links are written last, for new entries and matched ones alike, so that replacing a
    // project (which unlinks it from everyone) never undoes them.
    let mut links: BTreeMap<String, (RecordId, Vec<RecordId>)> = BTreeMap::new();
    for s in &ws.stakeholders {
        let erased = s.name.trim().is_empty();
        let email = s
            .email
            .as_deref()
            .map(domain::auth::normalize_email)
            .filter(|e| !e.is_empty());
        let found = if erased {
            None
        } else if let Some(e) = &email {
            by_mail.get(e).cloned()
        } else {
            by_name.get(&name_org(&s.name, &s.organization)).cloned()
        };
        let id = if let Some(id) = found {
            summary.stakeholders_matched += 1;
            id
        } else {
            let id = rid("stakeholder", &new_key());
            let consented = s.consented_on.filter(|_| !erased);
            new_stakeholders.push(NewStakeholderRow {
                id: id.clone(),
                name: if erased {
                    domain::stakeholders::ERASED_NAME.to_string()
                } else {
                    s.name.trim().to_string()
                },
                email: if erased { None } else { email },
                organization: if erased {
                    String::new()
                } else {
                    s.organization.trim().to_string()
                },
                title: if erased {
                    String::new()
                } else {
                    s.title.trim().to_string()
                },
                function: s.function.as_str().to_string(),
                projects: Vec::new(),
                notes: if erased {
                    String::new()
                } else {
                    s.notes.clone()
                },
                // Attributes are kept only with consent.
                attributes: if consented.is_some() {
                    s.attributes.clone()
                } else {
                    BTreeMap::new()
                },
                consented_on: consented,
                erased_at: erased.then_some(now),
                created_at: now,
                updated_at: now,
            });
            summary.stakeholders_created += 1;
            id
        };
        stakeholders.insert(s.id.clone(), id.clone());
        let entry = links
            .entry(key_of(&id))
            .or_insert_with(|| (id.clone(), Vec::new()));
        for p in s
            .projects
            .iter()
            .filter_map(|p| project_rid.get(p.as_str()))
        {
            if !entry.1.contains(p) {
                entry.1.push(p.clone());
            }
        }
    }
    let links: Vec<LinkRow> = links
        .into_values()
        .filter(|(_, p)| !p.is_empty())
        .map(|(id, projects)| LinkRow { id, projects })
        .collect();
    let linked = links
        .iter()
        .flat_map(|l| l.projects.iter().map(key_of))
        .collect();
    Ok(Plan {
        now,
        users,
        stakeholders,
        any_user,
        zone: ws.settings.time_zone.trim().to_string(),
        replaced,
        new_users,
        new_stakeholders,
        links,
        linked,
        time_zone,
        summary,
    })
}

/// Reads the source again and writes it; undoes everything on failure.
async fn write<S: Source>(
    db: &Db,
    mut source: S,
    plan: Plan,
    checked: &Checked,
    extra: &str,
    tx_rows: usize,
) -> Result<ImportSummary, ImportError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Project)>(CHANNEL);
    let reader = tokio::task::spawn_blocking(move || {
        source.read(&mut |_, i, p| {
            if tx.blocking_send((i, p)).is_ok() {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        })
    });
    let mut writer = Writer::new(db.clone(), plan, tx_rows);
    let mut result = writer.start().await;
    let mut count = 0;
    while result.is_ok() {
        let Some((i, p)) = rx.recv().await else { break };
        // The second reading must give the projects the first one checked.
        if checked
            .projects
            .get(i)
            .is_none_or(|r| r.key != p.key || r.id != p.id)
            || i != count
        {
            result = Err(changed());
            break;
        }
        count += 1;
        result = writer.project(&p).await;
    }
    // Stops the reader if the writer failed.
    drop(rx);
    let read = reader.await;
    let result = match (result, read) {
        (Err(e), _) => Err(e),
        (Ok(()), Err(e)) => Err(internal("reading", &e)),
        (Ok(()), Ok(Err(ReadError::Invalid(issue)))) => {
            tracing::warn!(%issue, "the import source read differently the second time");
            Err(changed())
        }
        (Ok(()), Ok(Err(ReadError::Stopped))) => Err(changed()),
        (Ok(()), Ok(Ok(_))) if count != checked.projects.len() => Err(changed()),
        (Ok(()), Ok(Ok(_))) => writer.finish(extra).await,
    };
    match result {
        Ok(()) => Ok(writer.summary),
        Err(e) => {
            writer.undo().await;
            Err(e)
        }
    }
}

fn changed() -> ImportError {
    ImportError::Invalid(vec![ImportIssue::new(
        "$",
        "the file changed while it was being imported",
    )])
}

/// The tables an import writes, in the order their rows are written.
const TABLES: [&str; 13] = [
    "user",
    "stakeholder",
    "project",
    "membership",
    "readiness",
    "sprint",
    "review",
    "retro",
    "retro_item",
    "action_item",
    "interview",
    "feedback",
    "dq_issue",
];
const USER: usize = 0;
const STAKEHOLDER: usize = 1;
const PROJECT: usize = 2;
const MEMBERSHIP: usize = 3;
const READINESS: usize = 4;
const SPRINT: usize = 5;
const REVIEW: usize = 6;
const RETRO: usize = 7;
const RETRO_ITEM: usize = 8;
const ACTION_ITEM: usize = 9;
const INTERVIEW: usize = 10;
const FEEDBACK: usize = 11;
const DQ_ISSUE: usize = 12;

/// The rows of the next transaction.
#[derive(Default)]
struct Batch {
    tables: [Vec<Value>; 13],
    rows: usize,
    /// Projects with rows here (or deleted here): their counters are bumped.
    keys: Vec<String>,
    /// Projects to delete first, because they are being replaced.
    replaced: Vec<String>,
    users: Vec<RecordId>,
    stakeholders: Vec<RecordId>,
}

impl Batch {
    fn push(&mut self, table: usize, row: Value, project: Option<&str>) {
        self.tables[table].push(row);
        self.rows += 1;
        if let Some(key) = project
            && self.keys.last().is_none_or(|k| k != key)
        {
            self.keys.push(key.to_string());
        }
    }
}

/// What one committed transaction wrote, for the undo.
struct Written {
    keys: Vec<String>,
    users: Vec<RecordId>,
    stakeholders: Vec<RecordId>,
}

/// Runs one import transaction, again after a lost write conflict (as every write does, see
/// [`crate::db::retry_conflicts`]; a failed transaction leaves nothing), and answers with what
/// it wrote.
async fn transact(
    db: Db,
    sql: String,
    binds: Vec<(String, Value)>,
    rows: usize,
    written: Written,
) -> Outcome {
    let (db, sql, binds) = (&db, sql.as_str(), &binds);
    let result = crate::db::retry_conflicts(|| async move {
        let mut query = db.query(sql);
        for bind in binds.iter().cloned() {
            query = query.bind(bind);
        }
        // The statement that failed explains the transaction (the others were not executed).
        crate::db::check_guarded(query.await?, AppError::internal()).map(drop)
    })
    .await
    .map_err(|e| {
        tracing::warn!(rows, error = %e.message(), "an import transaction failed");
        ImportError::Db(e)
    });
    (written, result)
}

/// Writes rows in transactions of about `size` rows and remembers what each committed.
struct Writer {
    db: Db,
    plan: Plan,
    size: usize,
    batch: Batch,
    done: Vec<Written>,
    /// Transactions sent and not yet answered (at most [`IN_FLIGHT`]), each in a task of its
    /// own, so that they run on the runtime's worker threads beside the writer.
    pending: FuturesUnordered<BoxFuture<'static, Outcome>>,
    summary: ImportSummary,
}

/// Transactions of project rows an import keeps running at once: while the database works on
/// one, the next is built and sent, so both cores work.
const IN_FLIGHT: usize = 2;

/// What a transaction wrote, and whether it committed.
type Outcome = (Written, Result<(), ImportError>);

impl Writer {
    fn new(db: Db, mut plan: Plan, size: usize) -> Self {
        let summary = std::mem::take(&mut plan.summary);
        Self {
            db,
            plan,
            size: size.max(1),
            batch: Batch::default(),
            done: Vec::new(),
            pending: FuturesUnordered::new(),
            summary,
        }
    }

    /// Adds a row; `more` says that more rows of the same project follow.
    async fn push(
        &mut self,
        table: usize,
        row: Value,
        project: Option<&str>,
        more: bool,
    ) -> Result<(), ImportError> {
        self.batch.push(table, row, project);
        if self.batch.rows >= self.size {
            let carried = project.filter(|_| more);
            self.commit(None, carried).await?;
        }
        Ok(())
    }

    /// The users and stakeholders, first.
    async fn start(&mut self) -> Result<(), ImportError> {
        for row in std::mem::take(&mut self.plan.new_users) {
            self.batch.users.push(row.id.clone());
            self.push(USER, row.into_value(), None, false).await?;
        }
        for row in std::mem::take(&mut self.plan.new_stakeholders) {
            self.batch.stakeholders.push(row.id.clone());
            self.push(STAKEHOLDER, row.into_value(), None, false)
                .await?;
        }
        Ok(())
    }

    /// One project with all its records.
    async fn project(&mut self, p: &Project) -> Result<(), ImportError> {
        let rows = rows_of(&self.plan, p, &mut self.summary)?;
        if self.plan.replaced.contains(&p.key) {
            self.summary.projects_replaced += 1;
            self.batch.replaced.push(p.key.clone());
            self.batch.keys.push(p.key.clone());
        }
        let count = rows.len();
        for (i, (table, row)) in rows.into_iter().enumerate() {
            self.push(table, row, Some(&p.key), i + 1 < count).await?;
        }
        Ok(())
    }

    /// The last transaction: what is left, the stakeholders' links, the time zone and `extra`.
    async fn finish(&mut self, extra: &str) -> Result<(), ImportError> {
        self.commit(Some(extra), None).await
    }

    /// Commits the batch as one transaction (the last one when `last` carries its extra
    /// statements).
    ///
    /// A batch of project rows alone is sent while up to [`IN_FLIGHT`] − 1 others are still
    /// running; it bumps only its projects' counters, except `carried`, the project whose rows
    /// go on in the next transaction: that one is bumped there, once all of its rows are in.
    /// (When both bumped it, the two transactions conflicted on the counter and one ran again;
    /// a lost race still runs again, and a failed transaction leaves nothing.) Every other batch
    /// (people, a project being replaced, the last) waits until those before it are done and
    /// runs alone, so that a replacement's deletions never meet new rows of the same project in
    /// a transaction beside it; it also bumps the catalog's and the directory's counters.
    async fn commit(
        &mut self,
        last: Option<&str>,
        carried: Option<&str>,
    ) -> Result<(), ImportError> {
        let batch = std::mem::take(&mut self.batch);
        let rows = batch.rows;
        let alone = last.is_some()
            || !batch.replaced.is_empty()
            || !batch.users.is_empty()
            || !batch.stakeholders.is_empty();
        let mut sql = String::from("BEGIN TRANSACTION;\nLET $bulk_import = true;\n");
        let mut binds: Vec<(String, Value)> = Vec::new();
        if !batch.replaced.is_empty() {
            let ids: Vec<RecordId> = batch.replaced.iter().map(|k| rid("project", k)).collect();
            let calendars: Vec<RecordId> = batch
                .replaced
                .iter()
                .map(|k| rid("calendar_token", k))
                .collect();
            for table in PROJECT_TABLES {
                // Table names are constants of this module, never user input.
                sql.push_str(&format!("DELETE {table} WHERE project IN $replaced;\n"));
            }
            sql.push_str("DELETE $replaced_calendars;\nDELETE $replaced;\n");
            sql.push_str(
                "UPDATE stakeholder SET projects = array::complement(projects, $replaced), updated_at = time::now()
                    WHERE projects CONTAINSANY $replaced;\n",
            );
            binds.push(("replaced".into(), ids.into_value()));
            binds.push(("replaced_calendars".into(), calendars.into_value()));
        }
        for (n, rows) in batch.tables.into_iter().enumerate() {
            if !rows.is_empty() {
                sql.push_str(&format!("INSERT INTO {} $rows_{n};\n", TABLES[n]));
                binds.push((format!("rows_{n}"), Value::Array(rows.into())));
            }
        }
        if let Some(extra) = last {
            if !self.plan.links.is_empty() {
                // The links put people on the lists of their projects: the last rows of those
                // projects, whose counters move here (and not in the transactions before).
                sql.push_str(
                    "FOR $link IN $links { UPDATE $link.id SET projects = array::union(projects, $link.projects), updated_at = time::now() };
FOR $p IN array::distinct(array::flatten($links.projects)) { UPSERT type::record('revision', record::id($p)) SET n += 1, dirty = true; };\n",
                );
                binds.push((
                    "links".into(),
                    std::mem::take(&mut self.plan.links).into_value(),
                ));
            }
            if let Some(tz) = &self.plan.time_zone {
                sql.push_str("UPSERT setting:workspace CONTENT { time_zone: $time_zone, updated_at: time::now() };\n");
                binds.push(("time_zone".into(), tz.clone().into_value()));
            }
            sql.push_str(extra);
        }
        if alone {
            sql.push_str(&bulk_revisions());
        } else {
            sql.push_str(bulk_project_revisions());
        }
        let bump: Vec<String> = batch
            .keys
            .iter()
            .filter(|k| Some(k.as_str()) != carried && !self.plan.linked.contains(*k))
            .cloned()
            .collect();
        binds.push(("bump_projects".into(), bump.into_value()));
        sql.push_str("COMMIT TRANSACTION;");
        let written = Written {
            keys: batch.keys,
            users: batch.users,
            stakeholders: batch.stakeholders,
        };
        let projects = written.keys.clone();
        let send = transact(self.db.clone(), sql, binds, rows, written);
        if alone {
            self.settle(0).await?;
            let (written, result) = send.await;
            result?;
            self.done.push(written);
        } else {
            self.settle(IN_FLIGHT - 1).await?;
            let task = tokio::spawn(send);
            self.pending.push(Box::pin(async move {
                task.await.unwrap_or_else(|e| {
                    let written = Written {
                        keys: projects,
                        users: Vec::new(),
                        stakeholders: Vec::new(),
                    };
                    (written, Err(internal("writing", &e)))
                })
            }));
        }
        Ok(())
    }

    /// Waits until at most `left` transactions are still running; the first failure among
    /// those that ended.
    async fn settle(&mut self, left: usize) -> Result<(), ImportError> {
        let mut failure = None;
        while self.pending.len() > left {
            let Some((written, result)) = self.pending.next().await else {
                break;
            };
            if let Err(e) = result {
                failure.get_or_insert(e);
            }
            // A failed transaction wrote nothing, but its projects (new ones: a project being
            // replaced is never written beside another transaction) are deleted with the rest
            // anyway: that costs nothing and covers a task that panicked after its commit.
            self.done.push(written);
        }
        failure.map_or(Ok(()), Err)
    }

    /// Deletes what the committed transactions wrote, newest first, one transaction each.
    async fn undo(&mut self) {
        // What is still running commits or not; what commits is deleted with the rest.
        let _ = self.settle(0).await;
        if self.done.is_empty() {
            return;
        }
        let mut failed = false;
        for written in self.done.drain(..).rev() {
            let mut sql = String::from("BEGIN TRANSACTION;\nLET $bulk_import = true;\n");
            for table in PROJECT_TABLES {
                sql.push_str(&format!("DELETE {table} WHERE project IN $projects;\n"));
            }
            sql.push_str(
                "DELETE $calendars;\nDELETE $projects;\nDELETE $users;\nDELETE $stakeholders;\n",
            );
            sql.push_str(&bulk_revisions());
            sql.push_str("COMMIT TRANSACTION;");
            let projects: Vec<RecordId> = written.keys.iter().map(|k| rid("project", k)).collect();
            let calendars: Vec<RecordId> = written
                .keys
                .iter()
                .map(|k| rid("calendar_token", k))
                .collect();
            let result = self
                .db
                .query(sql)
                .bind(("projects", projects))
                .bind(("calendars", calendars))
                .bind(("users", written.users))
                .bind(("stakeholders", written.stakeholders))
                .bind(("bump_projects", written.keys))
                .await
                .and_then(surrealdb::IndexedResults::check);
            if let Err(e) = result {
                tracing::error!(error = %e, "an import failed part-way and part of what it wrote could not be deleted");
                failed = true;
            }
        }
        if !failed {
            tracing::warn!("an import failed part-way; what it had written was deleted");
        }
    }
}
