//! `/projects/{key}/settings/webhooks` (the list and a form for a new one) and
//! `/projects/{key}/settings/webhooks/{id}` (its settings, delivery log and test button).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::*;
use super::{Delivery, DeliveryStatus, EventType, Webhook};
use crate::components::CopyLink;
use crate::components::ProjectFrame;
use crate::components::{ErrorNotice, FieldError, FormError, action_error, fmt_time};
use crate::projects::ProjectDetail;

/// The secret handed over by a plain form post that made the webhook, shown once.
fn take_new_secret(key: &str, id: &str) -> Option<String> {
    crate::flash::take(
        crate::flash::NEW_SECRET,
        &format!("/projects/{key}/settings/webhooks/{id}"),
        |s| s.starts_with("whsec_") && s.len() < 100,
    )
}

fn refused(d: &ProjectDetail) -> Option<AnyView> {
    (!d.access.can_manage()).then(|| {
        view! { <div class="card empty-state"><p>"Only the project's leads can manage its webhooks."</p></div> }
            .into_any()
    })
}

/// The event checkboxes, with `chosen` ticked.
#[component]
fn EventChoices(
    chosen: Vec<EventType>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Events to send"</legend>
            {EventType::SUBSCRIBABLE.iter().map(|e| {
                let id = format!("event-{}", e.as_str().replace('.', "-"));
                view! {
                    <div class="checkbox-field">
                        <input type="checkbox" id=id.clone() name="events[]" value=e.as_str() checked=chosen.contains(e)/>
                        <label for=id>{e.label()}" "<code>{e.as_str()}</code></label>
                    </div>
                }
            }).collect_view()}
            <FieldError error field="events"/>
        </fieldset>
    }
}

/// `/projects/{key}/settings/webhooks`.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| {
            if let Some(no) = refused(&d) {
                return no;
            }
            view! { <WebhookList key=d.project.key.clone()/> }.into_any()
        })/>
    }
}

