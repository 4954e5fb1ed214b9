//! Single sign-on on Admin → Settings: what is configured (never the secret).

use leptos::prelude::*;

use super::sso_api::get_sso_status;
use crate::components::ErrorNotice;

/// The SSO card of `/admin/settings`. SSO is set up through the server's settings (see the
/// README), so the card shows them rather than editing them.
#[component]
pub fn SsoSettingsCard() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_sso_status());
    view! {
        <section class="card" aria-labelledby="sso-heading">
            <h2 id="sso-heading">"Single sign-on"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.enabled => {
                            let domains = if s.allowed_domains.is_empty() {
                                "Any".to_string()
                            } else {
                                s.allowed_domains.join(", ")
                            };
                            view! {
                                <p class="hint">"OpenID Connect, set through the server's TOUCHPOINT_OIDC_* settings."</p>
                                <dl class="facts">
                                    <dt>"Provider"</dt><dd>{s.display_name}</dd>
                                    <dt>"Issuer"</dt><dd><code>{s.issuer}</code></dd>
                                    <dt>"Client id"</dt><dd><code>{s.client_id}</code></dd>
                                    <dt>"Client secret"</dt><dd>{if s.client_secret_set { "Set (not shown)" } else { "Not set" }}</dd>
                                    <dt>"Redirect URI"</dt><dd><code>{s.redirect_uri}</code></dd>
                                    <dt>"Allowed email domains"</dt><dd>{domains}</dd>
                                    <dt>"Emails"</dt><dd>{if s.trust_email { "Every email from the provider counts as verified" } else { "Only emails the provider marks verified link accounts" }}</dd>
                                    <dt>"First sign-in"</dt><dd>{if s.self_registration { format!("Creates an account ({})", s.default_role.label()) } else { "Needs an account an admin added".to_string() }}</dd>
                                    <dt>"Password sign-in"</dt><dd>{if s.password_sign_in { "On" } else { "Off" }}</dd>
                                </dl>
                            }.into_any()
                        }
                        Ok(s) => view! {
                            <p>"Not configured: people sign in with their email and password."</p>
                            <p class="hint">
                                "Set TOUCHPOINT_OIDC_ISSUER, TOUCHPOINT_OIDC_CLIENT_ID and TOUCHPOINT_OIDC_CLIENT_SECRET to turn it on"
                                {(!s.redirect_uri.is_empty()).then(|| view! { ", and register the redirect URI " <code>{s.redirect_uri.clone()}</code> " at the provider" })}
                                ". The README has the steps for Keycloak, Microsoft Entra ID, Google and Authentik."
                            </p>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
