//! Server functions for interviews, insights and the calendar feed. Each checks who is asking
//! and their access to the project.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{FeedStatus, InsightList, Interview, NewFeed, Schedule, StakeholderChoice};
use crate::error::AppError;
use crate::projects::UserChoice;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::{InterviewRepo, NewPerson};
    pub use super::super::{
        Function, InsightRow, InterviewForm, InterviewStatus, MAX_INSIGHTS, ValidInterview,
        feed_path, plausible_id, to_utc, validate_insight,
    };
    pub use crate::auth::CurrentUser;
    pub use crate::auth::repo::AuthRepo;
    pub use crate::auth::service::{RequestCtx, audit, hash_token, new_token, require_user};
    pub use crate::forms::{base_url, plain_form_post};
    pub use crate::projects::repo::ProjectRepo;
    pub use crate::projects::service::{
        ProjectAccess, project_access, require_manage, require_write,
    };
    pub use crate::state::AppState;
    pub use chrono::Utc;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// People to pick when scheduling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulingChoices {
    /// The directory (live entries), by name.
    pub stakeholders: Vec<StakeholderChoice>,
    /// Active users, by name.
    pub users: Vec<UserChoice>,
    /// Whether email is on (then participants may be sent invitations).
    #[serde(default)]
    pub mail_on: bool,
    /// The workspace time zone, the default for new interviews.
    pub default_time_zone: String,
}

#[cfg(feature = "ssr")]
async fn load(state: &AppState, key: &str, id: &str) -> Result<Interview, AppError> {
    if !plausible_id(id) {
        return Err(AppError::not_found("Interview"));
    }
    InterviewRepo::new(state.db.clone())
        .get(key, id)
        .await?
        .map(Into::into)
        .ok_or_else(|| AppError::not_found("Interview"))
}

/// Checks the people chosen and the local start, and works out the UTC start. The creator is
/// the interviewer when nobody is chosen.
#[cfg(feature = "ssr")]
async fn check_people_and_time(
    state: &AppState,
    user: &CurrentUser,
    v: &ValidInterview,
) -> Result<(chrono::DateTime<Utc>, String, Vec<String>), AppError> {
    let repo = InterviewRepo::new(state.db.clone());
    let live = repo.live_stakeholders(&v.participants).await?;
    if live.len() != v.participants.len() {
        return Err(AppError::field(
            "participants",
            "Someone you chose is no longer in the directory; choose again.",
        ));
    }
    let interviewers = if v.interviewers.is_empty() {
        vec![user.id.clone()]
    } else {
        v.interviewers.clone()
    };
    let active = repo.active_users(&interviewers).await?;
    if active.len() != interviewers.len() {
        return Err(AppError::field(
            "interviewers",
            "Choose active users as interviewers.",
        ));
    }
    let (utc, tz) = to_utc(v.local_start, &v.time_zone)?;
    Ok((utc, tz.name().to_string(), interviewers))
}

#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
fn form(
    participants: Option<Vec<String>>,
    interviewers: Option<Vec<String>>,
    scheduled_local: String,
    time_zone: String,
    duration_min: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    notes: Option<String>,
) -> InterviewForm {
    InterviewForm {
        participants: participants.unwrap_or_default(),
        interviewers: interviewers.unwrap_or_default(),
        scheduled_local,
        time_zone,
        duration_min: duration_min.unwrap_or_default(),
        kind: kind.unwrap_or_default(),
        status: status.unwrap_or_default(),
        notes: notes.unwrap_or_default(),
    }
}

/// A project's interviews: upcoming (soonest first) and past (latest first).
#[server(prefix = "/api/fn", endpoint = "interviews/list")]
pub async fn list_interviews(key: String) -> Result<Schedule, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let rows = InterviewRepo::new(state.db.clone())
        .list_project(access.key())
        .await?;
    let now = Utc::now();
    let (upcoming, mut past): (Vec<Interview>, Vec<Interview>) = rows
        .into_iter()
        .map(Interview::from)
        .partition(|i| i.scheduled_at >= now);
    past.reverse();
    Ok(Schedule { upcoming, past })
}

/// One interview of a project.
#[server(prefix = "/api/fn", endpoint = "interviews/get")]
pub async fn get_interview(key: String, id: String) -> Result<Interview, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    load(&state, access.key(), &id).await
}

