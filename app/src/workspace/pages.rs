//! `/admin/settings`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::COMMON_TIME_ZONES;
use super::api::*;
use crate::components::{ErrorNotice, FieldError, FormError, action_error};

/// Workspace settings for admins.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let update = ServerAction::<UpdateWorkspaceSettings>::new();
    let settings = Resource::new(move || update.version().get(), |_| get_workspace_settings());
    let error = action_error(update);
    view! {
        <Title text="Settings · Touchpoint"/>
        <section class="page">
            <crate::auth::pages::AdminTabs/>
            <h1>"Workspace settings"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! {
                            <ActionForm action=update attr:class="card">
                                <FormError error/>
                                <label for="time_zone">"Time zone"</label>
                                <input id="time_zone" name="time_zone" type="text" list="time-zones" value=s.time_zone.clone()/>
                                <datalist id="time-zones">
                                    {COMMON_TIME_ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
                                </datalist>
                                <p class="hint">"Dates in reports and signals are counted in this zone (an IANA name such as Europe/Berlin)."</p>
                                <FieldError error field="time_zone"/>
                                <div class="actions"><button type="submit" class="primary">"Save"</button></div>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <crate::webhooks::pages::WebhookSettingsForm/>
            <crate::auth::sso_pages::SsoSettingsCard/>
        </section>
    }
}
