//! The voice of the people the work is for: `/projects/{key}/interviews` (with insights and the
//! calendar), `/projects/{key}/feedback`, `/projects/{key}/invites` and
//! `/projects/{key}/calendar-token`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::request::Parts;
use http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::error::{AppError, AppResult};
use app::feedback::api as feedback_fns;
use app::interviews::api as fns;
use app::interviews::{Interview, ical, local_strings};
use app::state::AppState;

use super::stakeholders::nullable;
use super::{
    Body, ErrorBody, KeyPageQuery, Page, PageQuery, ProjectKey, Query, SprintNumber, json,
    no_content, num, ok, paginate, run,
};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_interviews, create_interview))
        .routes(routes!(get_interview, update_interview, delete_interview))
        .routes(routes!(add_insight))
        .routes(routes!(remove_insight))
        .routes(routes!(interviews_ics))
        .routes(routes!(rotate_calendar_token, revoke_calendar_token))
        .routes(routes!(list_feedback, create_feedback))
        .routes(routes!(get_feedback, update_feedback, delete_feedback))
        .routes(routes!(list_invites, create_invite))
        .routes(routes!(revoke_invite))
}

// ---- interviews -----------------------------------------------------------------------------

/// A new interview (the workspace format's names). It needs `participants` (or
/// `new_participant_name`), a start and `time_zone`. The start is either `scheduled_at` (an
/// instant) or `scheduled_local` (`YYYY-MM-DDTHH:MM` in `time_zone`, preferred when both are
/// given); a local time that a clock change skips is refused. Insights have their own routes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InterviewInput {
    /// Stakeholder ids from the directory (at most 20).
    #[schema(max_items = 20)]
    pub participants: Option<Vec<String>>,
    /// User ids (at most 10; default: the caller).
    #[schema(max_items = 10)]
    pub interviewers: Option<Vec<String>>,
    /// The start as an instant, e.g. `2026-03-10T13:00:00Z`.
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub scheduled_at: Option<String>,
    /// The start in the interview's zone, e.g. `2026-03-10T14:00` (seconds optional).
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?$")]
    pub scheduled_local: Option<String>,
    /// The interview's time zone.
    #[schema(value_type = app::workspace::TimeZone, required = true)]
    pub time_zone: Option<String>,
    /// Length in minutes (default 60).
    #[schema(minimum = 5, maximum = 480)]
    pub duration_min: Option<i64>,
    /// The kind (default `discovery`).
    #[schema(value_type = Option<app::interviews::InterviewKind>)]
    pub kind: Option<String>,
    /// Markdown notes, at most 20,000 characters.
    #[schema(max_length = 20000)]
    pub notes: Option<String>,
    /// A person to add to the directory as a participant: at most 120 characters, one line.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,120}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub new_participant_name: Option<String>,
    /// That person's function (default `other`).
    #[schema(value_type = Option<app::stakeholders::Function>)]
    pub new_participant_function: Option<String>,
    /// Send each participant who has an email an invitation with a calendar entry, and keep
    /// them up to date on reschedules and cancelling (default `false`; email must be on).
    pub send_invitations: Option<bool>,
}

/// Changes to an interview: absent fields keep their value. The start is either
/// `scheduled_at` (an instant) or `scheduled_local` (in `time_zone`, preferred when both are
/// given). Insights have their own routes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InterviewPatch {
    /// Stakeholder ids from the directory (1–20).
    #[schema(min_items = 1, max_items = 20)]
    pub participants: Option<Vec<String>>,
    /// User ids (at most 10).
    #[schema(max_items = 10)]
    pub interviewers: Option<Vec<String>>,
    /// The start as an instant, e.g. `2026-03-10T13:00:00Z`.
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub scheduled_at: Option<String>,
    /// The start in the interview's zone, e.g. `2026-03-10T14:00` (seconds optional).
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?$")]
    pub scheduled_local: Option<String>,
    /// The interview's time zone.
    #[schema(value_type = Option<app::workspace::TimeZone>)]
    pub time_zone: Option<String>,
    /// Length in minutes.
    #[schema(minimum = 5, maximum = 480)]
    pub duration_min: Option<i64>,
    /// The kind.
    #[schema(value_type = Option<app::interviews::InterviewKind>)]
    pub kind: Option<String>,
    /// The status.
    #[schema(value_type = Option<app::interviews::InterviewStatus>)]
    pub status: Option<String>,
    /// Markdown notes, at most 20,000 characters.
    #[schema(max_length = 20000)]
    pub notes: Option<String>,
}

