//! SurrealQL for interviews, their insights and the projects' calendar tokens.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{key_of, rid};
use domain::error::{AppError, AppResult};
use domain::interviews::{
    Function, Insight, Interview, InterviewKind, InterviewStatus, Interviewer, Participant,
    StakeholderChoice, ValidInterview, local_strings,
};

/// An insight as stored.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct InsightRecord {
    /// Text.
    pub text: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// An `interview` row with the names of the people and the project it links to.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct InterviewRecord {
    /// Record id.
    pub id: RecordId,
    /// Project.
    pub project: RecordId,
    /// Project name (joined).
    pub project_name: Option<String>,
    /// Participants.
    pub participants: Vec<RecordId>,
    /// Their names (joined, same order).
    pub participant_names: Vec<Option<String>>,
    /// Their functions (joined, same order).
    pub participant_functions: Vec<Option<String>>,
    /// Interviewers.
    pub interviewers: Vec<RecordId>,
    /// Their names (joined, same order).
    pub interviewer_names: Vec<Option<String>>,
    /// Start, UTC.
    pub scheduled_at: DateTime<Utc>,
    /// IANA zone.
    pub time_zone: String,
    /// Minutes.
    pub duration_min: i64,
    /// Kind name.
    pub kind: String,
    /// Status name.
    pub status: String,
    /// Markdown notes.
    pub notes: String,
    /// Insights.
    pub insights: Vec<InsightRecord>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

fn display_name(name: Option<&String>) -> String {
    match name.map(|n| n.trim()) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => "Erased".to_string(),
    }
}

impl From<InterviewRecord> for Interview {
    fn from(r: InterviewRecord) -> Self {
        let (local_start, local_input) = local_strings(r.scheduled_at, &r.time_zone);
        let participants = r
            .participants
            .iter()
            .enumerate()
            .map(|(i, id)| Participant {
                id: key_of(id),
                name: display_name(r.participant_names.get(i).and_then(Option::as_ref)),
                function: r
                    .participant_functions
                    .get(i)
                    .and_then(|f| f.as_deref())
                    .and_then(|f| f.parse().ok())
                    .unwrap_or(Function::Other),
            })
            .collect();
        let interviewers = r
            .interviewers
            .iter()
            .enumerate()
            .map(|(i, id)| Interviewer {
                id: key_of(id),
                name: display_name(r.interviewer_names.get(i).and_then(Option::as_ref)),
            })
            .collect();
        Interview {
            id: key_of(&r.id),
            project: key_of(&r.project),
            project_name: r.project_name.unwrap_or_default(),
            participants,
            interviewers,
            scheduled_at: r.scheduled_at,
            local_start,
            local_input,
            time_zone: r.time_zone,
            duration_min: u32::try_from(r.duration_min)
                .unwrap_or(domain::interviews::DEFAULT_DURATION),
            kind: r.kind.parse().unwrap_or(InterviewKind::Discovery),
            status: r.status.parse().unwrap_or(InterviewStatus::Scheduled),
            notes_html: crate::markdown::render(&r.notes),
            notes: r.notes,
            insights: r
                .insights
                .into_iter()
                .map(|i| Insight {
                    text: i.text,
                    tags: i.tags,
                })
                .collect(),
            updated_at: r.updated_at,
        }
    }
}

