//! SurrealQL for feedback, invite links and rate-limit windows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{check_guarded, key_of, rid};
use crate::mail::{ENQUEUE_SQL, MailBinding};
use crate::sprints::SprintRecord;
use domain::error::{AppError, AppResult};
use domain::feedback::{
    Channel, FeedbackCategory, FeedbackItem, FeedbackStatus, Function, LinkSprint, OwnFeedback,
    SprintChoice, ValidContent, ValidFilter, ValidTriage, effective_function,
};

fn to_u32(n: Option<i64>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

/// A `feedback` row with the names it links to.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct FeedbackRecord {
    /// Record id.
    pub id: RecordId,
    /// Project.
    pub project: RecordId,
    /// Sprint number (joined).
    pub sprint_number: Option<i64>,
    /// Sprint name (joined).
    pub sprint_name: Option<String>,
    /// Stakeholder.
    pub stakeholder: Option<RecordId>,
    /// Stakeholder name (joined).
    pub stakeholder_name: Option<String>,
    /// Stakeholder function (joined).
    pub stakeholder_function: Option<String>,
    /// Name given through a link.
    pub author_name: Option<String>,
    /// Function given through a link.
    pub author_function: Option<String>,
    /// Channel.
    pub channel: String,
    /// Invite it came through.
    pub invite: Option<RecordId>,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// Rating.
    pub rating: Option<i64>,
    /// Text.
    pub body: String,
    /// Category.
    pub category: String,
    /// Status.
    pub status: String,
    /// Addressing sprint number (joined).
    pub addressed_in_number: Option<i64>,
    /// Response.
    pub response: Option<String>,
    /// When the response was written.
    pub responded_at: Option<DateTime<Utc>>,
    /// Whether the author asked to be told when the team responds.
    pub hears_back: Option<bool>,
}

impl From<FeedbackRecord> for FeedbackItem {
    fn from(r: FeedbackRecord) -> Self {
        let stakeholder_function = r
            .stakeholder_function
            .as_deref()
            .and_then(|f| f.parse().ok());
        let given = r.author_function.as_deref().and_then(|f| f.parse().ok());
        FeedbackItem {
            id: key_of(&r.id),
            sprint: to_u32(r.sprint_number).map(|n| (n, r.sprint_name.clone().unwrap_or_default())),
            stakeholder: r
                .stakeholder
                .as_ref()
                .map(|s| (key_of(s), r.stakeholder_name.clone().unwrap_or_default())),
            author_name: r.author_name,
            function: effective_function(
                if r.stakeholder.is_some() {
                    Some(stakeholder_function.unwrap_or(Function::Other))
                } else {
                    None
                },
                given,
            ),
            channel: r.channel.parse().unwrap_or(Channel::Link),
            via_invite: r.invite.is_some(),
            hears_back: r.hears_back.unwrap_or(false),
            submitted_at: r.submitted_at,
            rating: r.rating.and_then(|n| u8::try_from(n).ok()),
            body: r.body,
            category: r.category.parse().unwrap_or(FeedbackCategory::Other),
            status: r.status.parse().unwrap_or(FeedbackStatus::New),
            addressed_in: to_u32(r.addressed_in_number),
            response: r.response,
            responded_at: r.responded_at,
        }
    }
}

impl From<FeedbackRecord> for OwnFeedback {
    fn from(r: FeedbackRecord) -> Self {
        OwnFeedback {
            submitted_at: r.submitted_at,
            rating: r.rating.and_then(|n| u8::try_from(n).ok()),
            category: r.category.parse().unwrap_or(FeedbackCategory::Other),
            body: r.body,
            status: r.status.parse().unwrap_or(FeedbackStatus::New),
            addressed_in: to_u32(r.addressed_in_number),
            response: r.response,
            responded_at: r.responded_at,
        }
    }
}

const FIELDS: &str = "id, project, sprint.number AS sprint_number, sprint.name AS sprint_name, stakeholder, \
     stakeholder.name AS stakeholder_name, stakeholder.function AS stakeholder_function, author_name, \
     author_function, channel, invite, submitted_at, rating, body, category, status, \
     addressed_in.number AS addressed_in_number, response, responded_at, \
     notify_email != NONE AS hears_back";