/// An insight to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InsightInput {
    /// What was learned: 1–1,000 characters, not blank.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,998}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub text: String,
    /// Tags, lowercased, at most 10 (a comma inside a tag separates two tags).
    #[schema(value_type = Option<Vec<Tag>>, max_items = 10)]
    pub tags: Option<Vec<String>>,
}

/// An insight's tag: at most 40 characters, no control characters but whitespace.
pub struct Tag;

impl utoipa::PartialSchema for Tag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .max_length(Some(app::interviews::MAX_TAG_LEN))
            .pattern(Some(r"^[^\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]*$"))
            .description(Some(
                "An insight's tag: at most 40 characters, no control characters but whitespace.",
            ))
            .into()
    }
}

impl ToSchema for Tag {}

/// The local start the server function takes: `scheduled_local` as given, or `scheduled_at`
/// shown in `zone`.
fn local_start(
    scheduled_local: Option<&str>,
    scheduled_at: Option<&str>,
    zone: &str,
) -> AppResult<Option<String>> {
    if let Some(local) = scheduled_local {
        return Ok(Some(local.to_string()));
    }
    match scheduled_at.map(str::trim) {
        None => Ok(None),
        Some(at) => {
            let at = DateTime::parse_from_rfc3339(at).map_err(|_| {
                AppError::field(
                    "scheduled_at",
                    "Enter an RFC 3339 time, e.g. 2026-03-10T13:00:00Z.",
                )
            })?;
            Ok(Some(local_strings(at.with_timezone(&Utc), zone).1))
        }
    }
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &String) -> Vec<String> {
    items.iter().map(|i| id(i).clone()).collect()
}

/// A project's interviews, in time order (earliest first).
#[utoipa::path(get, path = "/projects/{key}/interviews", tag = "interviews",
    params(("key" = ProjectKey, Path, description = "Project key"), PageQuery),
    responses((status = 200, description = "A page of interviews", body = Page<app::interviews::Interview>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_interviews(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let schedule = run(&state, parts, fns::list_interviews(key)).await?;
    let mut items: Vec<Interview> = schedule.past.into_iter().rev().collect();
    items.extend(schedule.upcoming);
    Ok(ok(&paginate(items, &page)?))
}

/// Schedules an interview.
#[utoipa::path(post, path = "/projects/{key}/interviews", tag = "interviews",
    request_body = InterviewInput,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 201, description = "The new interview", body = app::interviews::Interview),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_interview(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(i): Body<InterviewInput>,
) -> AppResult<Response> {
    let created = run(&state, parts, async move {
        let zone = i.time_zone.clone().unwrap_or_default();
        let start = local_start(
            i.scheduled_local.as_deref(),
            i.scheduled_at.as_deref(),
            &zone,
        )?
        .unwrap_or_default();
        let id = fns::create_interview(
            key.clone(),
            i.participants,
            i.interviewers,
            start,
            zone,
            num(i.duration_min),
            i.kind,
            i.notes,
            i.new_participant_name,
            i.new_participant_function,
            i.send_invitations.map(|b| b.to_string()),
        )
        .await?;
        fns::get_interview(key, id).await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &created))
}

/// One interview with its insights.
#[utoipa::path(get, path = "/projects/{key}/interviews/{id}", tag = "interviews",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Interview id")),
    responses((status = 200, description = "The interview", body = app::interviews::Interview),
              (status = 404, body = ErrorBody)))]
async fn get_interview(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(ok(&run(&state, parts, fns::get_interview(key, id)).await?))
}