const FIELDS: &str = "id, project, project.name AS project_name, participants, \
     participants.name AS participant_names, participants.function AS participant_functions, \
     interviewers, interviewers.name AS interviewer_names, scheduled_at, time_zone, duration_min, \
     kind, status, notes, insights, updated_at";

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ChoiceRow {
    id: RecordId,
    name: String,
    function: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct TokenRow {
    id: RecordId,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SinceRow {
    created_at: DateTime<Utc>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct InterviewFields {
    participants: Vec<RecordId>,
    interviewers: Vec<RecordId>,
    scheduled_at: DateTime<Utc>,
    time_zone: String,
    duration_min: i64,
    kind: String,
    status: String,
    notes: String,
}

/// A person added to the directory while scheduling.
#[derive(Clone, Debug)]
pub struct NewPerson {
    /// Name.
    pub name: String,
    /// Function.
    pub function: Function,
}

/// Interviews and calendar tokens.
#[derive(Clone)]
pub struct InterviewRepo {
    db: Db,
}

impl InterviewRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn fields(
        v: &ValidInterview,
        scheduled_at: DateTime<Utc>,
        time_zone: &str,
        interviewers: &[String],
    ) -> InterviewFields {
        InterviewFields {
            participants: v
                .participants
                .iter()
                .map(|p| rid("stakeholder", p))
                .collect(),
            interviewers: interviewers.iter().map(|u| rid("user", u)).collect(),
            scheduled_at,
            time_zone: time_zone.to_string(),
            duration_min: i64::from(v.duration_min),
            kind: v.kind.as_str().to_string(),
            status: v.status.as_str().to_string(),
            notes: v.notes.clone(),
        }
    }

    /// Creates an interview, adding `new_person` to the directory (linked to the project) in the
    /// same transaction when given. Returns the interview's id.
    pub async fn create(
        &self,
        key: &str,
        v: &ValidInterview,
        scheduled_at: DateTime<Utc>,
        time_zone: &str,
        interviewers: &[String],
        new_person: Option<&NewPerson>,
    ) -> AppResult<String> {
        let mut res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $extra = IF $person_name != NONE {
                     [(CREATE ONLY stakeholder CONTENT {
                         name: $person_name, function: $person_function, projects: [$project],
                         created_at: time::now(), updated_at: time::now()
                     } RETURN VALUE id)]
                 } ELSE { [] };
                 LET $created = CREATE ONLY interview CONTENT {
                     project: $project, participants: array::concat($participants, $extra),
                     interviewers: $interviewers, scheduled_at: $scheduled_at, time_zone: $time_zone,
                     duration_min: $duration_min, kind: $kind, status: $status, notes: $notes,
                     insights: [], created_at: time::now(), updated_at: time::now()
                 } RETURN VALUE id;
                 RETURN $created;
                 COMMIT TRANSACTION;",
            )
            .bind(("project", rid("project", key)))
            .bind(("person_name", new_person.map(|p| p.name.clone())))
            .bind(("person_function", new_person.map(|p| p.function.as_str().to_string())))
            .bind(Self::fields(v, scheduled_at, time_zone, interviewers))
            .await?
            .check()?;
        let id: Option<RecordId> = res.take(3)?;
        id.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// Replaces an interview's fields (not its insights).
    pub async fn update(
        &self,
        id: &str,
        v: &ValidInterview,
        scheduled_at: DateTime<Utc>,
        time_zone: &str,
        interviewers: &[String],
    ) -> AppResult<()> {
        self.db
            .query(
                "UPDATE $id SET participants = $participants, interviewers = $interviewers,
                    scheduled_at = $scheduled_at, time_zone = $time_zone, duration_min = $duration_min,
                    kind = $kind, status = $status, notes = $notes, updated_at = time::now()",
            )
            .bind(("id", rid("interview", id)))
            .bind(Self::fields(v, scheduled_at, time_zone, interviewers))
            .await?
            .check()?;
        Ok(())
    }

    /// Sets the status.
    pub async fn set_status(&self, id: &str, status: InterviewStatus) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET status = $status, updated_at = time::now()")
            .bind(("id", rid("interview", id)))
            .bind(("status", status.as_str().to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Deletes an interview.
    pub async fn delete(&self, id: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id")
            .bind(("id", rid("interview", id)))
            .await?
            .check()?;
        Ok(())
    }

    /// One interview of a project (`None` if it belongs to another project).
    pub async fn get(&self, key: &str, id: &str) -> AppResult<Option<InterviewRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {FIELDS} FROM $id WHERE project = $project"))
            .bind(("id", rid("interview", id)))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<InterviewRecord> = res.take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Every interview of a project, earliest first.
    pub async fn list_project(&self, key: &str) -> AppResult<Vec<InterviewRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {FIELDS} FROM interview WHERE project = $project ORDER BY scheduled_at ASC"
            ))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// A project's interviews from `since` on, for its calendar feed, earliest first.
    pub async fn list_since(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<InterviewRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {FIELDS} FROM interview WHERE project = $project AND scheduled_at >= $since
                 ORDER BY scheduled_at ASC LIMIT 2000"
            ))
            .bind(("project", rid("project", key)))
            .bind(("since", since))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Scheduled interviews from `now` on, in the given projects (`None`: every project), by
    /// time then id: at most `limit` + 1 of them (so the caller can tell whether more follow),
    /// starting after the interview `after` names. Reads the `scheduled_at` index from `now`.
    pub async fn upcoming(
        &self,
        projects: Option<&[String]>,
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> AppResult<Vec<InterviewRecord>> {
        let ids: Option<Vec<RecordId>> =
            projects.map(|keys| keys.iter().map(|k| rid("project", k)).collect());
        let mut res = self
            .db
            .query(format!(
                "LET $from = IF $after = NONE {{ NONE }} ELSE {{ type::record('interview', $after) }};
                 LET $from_at = $from.scheduled_at;
                 SELECT {FIELDS} FROM interview WHERE scheduled_at >= $now AND status = 'scheduled'
                   AND ($projects = NONE OR project IN $projects)
                   AND ($from_at = NONE OR scheduled_at > $from_at OR (scheduled_at = $from_at AND id > $from))
                 ORDER BY scheduled_at ASC, id ASC LIMIT $limit"
            ))
            .bind(("projects", ids))
            .bind(("now", now))
            .bind(("after", after.map(str::to_string)))
            .bind(("limit", i64::try_from(limit + 1).unwrap_or(i64::MAX)))
            .await?
            .check()?;
        Ok(res.take(2)?)
    }

    /// Appends an insight.
    pub async fn add_insight(&self, id: &str, insight: &Insight) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET insights = array::append(insights, { text: $text, tags: $tags }), updated_at = time::now()")
            .bind(("id", rid("interview", id)))
            .bind(("text", insight.text.clone()))
            .bind(("tags", insight.tags.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// Replaces the insights (after removing one).
    pub async fn set_insights(&self, id: &str, insights: &[Insight]) -> AppResult<()> {
        let recs: Vec<InsightRecord> = insights
            .iter()
            .map(|i| InsightRecord {
                text: i.text.clone(),
                tags: i.tags.clone(),
            })
            .collect();
        self.db
            .query("UPDATE $id SET insights = $insights, updated_at = time::now()")
            .bind(("id", rid("interview", id)))
            .bind(("insights", recs))
            .await?
            .check()?;
        Ok(())
    }

    /// Stakeholders that may take part: in the directory, not erased, not merged away.
    pub async fn stakeholder_choices(&self) -> AppResult<Vec<StakeholderChoice>> {
        let mut res = self
            .db
            .query(
                "SELECT id, name, `function`, string::lowercase(name) AS sort_name FROM stakeholder
                 WHERE erased_at = NONE AND merged_into = NONE ORDER BY sort_name ASC, id ASC",
            )
            .await?
            .check()?;
        let rows: Vec<ChoiceRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| StakeholderChoice {
                id: key_of(&r.id),
                name: r.name,
                function: r.function.parse().unwrap_or(Function::Other),
            })
            .collect())
    }

    /// Which of the given stakeholder ids name live directory entries.
    pub async fn live_stakeholders(&self, ids: &[String]) -> AppResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<RecordId> = ids.iter().map(|i| rid("stakeholder", i)).collect();
        let mut res = self
            .db
            .query("SELECT VALUE id FROM $ids WHERE erased_at = NONE AND merged_into = NONE")
            .bind(("ids", ids))
            .await?
            .check()?;
        let found: Vec<RecordId> = res.take(0)?;
        Ok(found.iter().map(key_of).collect())
    }

    /// Which of the given user ids name active users.
    pub async fn active_users(&self, ids: &[String]) -> AppResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<RecordId> = ids.iter().map(|i| rid("user", i)).collect();
        let mut res = self
            .db
            .query("SELECT VALUE id FROM $ids WHERE active = true")
            .bind(("ids", ids))
            .await?
            .check()?;
        let found: Vec<RecordId> = res.take(0)?;
        Ok(found.iter().map(key_of).collect())
    }

    /// When the project's current calendar token was made, if the feed is on.
    pub async fn feed_since(&self, key: &str) -> AppResult<Option<DateTime<Utc>>> {
        let mut res = self
            .db
            .query("SELECT created_at FROM ONLY $id")
            .bind(("id", rid("calendar_token", key)))
            .await?
            .check()?;
        let row: Option<SinceRow> = res.take(0)?;
        Ok(row.map(|r| r.created_at))
    }

    /// Stores the hash of a new calendar token for a project, replacing the old one.
    pub async fn rotate_feed(&self, key: &str, hash: &str) -> AppResult<()> {
        self.db
            .query("UPSERT $id CONTENT { hash: $hash, created_at: time::now() }")
            .bind(("id", rid("calendar_token", key)))
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Turns the project's feed off.
    pub async fn revoke_feed(&self, key: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id")
            .bind(("id", rid("calendar_token", key)))
            .await?
            .check()?;
        Ok(())
    }

    /// The project key whose calendar token has this hash.
    pub async fn project_for_feed(&self, hash: &str) -> AppResult<Option<String>> {
        let mut res = self
            .db
            .query("SELECT id FROM calendar_token WHERE hash = $hash LIMIT 1")
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        let rows: Vec<TokenRow> = res.take(0)?;
        Ok(rows.first().map(|r| key_of(&r.id)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use domain::interviews::{InterviewForm, to_utc};

    async fn db(name: &str) -> Db {
        let db = crate::db::connect_isolated("mem://", name)
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        db.query(
            "CREATE project:alpha CONTENT { key: 'alpha', name: 'Alpha', status: 'active', started_on: d'2026-01-05',
                target_iteration_days: 14, contact_threshold_days: 30, ml_needed: 'unknown',
                created_at: time::now(), updated_at: time::now() };
             CREATE project:beta CONTENT { key: 'beta', name: 'Beta', status: 'active', started_on: d'2026-01-05',
                target_iteration_days: 14, contact_threshold_days: 30, ml_needed: 'unknown',
                created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:ana CONTENT { name: 'Ana', function: 'end_user', created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:ben CONTENT { name: 'Ben', function: 'product', created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:gone CONTENT { name: '', function: 'other', erased_at: time::now(), created_at: time::now(), updated_at: time::now() };
             CREATE user:u1 CONTENT { email: 'u1@example.org', name: 'Uma', role: 'member', active: true };
             CREATE user:u2 CONTENT { email: 'u2@example.org', name: 'Old', role: 'member', active: false };",
        )
        .await
        .expect("seed")
        .check()
        .expect("seed ok");
        db
    }

    fn valid(participants: &[&str], local: &str, status: &str) -> ValidInterview {
        InterviewForm {
            participants: participants.iter().map(|s| s.to_string()).collect(),
            interviewers: vec!["u1".into()],
            scheduled_local: local.into(),
            time_zone: "Europe/Berlin".into(),
            status: status.into(),
            notes: "<script>x</script>\n\n**done**".into(),
            ..InterviewForm::default()
        }
        .validate(false)
        .expect("valid")
    }

    #[tokio::test]
    async fn interviews_round_trip_with_people_insights_and_project_scope() {
        let db = db("interviews_repo_1").await;
        let repo = InterviewRepo::new(db);
        let v = valid(&["ana", "ben"], "2026-03-10T14:00", "");
        let (utc, _) = to_utc(v.local_start, &v.time_zone).expect("utc");
        let id = repo
            .create(
                "alpha",
                &v,
                utc,
                "Europe/Berlin",
                &["u1".into()],
                Some(&NewPerson {
                    name: "Cleo".into(),
                    function: Function::EndUser,
                }),
            )
            .await
            .expect("create");
        let got: Interview = repo
            .get("alpha", &id)
            .await
            .expect("get")
            .expect("found")
            .into();
        assert_eq!(got.participants.len(), 3, "two chosen plus the new person");
        assert_eq!(got.participants[0].name, "Ana");
        assert_eq!(got.participants[2].name, "Cleo");
        assert_eq!(got.participants[2].function, Function::EndUser);
        assert!(got.with_end_user());
        assert_eq!(got.interviewers[0].name, "Uma");
        assert_eq!(
            got.scheduled_at,
            Utc.with_ymd_and_hms(2026, 3, 10, 13, 0, 0)
                .single()
                .expect("t")
        );
        assert_eq!(got.local_start, "2026-03-10 14:00");
        assert!(!got.notes_html.contains("<script"), "{}", got.notes_html);
        assert!(got.notes_html.contains("<strong>done</strong>"));
        assert_eq!(
            got.notes, "<script>x</script>\n\n**done**",
            "source kept as typed"
        );

        // Scoped to its project.
        assert!(repo.get("beta", &id).await.expect("get").is_none());

        repo.add_insight(
            &id,
            &Insight {
                text: "Prints the list".into(),
                tags: vec!["workflow".into()],
            },
        )
        .await
        .expect("insight");
        repo.add_insight(
            &id,
            &Insight {
                text: "Distrusts scores".into(),
                tags: vec!["trust".into(), "workflow".into()],
            },
        )
        .await
        .expect("insight");
        let got: Interview = repo
            .get("alpha", &id)
            .await
            .expect("get")
            .expect("found")
            .into();
        assert_eq!(got.insights.len(), 2);
        assert_eq!(
            got.insights[1].tags,
            vec!["trust".to_string(), "workflow".to_string()]
        );

        repo.set_status(&id, InterviewStatus::Cancelled)
            .await
            .expect("status");
        let all = repo.list_project("alpha").await.expect("list");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].status, "cancelled");
        assert!(repo.list_project("beta").await.expect("list").is_empty());

        // Upcoming lists only scheduled ones in the given projects.
        let v2 = valid(&["ben"], "2026-04-01T09:30", "");
        let (utc2, _) = to_utc(v2.local_start, "Europe/Berlin").expect("utc");
        let id2 = repo
            .create("beta", &v2, utc2, "Europe/Berlin", &["u1".into()], None)
            .await
            .expect("create");
        let before = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("t");
        let up = repo
            .upcoming(Some(&["alpha".into(), "beta".into()]), before, None, 10)
            .await
            .expect("up");
        assert_eq!(
            up.iter().map(|r| key_of(&r.id)).collect::<Vec<_>>(),
            vec![id2.clone()]
        );
        assert!(
            repo.upcoming(Some(&["alpha".into()]), before, None, 10)
                .await
                .expect("up")
                .is_empty()
        );
        assert_eq!(
            repo.upcoming(None, before, None, 10)
                .await
                .expect("up")
                .len(),
            1
        );
        // Pages: one per page, the second starting after the first.
        let v3 = valid(&["ben"], "2026-04-02T09:30", "");
        let (utc3, _) = to_utc(v3.local_start, "Europe/Berlin").expect("utc");
        let id3 = repo
            .create("beta", &v3, utc3, "Europe/Berlin", &["u1".into()], None)
            .await
            .expect("create");
        let page1 = repo.upcoming(None, before, None, 1).await.expect("page 1");
        assert_eq!(
            page1.iter().map(|r| key_of(&r.id)).collect::<Vec<_>>(),
            vec![id2.clone(), id3.clone()],
            "one more than the limit tells that more follow"
        );
        let page2 = repo
            .upcoming(None, before, Some(&id2), 1)
            .await
            .expect("page 2");
        assert_eq!(
            page2.iter().map(|r| key_of(&r.id)).collect::<Vec<_>>(),
            vec![id3.clone()]
        );
        assert!(
            repo.upcoming(None, before, Some(&id3), 1)
                .await
                .expect("page 3")
                .is_empty()
        );
        let after = Utc
            .with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
            .single()
            .expect("t");
        assert!(
            repo.upcoming(None, after, None, 10)
                .await
                .expect("up")
                .is_empty()
        );
    }

    #[tokio::test]
    async fn people_are_checked_against_the_directory_and_users() {
        let db = db("interviews_repo_2").await;
        let repo = InterviewRepo::new(db);
        let live = repo
            .live_stakeholders(&["ana".into(), "gone".into(), "nobody".into()])
            .await
            .expect("live");
        assert_eq!(live, vec!["ana".to_string()]);
        let users = repo
            .active_users(&["u1".into(), "u2".into(), "u3".into()])
            .await
            .expect("users");
        assert_eq!(users, vec!["u1".to_string()]);
        let choices = repo.stakeholder_choices().await.expect("choices");
        assert_eq!(
            choices.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            vec!["Ana", "Ben"]
        );
    }

    #[tokio::test]
    async fn calendar_tokens_rotate_and_revoke() {
        let db = db("interviews_repo_3").await;
        let repo = InterviewRepo::new(db);
        assert!(repo.feed_since("alpha").await.expect("since").is_none());
        repo.rotate_feed("alpha", "hash-one").await.expect("rotate");
        assert_eq!(
            repo.project_for_feed("hash-one")
                .await
                .expect("find")
                .as_deref(),
            Some("alpha")
        );
        repo.rotate_feed("alpha", "hash-two").await.expect("rotate");
        assert!(
            repo.project_for_feed("hash-one")
                .await
                .expect("find")
                .is_none(),
            "old token stops working"
        );
        assert_eq!(
            repo.project_for_feed("hash-two")
                .await
                .expect("find")
                .as_deref(),
            Some("alpha")
        );
        assert!(repo.feed_since("alpha").await.expect("since").is_some());
        // The same hash cannot serve two projects.
        assert!(repo.rotate_feed("beta", "hash-two").await.is_err());
        repo.revoke_feed("alpha").await.expect("revoke");
        assert!(
            repo.project_for_feed("hash-two")
                .await
                .expect("find")
                .is_none()
        );
    }
}