/// Scheduled interviews from now on, across the projects the caller can see: a page of them,
/// starting after the interview `after` names (the previous page's `next_after`).
#[server(prefix = "/api/fn", endpoint = "interviews/upcoming")]
pub async fn list_upcoming_interviews(after: Option<String>) -> Result<UpcomingPage, AppError> {
    let (state, user, _) = require_user().await?;
    let after = after.filter(|a| !a.trim().is_empty());
    if after.as_deref().is_some_and(|a| !plausible_id(a)) {
        return Err(AppError::field("after", "This page link is not valid."));
    }
    let repo = InterviewRepo::new(state.db.clone());
    let (now, page) = (Utc::now(), UPCOMING_PAGE);
    let mut rows = if user.role.sees_everything() {
        repo.upcoming(None, now, after.as_deref(), page).await?
    } else {
        let keys: Vec<String> = ProjectRepo::new(state.db.clone())
            .list_for_member(&user.id)
            .await?
            .into_iter()
            .map(|p| p.key)
            .collect();
        if keys.is_empty() {
            Vec::new()
        } else {
            repo.upcoming(Some(&keys), now, after.as_deref(), page)
                .await?
        }
    };
    let next_after = crate::db::keyset_page(&mut rows, page, |r| &r.id);
    Ok(UpcomingPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_after,
        continued: after.is_some(),
    })
}

/// How many upcoming interviews `/interviews` shows per page.
pub const UPCOMING_PAGE: usize = 100;

/// One page of upcoming interviews.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UpcomingPage {
    /// The interviews, by time.
    pub items: Vec<Interview>,
    /// The id to pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<String>,
    /// Whether this is a later page.
    pub continued: bool,
}

/// Directory entries and users to pick from, and the default time zone.
#[server(prefix = "/api/fn", endpoint = "interviews/choices")]
pub async fn interview_choices() -> Result<SchedulingChoices, AppError> {
    let (state, _, _) = require_user().await?;
    let stakeholders = InterviewRepo::new(state.db.clone())
        .stakeholder_choices()
        .await?;
    let mut users: Vec<UserChoice> = AuthRepo::new(state.db.clone())
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| UserChoice {
            id: u.key(),
            name: u.name,
        })
        .collect();
    users.sort_by_key(|u| u.name.to_lowercase());
    let default_time_zone = crate::workspace::repo::WorkspaceRepo::new(state.db.clone())
        .time_zone()
        .await
        .map_or_else(|_| "UTC".to_string(), |tz| tz.name().to_string());
    Ok(SchedulingChoices {
        stakeholders,
        users,
        default_time_zone,
        mail_on: state.settings.mail_from.is_some(),
    })
}

/// Schedules an interview. `participants[]` and `interviewers[]` repeat per person; the start
/// is local to `time_zone`. A person not yet in the directory can be added at the same time
/// (`new_participant_name`, `new_participant_function`). Returns the interview's id.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "interviews/create")]
pub async fn create_interview(
    key: String,
    participants: Option<Vec<String>>,
    interviewers: Option<Vec<String>>,
    scheduled_local: String,
    time_zone: String,
    duration_min: Option<String>,
    kind: Option<String>,
    notes: Option<String>,
    new_participant_name: Option<String>,
    new_participant_function: Option<String>,
    send_invitations: Option<String>,
) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "schedule interview").await?;
    let invite = send_invitations.as_deref().map_or(Ok(false), |v| {
        domain::fields::parse_flag("send_invitations", v)
    })?;
    let new_person = new_person(new_participant_name, new_participant_function)?;
    let v = form(
        participants,
        interviewers,
        scheduled_local,
        time_zone,
        duration_min,
        kind,
        None,
        notes,
    )
    .validate(new_person.is_some())?;
    let (utc, tz, interviewers) = check_people_and_time(&state, &user, &v).await?;
    let repo = InterviewRepo::new(state.db.clone());
    let new_id = store::secrets::new_record_key();
    let mails = if invite {
        let planned = super::invitations::draft(
            &state,
            &new_id,
            access.key(),
            &access.project.name,
            &v,
            utc,
            &tz,
            &interviewers,
        )
        .await?;
        super::invitations::calendar_mails(&state, None, &planned)
            .await?
            .1
    } else {
        Vec::new()
    };
    let queued = !mails.is_empty();
    let id = crate::db::retry_conflicts(|| {
        repo.create(
            access.key(),
            &new_id,
            &v,
            utc,
            &tz,
            &interviewers,
            new_person.as_ref(),
            invite,
            mails.clone(),
        )
    })
    .await?;
    crate::mail::service::wake(&state, queued);
    let detail = format!("{} at {utc}", v.kind.as_str());
    audit(
        &state,
        Some(&user),
        &ctx,
        "interview.create",
        &format!("{}/{id}", access.key()),
        &detail,
    )
    .await;
    crate::webhooks::service::interview_scheduled(
        &state,
        access.key(),
        &id,
        v.kind.as_str(),
        utc,
        v.participants.len() + usize::from(new_person.is_some()),
    )
    .await;
    if let Some(p) = &new_person {
        audit(
            &state,
            Some(&user),
            &ctx,
            "stakeholder.create",
            &p.name,
            "added while scheduling",
        )
        .await;
    }
    Ok(id)
}