#[component]
fn WebhookList(key: String) -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let error = action_error(create);
    let k = key.clone();
    let hooks = Resource::new(
        move || (k.clone(), create.version().get()),
        |(k, _)| list_webhooks(k),
    );
    let k = key.clone();
    view! {
        <Title text="Webhooks · Touchpoint"/>
        <div class="page-head">
            <h2>"Webhooks"</h2>
            <a href=format!("/projects/{key}/settings")>"Back to the settings"</a>
        </div>
        <p class="lead">
            "Touchpoint POSTs a signed JSON event to each address when something happens in this project. "
            "See the README for the body and how to check the "<code>"X-Touchpoint-Signature"</code>" header."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = k.clone();
                Suspend::new(async move {
                    match hooks.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty-state">"No webhooks yet."</p> }.into_any(),
                        Ok(list) => view! { <WebhookTable key list/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <section class="card stack" aria-labelledby="new-webhook-heading">
            <h3 id="new-webhook-heading">"Add a webhook"</h3>
            <ActionForm action=create attr:novalidate=true>
                <FormError error/>
                <input type="hidden" name="key" value=key.clone()/>
                <label for="webhook-url">"Address (URL)"</label>
                <input id="webhook-url" name="url" type="url" required maxlength=super::MAX_URL.to_string() placeholder="https://example.org/hooks/touchpoint" autocomplete="off"/>
                <FieldError error field="url"/>
                <EventChoices chosen=vec![EventType::FeedbackCreated] error/>
                <FormatChoice chosen=super::WebhookFormat::Json error/>
                <label for="webhook-secret">"Secret (optional)"</label>
                <input id="webhook-secret" name="secret" type="text" maxlength="200" autocomplete="off" spellcheck="false" aria-describedby="webhook-secret-hint"/>
                <p class="hint" id="webhook-secret-hint">"16 characters or more. Leave empty to have one made; it is shown once."</p>
                <FieldError error field="secret"/>
                <div class="actions"><button type="submit" class="primary">"Add webhook"</button></div>
            </ActionForm>
        </section>
    }
}

/// What a webhook sends: the signed JSON, a Slack message or a Teams card.
#[component]
fn FormatChoice(
    chosen: super::WebhookFormat,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <label for="webhook-format">"Format"</label>
        <select id="webhook-format" name="format" aria-describedby="webhook-format-hint">
            {super::WebhookFormat::ALL.into_iter().map(|f| view! { <option value=f.as_str() selected=f == chosen>{f.label()}</option> }).collect_view()}
        </select>
        <p class="hint" id="webhook-format-hint">"Slack: an incoming-webhook address. Microsoft Teams: the address of a Workflows webhook (\"When a Teams webhook request is received\"). Each event arrives as a short summary with a link."</p>
        <FieldError error field="format"/>
    }
}

#[component]
fn WebhookTable(key: String, list: Vec<Webhook>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Address"</th><th scope="col">"Format"</th><th scope="col">"Events"</th><th scope="col">"State"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|w| {
                    let href = format!("/projects/{key}/settings/webhooks/{}", w.id);
                    let events = w.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr>
                            <td><a href=href>{w.url.clone()}</a></td>
                            <td>{w.format.label()}</td>
                            <td>{events}</td>
                            <td>{if w.active { "On" } else { "Off" }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/projects/{key}/settings/webhooks/{id}`.
#[component]
pub fn WebhookPage() -> impl IntoView {
    let params = use_params_map();
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| {
            if let Some(no) = refused(&d) {
                return no;
            }
            let id = params.read_untracked().get("id").unwrap_or_default();
            view! { <WebhookDetail key=d.project.key.clone() id/> }.into_any()
        })/>
    }
}

#[component]
fn WebhookDetail(key: String, id: String) -> impl IntoView {
    let update = ServerAction::<UpdateWebhook>::new();
    let test = ServerAction::<SendTestEvent>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let (k, i) = (key.clone(), id.clone());
    let page = Resource::new(
        move || {
            (
                k.clone(),
                i.clone(),
                update.version().get(),
                test.version().get(),
            )
        },
        |(k, i, ..)| get_webhook(k, i),
    );
    let new_secret = take_new_secret(&key, &id);
    let update_error = action_error(update);
    let test_error = action_error(test);
    let delete_error = action_error(delete);
    view! {
        <Title text="Webhook · Touchpoint"/>
        <div class="page-head">
            <h2>"Webhook"</h2>
            <a href=format!("/projects/{key}/settings/webhooks")>"All webhooks"</a>
        </div>
        {new_secret.map(|url| view! {
            <CopyLink url label="Signing secret" id="new-secret"
                hint="Copy it to the receiving system now; it will not be shown again."/>
        })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            let w = p.webhook;
                            let (k1, k2, k3) = (key.clone(), key.clone(), key.clone());
                            let (i1, i2, i3) = (w.id.clone(), w.id.clone(), w.id.clone());
                            view! {
                                <section class="card stack" aria-labelledby="webhook-settings-heading">
                                    <h3 id="webhook-settings-heading">"Settings"</h3>
                                    <ActionForm action=update attr:novalidate=true>
                                        <FormError error=update_error/>
                                        <input type="hidden" name="key" value=k1/>
                                        <input type="hidden" name="id" value=i1/>
                                        <label for="webhook-url">"Address (URL)"</label>
                                        <input id="webhook-url" name="url" type="url" required maxlength=super::MAX_URL.to_string() value=w.url.clone() autocomplete="off"/>
                                        <FieldError error=update_error field="url"/>
                                        <EventChoices chosen=w.events.clone() error=update_error/>
                                        <FormatChoice chosen=w.format error=update_error/>
                                        <div class="checkbox-field">
                                            <input type="checkbox" id="webhook-active" name="active" value="true" checked=w.active/>
                                            <label for="webhook-active">"On (send events)"</label>
                                        </div>
                                        <div class="actions"><button type="submit" class="primary">"Save webhook"</button></div>
                                    </ActionForm>
                                </section>
                                <section class="card stack" aria-labelledby="deliveries-heading">
                                    <div class="page-head">
                                        <h3 id="deliveries-heading">"Deliveries"</h3>
                                        <ActionForm action=test attr:class="inline">
                                            <input type="hidden" name="key" value=k2/>
                                            <input type="hidden" name="id" value=i2/>
                                            <button type="submit">"Send a test event"</button>
                                        </ActionForm>
                                    </div>
                                    {move || test_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
                                    <p class="hint">"The latest 50, newest first. A failed delivery is tried again, waiting twice as long each time, for 24 hours. Reload to see new attempts."</p>
                                    <DeliveryLog list=p.deliveries/>
                                </section>
                                <section class="card danger-zone stack" aria-labelledby="delete-webhook-heading">
                                    <h3 id="delete-webhook-heading">"Delete the webhook"</h3>
                                    <p class="hint">"Stops all deliveries, including pending retries, and deletes the log."</p>
                                    {move || delete_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
                                    <ActionForm action=delete>
                                        <input type="hidden" name="key" value=k3/>
                                        <input type="hidden" name="id" value=i3/>
                                        <button type="submit">"Delete webhook"</button>
                                    </ActionForm>
                                </section>
                            }.into_any()
                        }
                        Err(crate::error::AppError::NotFound(_)) => view! { <crate::components::NotFound/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn DeliveryLog(list: Vec<Delivery>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty-state">"Nothing sent yet."</p> }.into_any();
    }
    view! {
        <table class="table deliveries">
            <thead><tr>
                <th scope="col">"Event"</th><th scope="col">"Happened"</th><th scope="col">"Status"</th>
                <th scope="col">"Attempts"</th><th scope="col">"Last answer"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|d| {
                    let status = match d.status {
                        DeliveryStatus::Delivered => view! { <span class="badge badge-green">"Delivered"</span> }.into_any(),
                        DeliveryStatus::Failed => view! { <span class="badge badge-red">"Failed"</span> }.into_any(),
                        DeliveryStatus::Pending => view! {
                            <span class="badge badge-amber">"Pending"</span>
                            {d.next_attempt_at.map(|t| view! { <span class="hint">{format!(" next try {}", fmt_time(&t))}</span> })}
                        }.into_any(),
                    };
                    let answer = match (d.last_status, d.last_error.clone()) {
                        (_, Some(e)) => e,
                        (Some(code), None) => format!("HTTP {code}"),
                        (None, None) => "—".to_string(),
                    };
                    view! {
                        <tr>
                            <td><code>{d.event.as_str()}</code></td>
                            <td class="nowrap">{fmt_time(&d.created_at)}</td>
                            <td>{status}</td>
                            <td>{d.attempts}</td>
                            <td>{answer}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The workspace setting for webhooks, on `/admin/settings`.
#[component]
pub fn WebhookSettingsForm() -> impl IntoView {
    let update = ServerAction::<UpdateWebhookSettings>::new();
    let allowed = Resource::new(move || update.version().get(), |_| get_webhook_settings());
    let error = action_error(update);
    view! {
        <h2>"Webhooks"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match allowed.await {
                    Ok(allow) => view! {
                        <ActionForm action=update attr:class="card">
                            <FormError error/>
                            <div class="checkbox-field">
                                <input type="checkbox" id="allow_private" name="allow_private" value="true" checked=allow/>
                                <label for="allow_private">"Allow webhooks to private and loopback addresses"</label>
                            </div>
                            <p class="hint">"Off by default, so that a project lead cannot point Touchpoint at services inside your network (such as cloud metadata or an admin interface). Turn it on when your receivers run on the same host or network."</p>
                            <div class="actions"><button type="submit">"Save webhook setting"</button></div>
                        </ActionForm>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
