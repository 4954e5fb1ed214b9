//! The unsubscribe page: the address (masked) and one button. Opening the page changes
//! nothing (link scanners open pages); the button posts the one-click form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::UnsubscribeView;
use crate::components::ErrorNotice;
use crate::error::AppError;

/// What the page at `/unsubscribe/{token}` shows (no sign-in: the token is the credential).
#[server(prefix = "/api/fn", endpoint = "unsubscribe/status")]
pub async fn unsubscribe_status(token: String) -> Result<UnsubscribeView, AppError> {
    let state = crate::state::app_state()?;
    let unknown = || AppError::NotFound("This unsubscribe link is not known.".into());
    if !crate::interviews::plausible_token(&token) {
        return Err(unknown());
    }
    let target = super::repo::MailRepo::new(state.db.clone())
        .unsubscribe_target(&store::secrets::hash_token(&token))
        .await?
        .ok_or_else(unknown)?;
    Ok(UnsubscribeView {
        email: super::masked(&target.email),
        done: target.used,
    })
}

/// `/unsubscribe/{token}`.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let status = Resource::new(token, unsubscribe_status);
    view! {
        <Title text="Unsubscribe · Touchpoint"/>
        <main class="auth-page">
            <div class="card auth-card">
                <h1>"Email from Touchpoint"</h1>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match status.await {
                            Ok(s) if s.done => view! {
                                <p role="status" class="alert alert-info">"You are unsubscribed. " <strong>{s.email}</strong> " gets no more messages about feedback it sent."</p>
                                <p class="hint">"To hear from a team again, tick \u{201c}Tell me when the team responds\u{201d} the next time you send feedback."</p>
                            }.into_any(),
                            Ok(s) => view! {
                                <p>"Stop the messages Touchpoint sends to " <strong>{s.email}</strong> " when a team responds to feedback it sent?"</p>
                                <form method="post" action=format!("/unsubscribe/{}", token())>
                                    <input type="hidden" name="List-Unsubscribe" value="One-Click"/>
                                    <button type="submit" class="primary">"Unsubscribe"</button>
                                </form>
                            }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}