/// Changes an interview's schedule, people, status and notes. Absent fields keep their value.
#[utoipa::path(patch, path = "/projects/{key}/interviews/{id}", tag = "interviews",
    request_body = InterviewPatch,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Interview id")),
    responses((status = 200, description = "The interview", body = app::interviews::Interview),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_interview(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
    Body(i): Body<InterviewPatch>,
) -> AppResult<Response> {
    let updated = run(&state, parts, async move {
        let cur = fns::get_interview(key.clone(), id.clone()).await?;
        let zone = i.time_zone.clone().unwrap_or(cur.time_zone);
        let start = local_start(
            i.scheduled_local.as_deref(),
            i.scheduled_at.as_deref(),
            &zone,
        )?
        .unwrap_or(cur.local_input);
        fns::update_interview(
            key.clone(),
            id.clone(),
            Some(
                i.participants
                    .unwrap_or_else(|| ids(&cur.participants, |p| &p.id)),
            ),
            Some(
                i.interviewers
                    .unwrap_or_else(|| ids(&cur.interviewers, |p| &p.id)),
            ),
            start,
            zone,
            Some(num(i.duration_min).unwrap_or_else(|| cur.duration_min.to_string())),
            Some(i.kind.unwrap_or_else(|| cur.kind.as_str().to_string())),
            Some(i.status.unwrap_or_else(|| cur.status.as_str().to_string())),
            Some(i.notes.unwrap_or(cur.notes)),
        )
        .await?;
        fns::get_interview(key, id).await
    })
    .await?;
    Ok(ok(&updated))
}

/// Deletes an interview (project leads).
#[utoipa::path(delete, path = "/projects/{key}/interviews/{id}", tag = "interviews",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Interview id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn delete_interview(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::delete_interview(key, id)).await?;
    Ok(no_content())
}

/// Adds an insight to an interview; answers with the interview.
#[utoipa::path(post, path = "/projects/{key}/interviews/{id}/insights", tag = "interviews",
    request_body = InsightInput,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Interview id")),
    responses((status = 201, description = "The interview with the new insight last", body = app::interviews::Interview),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn add_insight(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
    Body(b): Body<InsightInput>,
) -> AppResult<Response> {
    let interview = run(&state, parts, async move {
        let tags = b.tags.map(|t| t.join(","));
        fns::add_insight(key.clone(), id.clone(), b.text, tags).await?;
        fns::get_interview(key, id).await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &interview))
}

/// Removes the insight at `index` (0-based, the order of the interview's `insights`).
#[utoipa::path(delete, path = "/projects/{key}/interviews/{id}/insights/{index}", tag = "interviews",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Interview id"),
           ("index" = u32, Path, description = "The insight's position, from 0")),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn remove_insight(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id, index)): Path<(String, String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::remove_insight(key, id, index)).await?;
    Ok(no_content())
}

/// The project's interviews as an iCalendar file, for the caller (the subscribable feed with a
/// secret address is made with `POST /projects/{key}/calendar-token`).
#[utoipa::path(get, path = "/projects/{key}/interviews.ics", tag = "interviews",
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 200, description = "iCalendar", content_type = "text/calendar", body = String),
              (status = 404, body = ErrorBody)))]
async fn interviews_ics(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let settings = state.settings.clone();
    let (name, interviews, base) = run(&state, parts, async move {
        let project = app::projects::api::get_project(key.clone()).await?;
        let schedule = fns::list_interviews(key).await?;
        let mut items: Vec<Interview> = schedule.past.into_iter().rev().collect();
        items.extend(schedule.upcoming);
        Ok((project.project.name, items, app::forms::base_url(&settings)))
    })
    .await?;
    let body = ical::calendar(&format!("{name} interviews"), &interviews, |i| {
        format!(
            "{base}/projects/{}/interviews?interview={}",
            i.project, i.id
        )
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// Makes a new secret calendar address for the project (members and leads); the old one stops
/// working. The address is shown only in this answer.
#[utoipa::path(post, path = "/projects/{key}/calendar-token", tag = "interviews",
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 200, description = "The feed's secret address", body = app::interviews::NewFeed),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn rotate_calendar_token(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
) -> AppResult<Response> {
    Ok(ok(
        &run(&state, parts, fns::rotate_calendar_feed(key)).await?
    ))
}

/// Turns the project's calendar feed off.
#[utoipa::path(delete, path = "/projects/{key}/calendar-token", tag = "interviews",
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 204, description = "Turned off"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn revoke_calendar_token(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
) -> AppResult<Response> {
    run(&state, parts, fns::revoke_calendar_feed(key)).await?;
    Ok(no_content())
}

// ---- feedback -------------------------------------------------------------------------------

/// The inbox filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackParams {
    /// A sprint number, or `none` for feedback on no sprint.
    #[param(pattern = r"^(none|[0-9]{1,9})$")]
    pub sprint: Option<String>,
    /// Only feedback with this status.
    #[param(value_type = Option<app::feedback::FeedbackStatus>)]
    pub status: Option<String>,
    /// Only feedback of this category.
    #[param(value_type = Option<app::feedback::FeedbackCategory>)]
    pub category: Option<String>,
    /// A rating from 1 to 5, or `none` for feedback without one.
    #[param(value_type = Option<String>, pattern = r"^(none|[1-5])$")]
    pub rating: Option<String>,
    /// Only feedback whose author has this function.
    #[param(value_type = Option<app::stakeholders::Function>)]
    pub function: Option<String>,
}

/// How the team heard feedback: `review`, `interview` or `team` (feedback through `link`s
/// arrives from the invite page).
pub struct TeamChannel;

impl utoipa::PartialSchema for TeamChannel {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use app::feedback::Channel;
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(
                Channel::ALL
                    .iter()
                    .filter(|c| **c != Channel::Link)
                    .map(|c| c.as_str()),
            ))
            .description(Some("How the team heard the feedback."))
            .into()
    }
}

