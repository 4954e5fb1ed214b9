//! SurrealQL for feedback, invite links and rate-limit windows.

use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{check_guarded, key_of, rid};
use crate::mail::{ENQUEUE_SQL, MailBinding};
use domain::error::{AppError, AppResult};
use domain::feedback::{
    Channel, FeedbackCategory, FeedbackItem, FeedbackStatus, Function, Invite, InviteState,
    LinkSprint, OwnFeedback, SprintChoice, ValidContent, ValidFilter, ValidTriage,
    effective_function,
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

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct InviteListRow {
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
    /// whether there is more).
    pub async fn inbox(
        &self,
        key: &str,
        filter: &ValidFilter,
        after: Option<&str>,
        limit: usize,
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
             SELECT {FIELDS} FROM feedback WHERE {} ORDER BY newest_first ASC, id ASC LIMIT $limit",
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
        Ok(res.take(1)?)
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

    // ---- invites -------------------------------------------------------------------------

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

    /// A project's invite links, newest first.
    pub async fn invites(&self, key: &str, now: DateTime<Utc>) -> AppResult<Vec<Invite>> {
        let mut res = self
            .db
            .query(
                "SELECT id, sprint.number AS sprint_number, sprint.name AS sprint_name,
                    stakeholder.name AS stakeholder_name, expires_at, revoked, use_count,
                    created_by.name AS created_by_name, created_at
                 FROM invite WHERE project = $project ORDER BY created_at DESC LIMIT 500",
            )
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<InviteListRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| Invite {
                id: key_of(&r.id),
                sprint: to_u32(r.sprint_number).map(|n| (n, r.sprint_name.unwrap_or_default())),
                stakeholder_name: r.stakeholder_name,
                expires_at: r.expires_at,
                state: InviteState::of(r.revoked, r.expires_at, now),
                use_count: u32::try_from(r.use_count).unwrap_or(0),
                created_by: r.created_by_name.unwrap_or_default(),
                created_at: r.created_at,
            })
            .collect())
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

#[cfg(test)]
pub(crate) mod tests;
