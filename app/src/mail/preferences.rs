//! A member's email choices on the profile page: new feedback in their projects (immediately,
//! in the digest, or off) and the digest (daily, weekly or off, at 08:00 in the workspace's
//! time zone).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{ErrorNotice, FieldError, FormError, action_error};
use crate::error::AppError;
use domain::mail::digest::{DigestFrequency, FeedbackAlert, MailPreferences};

/// The profile page's email section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    /// Whether Touchpoint can send email at all.
    pub on: bool,
    /// The member's choices.
    pub preferences: MailPreferences,
}

/// The signed-in user's email choices.
#[server(prefix = "/api/fn", endpoint = "me/mail")]
pub async fn get_mail_settings() -> Result<MailSettings, AppError> {
    let (state, user, _) = crate::auth::service::require_user().await?;
    let preferences = super::repo::MailRepo::new(state.db.clone())
        .digest_user(&user.id)
        .await?
        .map(|u| u.preferences)
        .unwrap_or_default();
    Ok(MailSettings {
        on: state.settings.mail_from.is_some(),
        preferences,
    })
}

/// Saves the signed-in user's email choices.
#[server(prefix = "/api/fn", endpoint = "me/mail/save")]
pub async fn save_mail_settings(feedback: String, digest: String) -> Result<(), AppError> {
    let (state, user, ctx) = crate::auth::service::require_user().await?;
    let preferences = MailPreferences {
        feedback: FeedbackAlert::parse(&feedback)
            .ok_or_else(|| AppError::field("feedback", "Choose one of the options."))?,
        digest: DigestFrequency::parse(&digest)
            .ok_or_else(|| AppError::field("digest", "Choose one of the options."))?,
    };
    super::repo::MailRepo::new(state.db.clone())
        .set_preferences(&user.id, preferences)
        .await?;
    crate::auth::service::audit(
        &state,
        Some(&user),
        &ctx,
        "user.mail_preferences",
        &user.id,
        &format!(
            "feedback {}, digest {}",
            preferences.feedback.as_str(),
            preferences.digest.as_str()
        ),
    )
    .await;
    Ok(())
}

/// Composes the signed-in user's digest now, from what changed since their last one, and
/// queues it; answers whether there was anything to send.
#[server(prefix = "/api/fn", endpoint = "me/mail/digest-now")]
pub async fn send_digest_now() -> Result<bool, AppError> {
    let (state, user, _) = crate::auth::service::require_user().await?;
    if state.settings.mail_from.is_none() {
        return Err(super::service::off());
    }
    let member = super::repo::MailRepo::new(state.db.clone())
        .digest_user(&user.id)
        .await?
        .ok_or_else(|| AppError::not_found("User"))?;
    let tz = crate::workspace::repo::WorkspaceRepo::new(state.db.clone())
        .time_zone()
        .await?;
    let outcome = super::digest::run(&state, &member, tz, chrono::Utc::now(), true).await?;
    Ok(outcome == super::digest::Outcome::Queued)
}

/// The email section of the profile page.
#[component]
pub fn MailPreferencesSection() -> impl IntoView {
    let save = ServerAction::<SaveMailSettings>::new();
    let now = ServerAction::<SendDigestNow>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_mail_settings());
    let save_error = action_error(save);
    let now_error = action_error(now);
    view! {
        <h2 id="email">"Email"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(s) => {
                        let p = s.preferences;
                        view! {
                            {(!s.on).then(|| view! {
                                <p class="hint">"Email is off on this Touchpoint: your choices are kept and apply once an admin turns it on."</p>
                            })}
                            <ActionForm action=save attr:class="card form-grid" attr:novalidate=true>
                                <FormError error=save_error/>
                                <fieldset class="choices">
                                    <legend>"New feedback in my projects"</legend>
                                    {FeedbackAlert::ALL.iter().map(|f| {
                                        let id = format!("mail-feedback-{}", f.as_str());
                                        let label_for = id.clone();
                                        view! {
                                            <label class="checkbox-label" for=label_for>
                                                <input id=id type="radio" name="feedback" value=f.as_str() checked=p.feedback == *f/>
                                                " " {f.label()}
                                            </label>
                                        }
                                    }).collect_view()}
                                    <FieldError error=save_error field="feedback"/>
                                </fieldset>
                                <fieldset class="choices">
                                    <legend>"Digest"</legend>
                                    {DigestFrequency::ALL.iter().map(|f| {
                                        let id = format!("mail-digest-{}", f.as_str());
                                        let label_for = id.clone();
                                        view! {
                                            <label class="checkbox-label" for=label_for>
                                                <input id=id type="radio" name="digest" value=f.as_str() checked=p.digest == *f/>
                                                " " {f.label()}
                                            </label>
                                        }
                                    }).collect_view()}
                                    <p class="hint">"Sent at 08:00 in the workspace\u{2019}s time zone, for the projects you are a member of: signals that changed, projects lacking end-user contact, new feedback (when you take it in the digest), overdue action items and interviews in the next 7 days. Nothing is sent when nothing changed."</p>
                                    <FieldError error=save_error field="digest"/>
                                </fieldset>
                                <div class="actions"><button type="submit" class="primary">"Save email choices"</button></div>
                            </ActionForm>
                            {s.on.then(|| view! {
                                <ActionForm action=now>
                                    <button type="submit">"Send me my digest now"</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
        {move || now.value().get().map(|r| match r {
            Ok(true) => view! { <p class="alert alert-info" role="status">"Your digest is on its way."</p> }.into_any(),
            Ok(false) => view! { <p class="alert alert-info" role="status">"Nothing changed since your last digest, so none was sent."</p> }.into_any(),
            Err(_) => ().into_any(),
        })}
        {move || now_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
    }
}