impl ToSchema for TeamChannel {}

/// Feedback the team heard in person (the workspace format's names). It needs a `stakeholder`
/// or an `author_name`, and a `body` or a `rating`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FeedbackInput {
    /// How the team heard it.
    #[schema(value_type = TeamChannel, required = true)]
    pub channel: Option<String>,
    /// The sprint it is about (one of the project's).
    #[schema(value_type = Option<SprintNumber>)]
    pub sprint: Option<i64>,
    /// A stakeholder id from the directory…
    #[schema(max_length = 64)]
    pub stakeholder: Option<String>,
    /// …or the author's name (at most 100 characters, one line)…
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub author_name: Option<String>,
    /// …and function.
    #[schema(value_type = Option<app::stakeholders::Function>)]
    pub author_function: Option<String>,
    /// The day it was given (default today): not in the future, and not before 1900.
    #[schema(value_type = Option<chrono::NaiveDate>, pattern = r"^(19[0-9]{2}|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$")]
    pub given_on: Option<String>,
    /// A rating from 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
    /// The text, kept as written: at most 5,000 characters (a CRLF line break counts once), no
    /// NUL.
    #[schema(max_length = 5000, pattern = r"^[^\x00]*$")]
    pub body: Option<String>,
    /// The category (default `other`).
    #[schema(value_type = Option<app::feedback::FeedbackCategory>)]
    pub category: Option<String>,
}

/// A triage change; absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TriageInput {
    /// The status.
    #[schema(value_type = Option<app::feedback::FeedbackStatus>)]
    pub status: Option<String>,
    /// The sprint that addressed it (one of the project's), only with `planned` or
    /// `addressed`; `null` clears it (needed when moving to another status).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SprintNumber>)]
    pub addressed_in: Option<Option<i64>>,
    /// The response the author sees, at most 5,000 characters; `null` or `""` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub response: Option<Option<String>>,
}

/// A project's feedback, latest first, a page at a time (pass `next_cursor` as `cursor` for the
/// next one).
#[utoipa::path(get, path = "/projects/{key}/feedback", tag = "feedback",
    params(("key" = ProjectKey, Path, description = "Project key"), FeedbackParams, KeyPageQuery),
    responses((status = 200, description = "A page of feedback items", body = Page<app::feedback::FeedbackItem>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_feedback(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(f): Query<FeedbackParams>,
    Query(page): Query<KeyPageQuery>,
) -> AppResult<Response> {
    let limit = page.limit()?;
    let after = page.key_cursor()?;
    let inbox = run(
        &state,
        parts,
        feedback_fns::feedback_inbox(
            key,
            f.sprint,
            f.status,
            f.category,
            f.rating,
            f.function,
            after,
            Some(limit.to_string()),
        ),
    )
    .await?;
    Ok(ok(&Page {
        items: inbox.items,
        next_cursor: inbox.next_after.map(|a| format!("k{a}")),
    }))
}

/// Records feedback the team heard in person.
#[utoipa::path(post, path = "/projects/{key}/feedback", tag = "feedback",
    request_body = FeedbackInput,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 201, description = "The new feedback item", body = app::feedback::FeedbackItem),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_feedback(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(f): Body<FeedbackInput>,
) -> AppResult<Response> {
    let created = run(&state, parts, async move {
        let id = feedback_fns::create_feedback(
            key.clone(),
            f.channel.unwrap_or_default(),
            num(f.sprint),
            f.stakeholder,
            f.author_name,
            f.author_function,
            f.given_on,
            num(f.rating),
            f.body,
            f.category,
        )
        .await?;
        feedback_fns::get_feedback(key, id).await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &created))
}

/// One feedback item.
#[utoipa::path(get, path = "/projects/{key}/feedback/{id}", tag = "feedback",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Feedback id")),
    responses((status = 200, description = "The feedback item", body = app::feedback::FeedbackItem),
              (status = 404, body = ErrorBody)))]
