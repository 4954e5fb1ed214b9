//! Emitting webhook events from the writes that cause them.
//!
//! A write that succeeded is never undone because its event could not be written: the failure
//! is logged, and the write stands.

use chrono::{DateTime, NaiveDate, Utc};

use super::repo::WebhookRepo;
use super::{
    ActionItemChanged, Change, EventData, EventProject, EventType, FeedbackCreated,
    InterviewScheduled, SignalChanged, SignalState, SprintReviewHeld, WebhookEvent,
};
use crate::state::AppState;

/// The project's address in Touchpoint: absolute with the configured public URL
/// (`TOUCHPOINT_PUBLIC_URL`), else the path alone. Never the address of a request: its
/// `Host` header is the caller's to choose, and a background event has no request.
fn project_url(state: &AppState, key: &str) -> String {
    let path = format!("/projects/{key}");
    match &state.settings.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path,
    }
}

/// A new event id.
pub fn new_event_id() -> String {
    format!("evt_{}", crate::auth::service::new_token())
}

/// The event `kind` with `data` for the project `key`.
pub async fn event(
    state: &AppState,
    key: &str,
    kind: EventType,
    data: EventData,
) -> crate::error::AppResult<WebhookEvent> {
    let name = state
        .cache
        .project(&state.db, key)
        .await?
        .map(|p| p.record.name.clone())
        .unwrap_or_else(|| key.to_string());
    Ok(WebhookEvent {
        id: new_event_id(),
        kind,
        created_at: Utc::now(),
        project: EventProject {
            key: key.to_string(),
            name,
            url: project_url(state, key),
        },
        data,
    })
}

/// Queues `kind` for every webhook of the project that wants it and wakes the delivery worker.
/// Costs one query when no webhook wants it.
pub async fn emit(state: &AppState, key: &str, kind: EventType, data: EventData) {
    let repo = WebhookRepo::new(state.db.clone());
    let queued = async {
        if !repo.wanted(key, kind).await? {
            return Ok(0);
        }
        let event = event(state, key, kind, data).await?;
        repo.enqueue(&event, None).await
    }
    .await;
    match queued {
        Ok(0) => {}
        Ok(_) => state.webhook_wake.notify_one(),
        Err(e) => tracing::error!(error = %e, event = kind.as_str(), "queueing a webhook event"),
    }
}

/// After a write to the project: compares its end-user contact flag and scorecard levels with
/// the last ones compared, and queues `signal.changed` when they differ. Costs one query when
/// no webhook of the project wants signal changes. Across app instances, each change is
/// reported once (see [`WebhookRepo::swap_signal_state`]).
pub async fn check_signals(state: &AppState, key: &str) {
    let repo = WebhookRepo::new(state.db.clone());
    let result = async {
        if !repo.wanted(key, EventType::SignalChanged).await? {
            return Ok(());
        }
        let Some(snapshot) = state.cache.project(&state.db, key).await? else {
            return Ok(());
        };
        let as_of = snapshot.today();
        let now = SignalState::of(&snapshot.signals(as_of));
        let Some(before) = repo.swap_signal_state(key, &now).await? else {
            return Ok(());
        };
        let data = EventData::SignalChanged(SignalChanged {
            as_of,
            changed: now.changes(&before),
            before,
            after: now,
        });
        let event = event(state, key, EventType::SignalChanged, data).await?;
        if repo.enqueue(&event, None).await? > 0 {
            state.webhook_wake.notify_one();
        }
        Ok::<(), crate::error::AppError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "checking a project's signals for webhooks");
    }
}

/// The project's current signals as the baseline for `signal.changed` (when a webhook that
/// wants them is made or changed).
pub async fn baseline_signals(state: &AppState, key: &str) -> crate::error::AppResult<()> {
    if let Some(snapshot) = state.cache.project(&state.db, key).await? {
        let now = SignalState::of(&snapshot.signals(snapshot.today()));
        WebhookRepo::new(state.db.clone())
            .set_signal_state(key, &now)
            .await?;
    }
    Ok(())
}

/// `feedback.created`.
pub async fn feedback_created(
    state: &AppState,
    key: &str,
    id: &str,
    sprint: Option<&surrealdb::types::RecordId>,
    channel: &str,
    content: &crate::feedback::ValidContent,
) {
    let data = EventData::FeedbackCreated(FeedbackCreated {
        feedback_id: id.to_string(),
        sprint: sprint.and_then(crate::db::sprint_of),
        channel: channel.to_string(),
        category: content.category.as_str().to_string(),
        rating: content.rating,
        body: content.body.clone(),
    });
    emit(state, key, EventType::FeedbackCreated, data).await;
}

/// `sprint.review_held`.
pub async fn review_held(
    state: &AppState,
    key: &str,
    sprint: u32,
    held_on: NaiveDate,
    outcome: &str,
) {
    let data = EventData::SprintReviewHeld(SprintReviewHeld {
        sprint,
        held_on,
        outcome: outcome.to_string(),
    });
    emit(state, key, EventType::SprintReviewHeld, data).await;
}

/// `retro.action_item.changed` (`change`: created, updated or deleted).
pub async fn action_item_changed(
    state: &AppState,
    key: &str,
    change: Change,
    item: &crate::sprints::ActionItem,
) {
    let deleted = change == Change::Deleted;
    let data = EventData::ActionItemChanged(ActionItemChanged {
        action_item_id: item.id.clone(),
        change,
        sprint: item.sprint_number,
        text: if deleted {
            String::new()
        } else {
            item.text.clone()
        },
        status: if deleted {
            String::new()
        } else {
            item.status.as_str().to_string()
        },
        due_sprint: if deleted { 0 } else { item.due_sprint },
    });
    emit(state, key, EventType::ActionItemChanged, data).await;
}

/// `interview.scheduled`.
pub async fn interview_scheduled(
    state: &AppState,
    key: &str,
    id: &str,
    kind: &str,
    scheduled_at: DateTime<Utc>,
    participants: usize,
) {
    let data = EventData::InterviewScheduled(InterviewScheduled {
        interview_id: id.to_string(),
        kind: kind.to_string(),
        scheduled_at,
        participants: u32::try_from(participants).unwrap_or(u32::MAX),
    });
    emit(state, key, EventType::InterviewScheduled, data).await;
}