#[cfg(feature = "ssr")]
fn new_person(
    name: Option<String>,
    function: Option<String>,
) -> Result<Option<NewPerson>, AppError> {
    let name = name.unwrap_or_default();
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err(AppError::field(
            "new_participant_name",
            "Use at most 120 characters.",
        ));
    }
    let function = match function.as_deref().map(str::trim) {
        None | Some("") => Function::Other,
        Some(f) => f.parse().map_err(|_| {
            AppError::field(
                "new_participant_function",
                "Choose a function from the list.",
            )
        })?,
    };
    Ok(Some(NewPerson {
        name: name.to_string(),
        function,
    }))
}

/// Changes an interview's schedule, people, status and notes.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "interviews/update")]
pub async fn update_interview(
    key: String,
    id: String,
    participants: Option<Vec<String>>,
    interviewers: Option<Vec<String>>,
    scheduled_local: String,
    time_zone: String,
    duration_min: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    notes: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "edit interview").await?;
    let current = load(&state, access.key(), &id).await?;
    let v = form(
        participants,
        interviewers,
        scheduled_local,
        time_zone,
        duration_min,
        kind,
        status,
        notes,
    )
    .validate(false)?;
    let (utc, tz, interviewers) = check_people_and_time(&state, &user, &v).await?;
    let (sequence, mails) = if current.invitations {
        let after = super::invitations::draft(
            &state,
            &current.id,
            access.key(),
            &access.project.name,
            &v,
            utc,
            &tz,
            &interviewers,
        )
        .await?;
        super::invitations::calendar_mails(&state, Some(&current), &after).await?
    } else {
        (current.sequence, Vec::new())
    };
    let queued = !mails.is_empty();
    InterviewRepo::new(state.db.clone())
        .update(
            &current.id,
            &v,
            utc,
            &tz,
            &interviewers,
            sequence,
            false,
            mails,
        )
        .await?;
    crate::mail::service::wake(&state, queued);
    audit(
        &state,
        Some(&user),
        &ctx,
        "interview.update",
        &format!("{}/{}", access.key(), current.id),
        v.status.as_str(),
    )
    .await;
    if utc != current.scheduled_at && v.status == InterviewStatus::Scheduled {
        crate::webhooks::service::interview_scheduled(
            &state,
            access.key(),
            &current.id,
            v.kind.as_str(),
            utc,
            v.participants.len(),
        )
        .await;
    }
    Ok(())
}

/// Moves an interview to another status (scheduled, completed, cancelled, no_show).
#[server(prefix = "/api/fn", endpoint = "interviews/status")]
pub async fn set_interview_status(key: String, id: String, status: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "change interview status").await?;
    let current = load(&state, access.key(), &id).await?;
    let status: InterviewStatus = status
        .trim()
        .parse()
        .map_err(|_| AppError::field("status", "Choose a status from the list."))?;
    let (sequence, mails) = if current.invitations {
        let after = Interview {
            status,
            ..current.clone()
        };
        super::invitations::calendar_mails(&state, Some(&current), &after).await?
    } else {
        (current.sequence, Vec::new())
    };
    let queued = !mails.is_empty();
    InterviewRepo::new(state.db.clone())
        .set_status(&current.id, status, sequence, mails)
        .await?;
    crate::mail::service::wake(&state, queued);
    audit(
        &state,
        Some(&user),
        &ctx,
        "interview.status",
        &format!("{}/{}", access.key(), current.id),
        status.as_str(),
    )
    .await;
    Ok(())
}

/// Deletes an interview (project leads). Invited participants of an interview still ahead are
/// sent a cancellation.
#[server(prefix = "/api/fn", endpoint = "interviews/delete")]
pub async fn delete_interview(key: String, id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete interview").await?;
    let current = load(&state, access.key(), &id).await?;
    // Participants who were invited to an interview still ahead lose the calendar entry.
    let mails = if current.invitations
        && current.status == InterviewStatus::Scheduled
        && current.scheduled_at > Utc::now()
    {
        let gone = Interview {
            status: InterviewStatus::Cancelled,
            ..current.clone()
        };
        super::invitations::calendar_mails(&state, Some(&current), &gone)
            .await?
            .1
    } else {
        Vec::new()
    };
    let queued = !mails.is_empty();
    InterviewRepo::new(state.db.clone())
        .delete(&current.id, mails)
        .await?;
    crate::mail::service::wake(&state, queued);
    audit(
        &state,
        Some(&user),
        &ctx,
        "interview.delete",
        &format!("{}/{}", access.key(), current.id),
        &current.local_start,
    )
    .await;
    leptos_axum::redirect(&format!("/projects/{}/interviews", access.key()));
    Ok(())
}