/// [`FIELDS`] for a page of the inbox: the sprint numbers come from the record ids (a sprint's id
/// is `[project key, number]`) and the sprint names from the caller, so that no row reads its
/// sprint's record.
const INBOX_FIELDS: &str = "id, project, IF sprint != NONE THEN record::id(sprint)[1] END AS sprint_number, \
     NONE AS sprint_name, stakeholder, stakeholder.name AS stakeholder_name, \
     stakeholder.function AS stakeholder_function, author_name, author_function, channel, invite, \
     submitted_at, rating, body, category, status, \
     IF addressed_in != NONE THEN record::id(addressed_in)[1] END AS addressed_in_number, \
     response, responded_at, notify_email != NONE AS hears_back";

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SprintRow {
    id: RecordId,
    number: i64,
    name: String,
    goal: Option<String>,
    start_on: NaiveDate,
    end_on: NaiveDate,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NotifyRow {
    notify_email: String,
    notify_link: Option<String>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct CountRow {
    n: i64,
}

/// A sprint found for a project.
#[derive(Clone, Debug)]
pub struct FoundSprint {
    /// Record id.
    pub id: RecordId,
    /// As the link page shows it.
    pub info: LinkSprint,
}

/// Who gave feedback, as stored.
#[derive(Clone, Debug, Default)]
pub struct Author {
    /// A stakeholder id.
    pub stakeholder: Option<String>,
    /// A name given through a link or recorded by the team.
    pub name: Option<String>,
    /// A function given with the name.
    pub function: Option<Function>,
    /// The hash of an anonymous browser's cookie.
    pub browser_key: Option<String>,
    /// The address of a person who asked to be told when the team responds (given with
    /// their consent, whose time is stored with it).
    pub notify_email: Option<String>,
    /// The token of the link they used (kept with their consent, for the message's link back).
    pub notify_link: Option<String>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NewFeedback {
    project: RecordId,
    sprint: Option<RecordId>,
    stakeholder: Option<RecordId>,
    author_name: Option<String>,
    author_function: Option<String>,
    channel: String,
    invite: Option<RecordId>,
    submitted_at: DateTime<Utc>,
    rating: Option<i64>,
    body: String,
    category: String,
    browser_key: Option<String>,
    notify_email: Option<String>,
    notify_link: Option<String>,
    mails: Vec<MailBinding>,
}

/// Feedback, invites and rate limits.
#[derive(Clone)]
pub struct FeedbackRepo {
    db: Db,
}

impl FeedbackRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    // ---- sprints -------------------------------------------------------------------------

    /// A project's sprints, latest first, marking the one running on `today`.
    pub async fn sprints(&self, key: &str, today: NaiveDate) -> AppResult<Vec<SprintChoice>> {
        let mut res = self
            .db
            .query("SELECT id, number, name, goal, start_on, end_on FROM sprint WHERE project = $project ORDER BY number DESC")
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<SprintRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(SprintChoice {
                    number: u32::try_from(r.number).ok()?,
                    name: r.name,
                    current: r.start_on <= today && today <= r.end_on,
                })
            })
            .collect())
    }

    /// Sprint `number` of a project.
    pub async fn sprint(&self, key: &str, number: u32) -> AppResult<Option<FoundSprint>> {
        let mut res = self
            .db
            .query("SELECT id, number, name, goal, start_on, end_on FROM sprint WHERE project = $project AND number = $number LIMIT 1")
            .bind(("project", rid("project", key)))
            .bind(("number", i64::from(number)))
            .await?
            .check()?;
        let rows: Vec<SprintRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(found))
    }

    /// The sprint of a project running on `day` (start_on ≤ day ≤ end_on), the latest-starting
    /// one if sprints overlap.
    pub async fn running_sprint(
        &self,
        key: &str,
        day: NaiveDate,
    ) -> AppResult<Option<FoundSprint>> {
        let mut res = self
            .db
            .query(
                "SELECT id, number, name, goal, start_on, end_on FROM sprint
                 WHERE project = $project AND start_on <= $day AND end_on >= $day
                 ORDER BY start_on DESC, number DESC LIMIT 1",
            )
            .bind(("project", rid("project", key)))
            .bind(("day", day))
            .await?
            .check()?;
        let rows: Vec<SprintRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(found))
    }

    // ---- feedback ------------------------------------------------------------------------

    /// The project's feedback that passes `filter`, latest first, at most `limit` (+1 to tell
    /// whether there is more). The sprint names are taken from `sprints` (the project's sprints
    /// as the caller read them); a sprint not among them (made since) has its name read.
    pub async fn inbox(
        &self,
        key: &str,
        filter: &ValidFilter,
        after: Option<&str>,
        limit: usize,
        sprints: &[SprintRecord],
    ) -> AppResult<Vec<FeedbackRecord>> {
        let mut conditions = vec!["project = $project".to_string()];
        if after.is_some() {
            conditions.push(
                "($from.newest_first = NONE OR newest_first > $from.newest_first
                  OR (newest_first = $from.newest_first AND id > $from))"
                    .into(),
            );
        }
        if filter.status.is_some() {
            conditions.push("status = $status".into());
        }
        if filter.category.is_some() {
            conditions.push("category = $category".into());
        }
        match filter.rating {
            Some(Some(_)) => conditions.push("rating = $rating".into()),
            Some(None) => conditions.push("rating = NONE".into()),
            None => {}
        }
        match filter.sprint {
            Some(Some(_)) => conditions.push("sprint.number = $sprint".into()),
            Some(None) => conditions.push("sprint = NONE".into()),
            None => {}
        }
        if filter.function.is_some() {
            conditions
                .push("(stakeholder.function ?? author_function ?? 'other') = $function".into());
        }
        // Newest first through the (project, newest_first) index, read forwards.
        let sql = format!(
            "LET $from = IF $after = NONE {{ NONE }} ELSE {{ type::record('feedback', $after) }};
             SELECT {INBOX_FIELDS} FROM feedback WHERE {} ORDER BY newest_first ASC, id ASC LIMIT $limit",
            conditions.join(" AND ")
        );
        let mut res = self
            .db
            .query(sql)
            .bind(("project", rid("project", key)))
            .bind(("status", filter.status.map(|s| s.as_str().to_string())))
            .bind(("category", filter.category.map(|s| s.as_str().to_string())))
            .bind(("rating", filter.rating.flatten().map(i64::from)))
            .bind(("sprint", filter.sprint.flatten().map(i64::from)))
            .bind(("function", filter.function.map(|f| f.as_str().to_string())))
            .bind(("after", after.map(str::to_string)))
            .bind(("limit", i64::try_from(limit + 1).unwrap_or(i64::MAX)))
            .await?
            .check()?;
        let mut rows: Vec<FeedbackRecord> = res.take(1)?;
        let mut names: HashMap<i64, String> =
            sprints.iter().map(|s| (s.number, s.name.clone())).collect();
        for row in &mut rows {
            let Some(number) = row.sprint_number else {
                continue;
            };
            let name = match names.get(&number) {
                Some(name) => name.clone(),
                None => {
                    let read = match u32::try_from(number) {
                        Ok(n) => self.sprint(key, n).await?.map(|s| s.info.name),
                        Err(_) => None,
                    }
                    .unwrap_or_default();
                    names.insert(number, read.clone());
                    read
                }
            };
            row.sprint_name = Some(name);
        }
        Ok(rows)
    }

    /// How many items of a project are still `new`.
    pub async fn new_count(&self, key: &str) -> AppResult<u64> {
        let mut res = self
            .db
            .query("SELECT count() AS n FROM feedback WHERE project = $project AND status = 'new' GROUP ALL")
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let row: Option<CountRow> = res.take(0)?;
        Ok(row.map_or(0, |r| u64::try_from(r.n).unwrap_or(0)))
    }

    /// How many items are still `new` in the projects `user` is a member of.
    pub async fn new_count_for_member(&self, user: &str) -> AppResult<u64> {
        let mut res = self
            .db
            .query(
                "LET $projects = SELECT VALUE project FROM membership WHERE user = $user;
                 SELECT count() AS n FROM feedback WHERE project IN $projects AND status = 'new' GROUP ALL;",
            )
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        let row: Option<CountRow> = res.take(1)?;
        Ok(row.map_or(0, |r| u64::try_from(r.n).unwrap_or(0)))
    }

    /// One item of a project (`None` if it belongs to another project).
    pub async fn get(&self, key: &str, id: &str) -> AppResult<Option<FeedbackRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {FIELDS} FROM $id WHERE project = $project"))
            .bind(("id", rid("feedback", id)))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<FeedbackRecord> = res.take(0)?;
        Ok(rows.into_iter().next())
    }

    #[allow(clippy::too_many_arguments)]
    fn new_feedback(
        key: &str,
        sprint: Option<RecordId>,
        author: &Author,
        channel: Channel,
        invite: Option<RecordId>,
        submitted_at: DateTime<Utc>,
        content: &ValidContent,
        mails: Vec<MailBinding>,
    ) -> NewFeedback {
        NewFeedback {
            project: rid("project", key),
            sprint,
            stakeholder: author.stakeholder.as_deref().map(|s| rid("stakeholder", s)),
            author_name: author.name.clone(),
            author_function: author.function.map(|f| f.as_str().to_string()),
            channel: channel.as_str().to_string(),
            invite,
            submitted_at,
            rating: content.rating.map(i64::from),
            body: content.body.clone(),
            category: content.category.as_str().to_string(),
            browser_key: author.browser_key.clone(),
            notify_email: author.notify_email.clone(),
            notify_link: author.notify_email.as_ref().and(author.notify_link.clone()),
            mails,
        }
    }

    /// Records feedback the team heard (review, interview or team channel), with the
    /// messages it causes, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn create(
        &self,
        key: &str,
        sprint: Option<RecordId>,
        author: &Author,
        channel: Channel,
        submitted_at: DateTime<Utc>,
        content: &ValidContent,
        mails: Vec<MailBinding>,
    ) -> AppResult<String> {
        let mut res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $created = CREATE ONLY feedback CONTENT {{
                    project: $project, sprint: $sprint, stakeholder: $stakeholder, author_name: $author_name,
                    author_function: $author_function, channel: $channel, invite: $invite,
                    submitted_at: $submitted_at, rating: $rating, body: $body, category: $category,
                    status: 'new', browser_key: $browser_key, created_at: time::now(), updated_at: time::now()
                 }} RETURN VALUE id;
                 {ENQUEUE_SQL}
                 RETURN $created;
                 COMMIT TRANSACTION;"
            ))
            .bind(Self::new_feedback(
                key,
                sprint,
                author,
                channel,
                None,
                submitted_at,
                content,
                mails,
            ))
            .await?
            .check()?;
        let id: Option<RecordId> = res.take(3)?;
        id.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// Stores feedback sent through an invite (with the person's consent to be told of the
    /// team's response, if given), counts the use and queues the messages it causes, in one
    /// transaction that refuses a link revoked or expired in the meantime (as `closed`).
    pub async fn submit_via_invite(
        &self,
        invite: &InviteRecord,
        sprint: Option<RecordId>,
        author: &Author,
        content: &ValidContent,
        mails: Vec<MailBinding>,
        closed: AppError,
    ) -> AppResult<String> {
        let key = invite.project_key();
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $inv = SELECT revoked, expires_at FROM ONLY $invite;
                 IF $inv = NONE OR $inv.revoked OR $inv.expires_at <= time::now() {{ THROW 'invite closed' }};
                 LET $created = CREATE ONLY feedback CONTENT {{
                    project: $project, sprint: $sprint, stakeholder: $stakeholder, author_name: $author_name,
                    author_function: $author_function, channel: $channel, invite: $invite,
                    submitted_at: $submitted_at, rating: $rating, body: $body, category: $category,
                    status: 'new', browser_key: $browser_key, notify_email: $notify_email, notify_link: $notify_link,
                    notify_consented_at: IF $notify_email = NONE {{ NONE }} ELSE {{ time::now() }},
                    created_at: time::now(), updated_at: time::now()
                 }} RETURN VALUE id;
                 UPDATE $invite SET use_count += 1, updated_at = time::now();
                 {ENQUEUE_SQL}
                 RETURN $created;
                 COMMIT TRANSACTION;"
            ))
            .bind(Self::new_feedback(
                &key,
                sprint,
                author,
                Channel::Link,
                Some(invite.id.clone()),
                Utc::now(),
                content,
                mails,
            ))
            .await?;
        let mut res = check_guarded(res, closed)?;
        let id: Option<RecordId> = res.take(6)?;
        id.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// Applies a triage change. `responded_at` is the new response time (unchanged when the
    /// response is).
    /// With `mails`, the message to the person who asked to be told is queued in the same
    /// transaction.
    pub async fn triage(
        &self,
        id: &str,
        t: &ValidTriage,
        addressed_in: Option<RecordId>,
        responded_at: Option<DateTime<Utc>>,
        mails: Vec<MailBinding>,
    ) -> AppResult<()> {
        self.db
            .query(format!(
                "BEGIN TRANSACTION;
                 UPDATE $id SET status = $status, addressed_in = $addressed_in, response = $response,
                    responded_at = $responded_at, updated_at = time::now() RETURN NONE;
                 {ENQUEUE_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", rid("feedback", id)))
            .bind(("status", t.status.as_str().to_string()))
            .bind(("addressed_in", addressed_in))
            .bind(("response", t.response.clone()))
            .bind(("responded_at", responded_at))
            .bind(("mails", mails))
            .await?
            .check()?;
        Ok(())
    }

    /// The address of the person who asked to be told about an item, if they did, and the
    /// token of the link they used.
    pub async fn notify_target(&self, id: &str) -> AppResult<Option<(String, Option<String>)>> {
        let mut res = self
            .db
            .query("SELECT notify_email, notify_link FROM $id WHERE notify_email != NONE")
            .bind(("id", rid("feedback", id)))
            .await?
            .check()?;
        let rows: Vec<NotifyRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .next()
            .map(|r| (r.notify_email, r.notify_link)))
    }

    /// Adds a link author to the directory (name, function, linked to the project) and points
    /// the item at the new stakeholder, in one transaction. Returns the stakeholder id;
    /// `refused` when the item already has a stakeholder or no name.
    pub async fn add_author_to_directory(&self, id: &str, refused: AppError) -> AppResult<String> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $f = SELECT project, stakeholder, author_name, author_function FROM ONLY $id;
                 IF $f = NONE OR $f.stakeholder != NONE OR $f.author_name = NONE OR string::trim($f.author_name) = '' {
                     THROW 'not addable'
                 };
                 LET $s = CREATE ONLY stakeholder CONTENT {
                     name: $f.author_name, function: $f.author_function ?? 'other', projects: [$f.project],
                     created_at: time::now(), updated_at: time::now()
                 } RETURN VALUE id;
                 UPDATE $id SET stakeholder = $s, updated_at = time::now();
                 RETURN $s;
                 COMMIT TRANSACTION;",
            )
            .bind(("id", rid("feedback", id)))
            .await?;
        let mut res = check_guarded(res, refused)?;
        let s: Option<RecordId> = res.take(5)?;
        s.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// Deletes an item.
    pub async fn delete(&self, id: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id")
            .bind(("id", rid("feedback", id)))
            .await?
            .check()?;
        Ok(())
    }

    /// A stakeholder's feedback on a project, latest first.
    pub async fn by_stakeholder(
        &self,
        key: &str,
        stakeholder: &RecordId,
    ) -> AppResult<Vec<FeedbackRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {FIELDS} FROM feedback WHERE project = $project AND stakeholder = $stakeholder
                 ORDER BY submitted_at DESC LIMIT 200"
            ))
            .bind(("project", rid("project", key)))
            .bind(("stakeholder", stakeholder.clone()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// What one anonymous browser sent about a project, latest first.
    pub async fn by_browser(&self, key: &str, browser_key: &str) -> AppResult<Vec<FeedbackRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {FIELDS} FROM feedback WHERE project = $project AND browser_key = $browser_key
                 ORDER BY submitted_at DESC LIMIT 200"
            ))
            .bind(("project", rid("project", key)))
            .bind(("browser_key", browser_key.to_string()))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    // ---- rate limits ---------------------------------------------------------------------

    /// Counts one hit for `key` in the fixed window starting at `window_start` and returns the
    /// count so far. Older windows of the same key are removed.
    pub async fn hit(&self, key: &str, window_start: DateTime<Utc>) -> AppResult<i64> {
        let mut res = self
            .db
            .query(
                "DELETE rate_window WHERE key = $key AND window_start < $start;
                 UPSERT type::record('rate_window', [$key, $start])
                    SET key = $key, window_start = $start, count = (count ?? 0) + 1 RETURN VALUE count;",
            )
            .bind(("key", key.to_string()))
            .bind(("start", window_start))
            .await?
            .check()?;
        let counts: Vec<i64> = res.take(1)?;
        counts.first().copied().ok_or_else(AppError::internal)
    }
}

fn found(r: SprintRow) -> FoundSprint {
    FoundSprint {
        info: LinkSprint {
            number: u32::try_from(r.number).unwrap_or(0),
            name: r.name,
            goal: r.goal.unwrap_or_default(),
        },
        id: r.id,
    }
}

mod invites;
pub use invites::{INVITES_SQL, InviteRecord, InviteRow};

#[cfg(test)]
pub(crate) mod tests;
