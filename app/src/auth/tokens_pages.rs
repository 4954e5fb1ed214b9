//! The "API tokens" section of the profile page.

use leptos::prelude::*;

use super::tokens::{ApiToken, MAX_EXPIRES_DAYS, MAX_TOKEN_NAME};
use super::tokens_api::*;
use crate::components::CopyButton;
use crate::components::{ErrorNotice, FieldError, FormError, action_error, fmt_time};

/// Create, list and revoke the signed-in user's API tokens. The forms post and the page
/// reloads; a new token comes back once, through a short-lived cookie (see
/// [`take_new_token`]).
#[component]
pub fn ApiTokensSection() -> impl IntoView {
    let create = ServerAction::<CreateMyToken>::new();
    let revoke = ServerAction::<RevokeMyToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_my_tokens(),
    );
    let create_error = action_error(create);
    let revoke_error = action_error(revoke);
    let new_token = take_new_token();
    view! {
        <h2 id="api-tokens">"API tokens"</h2>
        <p class="hint">
            "A token lets scripts, CI jobs and integrations act as you, with your role and project access. Send it as "
            <code>"Authorization: Bearer …"</code>
            ". See the " <a href="/api/docs">"API reference"</a> "."
        </p>
        {new_token.map(|token| view! { <NewTokenNotice token/> })}
        <ActionForm action=create attr:class="card form-grid" attr:novalidate=true>
            <FormError error=create_error/>
            <div class="field">
                <label for="token-name">"Name"</label>
                <input id="token-name" name="name" type="text" maxlength=MAX_TOKEN_NAME.to_string() placeholder="API token" autocomplete="off"/>
                <p class="hint">"What the token is for, such as \u{201c}Nightly export\u{201d}."</p>
                <FieldError error=create_error field="name"/>
            </div>
            <div class="field">
                <label for="token-expires">"Expires in days (optional)"</label>
                <input id="token-expires" name="expires_days" type="number" min="1" max=MAX_EXPIRES_DAYS.to_string() step="1" inputmode="numeric"/>
                <p class="hint">"Leave empty for a token that does not expire."</p>
                <FieldError error=create_error field="expires_days"/>
            </div>
            <div class="actions"><button type="submit" class="primary">"Create token"</button></div>
        </ActionForm>
        {move || revoke_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">"You have no API tokens."</p> }.into_any(),
                    Ok(list) => view! { <TokenTable list revoke/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// The new token, shown this once.
#[component]
fn NewTokenNotice(token: String) -> impl IntoView {
    view! {
        <div class="copy-link alert alert-info" role="status">
            <label for="new-token">"Your new token"</label>
            <div class="copy-row">
                <input id="new-token" type="text" readonly=true value=token.clone() class="copy-input" autocomplete="off" spellcheck="false"/>
                <CopyButton text=token/>
            </div>
            <p class="hint">"Copy it now; it will not be shown again. Only a scrambled form of it is stored."</p>
        </div>
    }
}

#[component]
fn TokenTable(list: Vec<ApiToken>, revoke: ServerAction<RevokeMyToken>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th>"Name"</th><th>"Created"</th><th>"Expires"</th><th>"Last used"</th><th>"Status"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|t| {
                    let label = format!("Revoke {}", t.name);
                    let (class, status) = if t.expired { ("badge badge-red", "Expired") } else { ("badge badge-green", "Active") };
                    view! {
                        <tr>
                            <td>{t.name.clone()}</td>
                            <td>{fmt_time(&t.created_at)}</td>
                            <td>{t.expires_at.as_ref().map_or_else(|| "Never".to_string(), fmt_time)}</td>
                            <td>{t.last_used_at.as_ref().map_or_else(|| "Never".to_string(), fmt_time)}</td>
                            <td><span class=class>{status}</span></td>
                            <td class="row-actions">
                                <ActionForm action=revoke attr:class="inline">
                                    <input type="hidden" name="id" value=t.id/>
                                    <button type="submit" aria-label=label>"Revoke"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