/// Adds an insight with comma-separated tags.
#[server(prefix = "/api/fn", endpoint = "interviews/insights/add")]
pub async fn add_insight(
    key: String,
    id: String,
    text: String,
    tags: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "add insight").await?;
    let current = load(&state, access.key(), &id).await?;
    let insight = validate_insight(&text, &tags.unwrap_or_default())?;
    if current.insights.len() >= MAX_INSIGHTS {
        return Err(AppError::field(
            "text",
            format!("An interview holds at most {MAX_INSIGHTS} insights."),
        ));
    }
    InterviewRepo::new(state.db.clone())
        .add_insight(&current.id, &insight)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "interview.insight_add",
        &format!("{}/{}", access.key(), current.id),
        &insight.tags.join(","),
    )
    .await;
    Ok(())
}

/// Removes the insight at `index` (0-based).
#[server(prefix = "/api/fn", endpoint = "interviews/insights/remove")]
pub async fn remove_insight(key: String, id: String, index: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "remove insight").await?;
    let current = load(&state, access.key(), &id).await?;
    let index: usize = index
        .trim()
        .parse()
        .ok()
        .filter(|i| *i < current.insights.len())
        .ok_or_else(|| AppError::not_found("Insight"))?;
    let mut insights = current.insights.clone();
    insights.remove(index);
    InterviewRepo::new(state.db.clone())
        .set_insights(&current.id, &insights)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "interview.insight_remove",
        &format!("{}/{}", access.key(), current.id),
        &index.to_string(),
    )
    .await;
    Ok(())
}

/// Every insight of a project, latest interview first, optionally only those with `tag`.
#[server(prefix = "/api/fn", endpoint = "interviews/insights")]
pub async fn list_insights(key: String, tag: Option<String>) -> Result<InsightList, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let rows = InterviewRepo::new(state.db.clone())
        .list_project(access.key())
        .await?;
    let tag = tag
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut items = Vec::new();
    for i in rows.into_iter().rev().map(Interview::from) {
        for (index, insight) in i.insights.iter().enumerate() {
            for t in &insight.tags {
                *counts.entry(t.clone()).or_default() += 1;
            }
            if tag.as_ref().is_none_or(|t| insight.tags.contains(t)) {
                items.push(InsightRow {
                    interview: i.id.clone(),
                    local_start: format!("{} {}", i.local_start, i.time_zone),
                    kind: i.kind,
                    index,
                    insight: insight.clone(),
                });
            }
        }
    }
    Ok(InsightList {
        tags: counts.into_iter().collect(),
        items,
    })
}

#[cfg(feature = "ssr")]
async fn require_calendar_writer(
    state: &AppState,
    user: &CurrentUser,
    ctx: &RequestCtx,
    key: &str,
    action: &str,
) -> Result<ProjectAccess, AppError> {
    require_write(state, user, ctx, key, action).await
}

/// Whether the project's calendar feed is on (writers only; the address itself is shown only
/// when it is made).
#[server(prefix = "/api/fn", endpoint = "interviews/calendar/status")]
pub async fn calendar_feed_status(key: String) -> Result<FeedStatus, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_calendar_writer(&state, &user, &ctx, &key, "see calendar feed").await?;
    let since = InterviewRepo::new(state.db.clone())
        .feed_since(access.key())
        .await?;
    Ok(FeedStatus {
        since,
        base_url: base_url(&state.settings),
    })
}

/// Makes a new secret calendar address for the project; the old one stops working. Returns
/// the address, which is shown once. Without JavaScript the page is reloaded with it.
#[server(prefix = "/api/fn", endpoint = "interviews/calendar/rotate")]
pub async fn rotate_calendar_feed(key: String) -> Result<NewFeed, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_calendar_writer(&state, &user, &ctx, &key, "rotate calendar feed").await?;
    let token = new_token();
    InterviewRepo::new(state.db.clone())
        .rotate_feed(access.key(), &hash_token(&token))
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "calendar.rotate",
        access.key(),
        "",
    )
    .await;
    if plain_form_post() {
        // The page shows the new address once, from a cookie: never in the address bar.
        let page = format!("/projects/{}/interviews", access.key());
        crate::flash::hand_over(crate::flash::NEW_FEED, &page, &token);
        leptos_axum::redirect(&format!("{page}#calendar"));
    }
    Ok(NewFeed {
        url: format!("{}{}", base_url(&state.settings), feed_path(&token)),
    })
}

/// Turns the project's calendar feed off.
#[server(prefix = "/api/fn", endpoint = "interviews/calendar/revoke")]
pub async fn revoke_calendar_feed(key: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_calendar_writer(&state, &user, &ctx, &key, "revoke calendar feed").await?;
    InterviewRepo::new(state.db.clone())
        .revoke_feed(access.key())
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "calendar.revoke",
        access.key(),
        "",
    )
    .await;
    Ok(())
}