async fn get_feedback(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(ok(
        &run(&state, parts, feedback_fns::get_feedback(key, id)).await?
    ))
}

/// Triage: status, the sprint that addressed it and the response. Absent fields keep their
/// value; the author's words never change.
#[utoipa::path(patch, path = "/projects/{key}/feedback/{id}", tag = "feedback",
    request_body = TriageInput,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Feedback id")),
    responses((status = 200, description = "The feedback item", body = app::feedback::FeedbackItem),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_feedback(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
    Body(t): Body<TriageInput>,
) -> AppResult<Response> {
    let updated = run(&state, parts, async move {
        let cur = feedback_fns::get_feedback(key.clone(), id.clone()).await?;
        let addressed_in = match t.addressed_in {
            Some(v) => num(v),
            None => cur.addressed_in.map(|n| n.to_string()),
        };
        let response = match t.response {
            Some(v) => v,
            None => cur.response,
        };
        feedback_fns::triage_feedback(
            key.clone(),
            id.clone(),
            t.status.unwrap_or_else(|| cur.status.as_str().to_string()),
            addressed_in,
            response,
        )
        .await?;
        feedback_fns::get_feedback(key, id).await
    })
    .await?;
    Ok(ok(&updated))
}

/// Deletes a feedback item (project leads).
#[utoipa::path(delete, path = "/projects/{key}/feedback/{id}", tag = "feedback",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Feedback id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn delete_feedback(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, feedback_fns::delete_feedback(key, id)).await?;
    Ok(no_content())
}

// ---- invites --------------------------------------------------------------------------------

/// An invite link to make.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct InviteInput {
    /// Only for this sprint (one of the project's).
    #[schema(value_type = Option<SprintNumber>)]
    pub sprint: Option<i64>,
    /// Only for this stakeholder (an id from the directory).
    #[schema(max_length = 64)]
    pub stakeholder: Option<String>,
    /// Days until the link expires (default 14).
    #[schema(minimum = 1, maximum = 30)]
    pub expires_in_days: Option<i64>,
}

/// A project's invite links, newest first (never their tokens).
#[utoipa::path(get, path = "/projects/{key}/invites", tag = "feedback",
    params(("key" = ProjectKey, Path, description = "Project key"), PageQuery),
    responses((status = 200, description = "A page of invite links", body = Page<app::feedback::Invite>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_invites(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let list = run(&state, parts, feedback_fns::list_invites(key)).await?;
    Ok(ok(&paginate(list.items, &page)?))
}

/// Makes an invite link. The answer is the only time its `url` (with the secret token) is
/// shown; only a hash is stored.
#[utoipa::path(post, path = "/projects/{key}/invites", tag = "feedback",
    request_body = InviteInput,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 201, description = "The invite link with its `url`", body = NewInviteBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_invite(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(b): Body<InviteInput>,
) -> AppResult<Response> {
    let created = run(&state, parts, async move {
        let new = feedback_fns::create_invite(
            key.clone(),
            num(b.sprint),
            b.stakeholder,
            num(b.expires_in_days),
        )
        .await?;
        let invite = feedback_fns::list_invites(key)
            .await?
            .items
            .into_iter()
            .find(|i| i.id == new.id)
            .ok_or_else(AppError::internal)?;
        Ok(NewInviteBody {
            invite,
            url: new.url,
        })
    })
    .await?;
    Ok(json(StatusCode::CREATED, &created))
}

/// A new invite link: its list entry and, this once, its address.
#[derive(Serialize, ToSchema)]
pub struct NewInviteBody {
    /// The link as the list shows it.
    #[serde(flatten)]
    invite: app::feedback::Invite,
    /// The secret address to send to the stakeholder; it is not shown again.
    url: String,
}

/// Revokes an invite link; it stops working at once.
#[utoipa::path(delete, path = "/projects/{key}/invites/{id}", tag = "feedback",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Invite id")),
    responses((status = 204, description = "Revoked"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn revoke_invite(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, feedback_fns::revoke_invite(key, id)).await?;
    Ok(no_content())
}
