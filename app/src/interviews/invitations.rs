//! Interview invitations: the calendar messages a scheduling, a change or a cancellation
//! causes for participants with an email (see `domain::interviews::invite`), queued by the
//! interview's own transaction.

use chrono::Utc;

use super::repo::InterviewRepo;
use super::{Interview, InterviewStatus, ValidInterview};
use crate::error::AppError;
use crate::state::AppState;

/// What of an interview its calendar messages depend on.
pub fn slot(i: &Interview) -> domain::interviews::invite::Slot {
    domain::interviews::invite::Slot {
        participants: i.participants.iter().map(|p| p.id.clone()).collect(),
        start: i.scheduled_at,
        time_zone: i.time_zone.clone(),
        duration_min: i.duration_min,
        cancelled: i.status == InterviewStatus::Cancelled,
    }
}

/// The interview as it will be after a change, for its calendar messages.
#[allow(clippy::too_many_arguments)]
pub async fn draft(
    state: &AppState,
    id: &str,
    key: &str,
    project_name: &str,
    v: &ValidInterview,
    utc: chrono::DateTime<Utc>,
    tz: &str,
    interviewers: &[String],
) -> Result<Interview, AppError> {
    let names = InterviewRepo::new(state.db.clone())
        .user_names(interviewers)
        .await?;
    let (local_start, local_input) = domain::interviews::local_strings(utc, tz);
    Ok(Interview {
        id: id.to_string(),
        project: key.to_string(),
        project_name: project_name.to_string(),
        // Only the ids matter to the plan; names are not in an attendee's copy.
        participants: v
            .participants
            .iter()
            .map(|id| domain::interviews::Participant {
                id: id.clone(),
                name: String::new(),
                function: domain::interviews::Function::Other,
            })
            .collect(),
        interviewers: names
            .into_iter()
            .map(|(id, name)| domain::interviews::Interviewer { id, name })
            .collect(),
        scheduled_at: utc,
        time_zone: tz.to_string(),
        local_start,
        local_input,
        duration_min: v.duration_min,
        kind: v.kind,
        status: v.status,
        notes: String::new(),
        notes_html: String::new(),
        insights: Vec::new(),
        invitations: true,
        sequence: 0,
        updated_at: Utc::now(),
    })
}

/// The invitations and cancellations of a change from `before` to `after` for the
/// participants who have an email, and the SEQUENCE from now on. Nothing when email is off.
pub async fn calendar_mails(
    state: &AppState,
    before: Option<&Interview>,
    after: &Interview,
) -> Result<(i64, Vec<crate::mail::repo::MailBinding>), AppError> {
    let sequence = before.map_or(0, |b| b.sequence);
    let plan = domain::interviews::invite::plan(before.map(slot).as_ref(), &slot(after), sequence);
    if state.settings.mail_from.is_none() {
        return Ok((plan.sequence, Vec::new()));
    }
    let ids: Vec<String> = plan
        .requests
        .iter()
        .chain(plan.cancels.iter())
        .cloned()
        .collect();
    if ids.is_empty() {
        return Ok((plan.sequence, Vec::new()));
    }
    let people = InterviewRepo::new(state.db.clone())
        .participant_emails(&ids)
        .await?;
    let mut mails = Vec::new();
    for (id, name, email) in people {
        let to = crate::mail::notify::Invitee {
            id: id.clone(),
            name,
            email,
        };
        if plan.requests.contains(&id) {
            mails.extend(crate::mail::notify::interview(
                state,
                after,
                &to,
                false,
                plan.update,
                plan.sequence,
            )?);
        } else {
            // Cancelled for everyone, or taken off the list: the entry they had goes.
            let had = before.unwrap_or(after);
            mails.extend(crate::mail::notify::interview(
                state,
                had,
                &to,
                true,
                false,
                plan.sequence,
            )?);
        }
    }
    Ok((plan.sequence, mails))
}
