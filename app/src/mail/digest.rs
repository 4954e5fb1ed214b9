//! Digests: for one member, read their projects' signals, new feedback, overdue action items
//! and coming interviews, compose the digest against what the last one showed, and record it
//! (with its message when something changed) in one transaction that only one instance wins.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::repo::{DigestUser, MailRepo};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use domain::auth::Role;
use domain::mail::digest::{
    DigestFrequency, DigestProject, DigestState, FeedbackAlert, Item, compose, due, signal_values,
};

/// What became of a digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not due yet.
    NotDue,
    /// Due, but nothing changed since the last one: nothing sent.
    NothingNew,
    /// Queued.
    Queued,
    /// Another instance recorded it first.
    Taken,
}

/// Interviews this far ahead are listed.
const AHEAD_DAYS: i64 = 7;

/// Runs one member's digest at `now` in the workspace's zone `tz`: only when due, unless
/// `now_anyway` (the "send me my digest now" button).
pub async fn run(
    state: &AppState,
    user: &DigestUser,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    now_anyway: bool,
) -> AppResult<Outcome> {
    let repo = MailRepo::new(state.db.clone());
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    let frequency = user.preferences.digest;
    if !now_anyway {
        let Some(since) = user.since else {
            return Ok(Outcome::NotDue);
        };
        if !due(frequency, local(now), local(since)) {
            return Ok(Outcome::NotDue);
        }
    }
    let window = if frequency == DigestFrequency::Weekly {
        Duration::days(7)
    } else {
        Duration::days(1)
    };
    let since = user.since.unwrap_or(now - window);
    let projects = gather(state, user, since, now).await?;
    let previous: DigestState = user
        .state
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let (state_json, mails) = match compose(projects, &previous) {
        Some(digest) => {
            let mail = super::notify::digest(
                state,
                &user.email,
                frequency,
                local(now).date(),
                &digest.sections,
            )?;
            (
                serde_json::to_string(&digest.state).ok(),
                mail.into_iter().collect(),
            )
        }
        None => (None, Vec::new()),
    };
    let sent = !mails.is_empty();
    if !repo
        .record_digest(&user.id, user.since, state_json, mails)
        .await?
    {
        return Ok(Outcome::Taken);
    }
    super::service::wake(state, sent);
    if sent {
        Ok(Outcome::Queued)
    } else {
        Ok(Outcome::NothingNew)
    }
}

/// The member's projects as a digest reads them.
async fn gather(
    state: &AppState,
    user: &DigestUser,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<Vec<DigestProject>> {
    let repo = MailRepo::new(state.db.clone());
    let member_of = repo.member_projects(&user.id).await?;
    if member_of.is_empty() {
        return Ok(Vec::new());
    }
    let viewer = CurrentUser {
        id: user.id.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        role: Role::parse(&user.role).unwrap_or(Role::Member),
        must_change_password: false,
        has_password: false,
    };
    let portfolio = crate::reports::service::portfolio(state, &viewer, None).await?;
    let rows: Vec<_> = portfolio
        .rows
        .into_iter()
        .filter(|r| member_of.contains(&r.key))
        .collect();
    let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
    let mut feedback: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if user.preferences.feedback == FeedbackAlert::Digest {
        for (key, body) in repo.feedback_since(&keys, since).await? {
            feedback.entry(key).or_default().push(body);
        }
    }
    let mut overdue: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for a in repo.overdue_actions(&keys, portfolio.as_of).await? {
        overdue.entry(a.project.clone()).or_default().push(Item {
            id: a.id,
            text: format!("{} (due in sprint {})", a.text, a.due_sprint),
        });
    }
    let mut interviews: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    let until = now + Duration::days(AHEAD_DAYS);
    let coming = crate::interviews::repo::InterviewRepo::new(state.db.clone())
        .upcoming(Some(&keys), now, None, 500)
        .await?;
    for i in coming.into_iter().filter(|i| i.scheduled_at < until) {
        let kind = i
            .kind
            .parse::<domain::interviews::InterviewKind>()
            .map_or("Interview", |k| k.label());
        let (start, _) = domain::interviews::local_strings(i.scheduled_at, &i.time_zone);
        let project = crate::db::key_of(&i.project);
        interviews.entry(project).or_default().push(Item {
            id: crate::db::key_of(&i.id),
            text: format!("{start} ({}) – {kind}", i.time_zone),
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| DigestProject {
            signals: signal_values(&r.signals),
            lacking: r.signals.end_user_contact.lacking,
            new_feedback: feedback.remove(&r.key).unwrap_or_default(),
            overdue: overdue.remove(&r.key).unwrap_or_default(),
            interviews: interviews.remove(&r.key).unwrap_or_default(),
            key: r.key,
            name: r.name,
        })
        .collect())
}
