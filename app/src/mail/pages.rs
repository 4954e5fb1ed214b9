//! `/admin/outbox`: the latest messages with their status and last error, and a test message.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::*;
use super::{MailStatus, OutboxEntry};
use crate::auth::pages::AdminTabs;
use crate::components::{ErrorNotice, FieldError, FormError, action_error, fmt_time};

/// The outbox page (admins).
#[component]
pub fn OutboxPage() -> impl IntoView {
    let test = ServerAction::<SendTestMail>::new();
    let outbox = Resource::new(move || test.version().get(), |_| get_outbox());
    let error = action_error(test);
    view! {
        <Title text="Outbox · Touchpoint"/>
        <section class="page">
            <AdminTabs/>
            <h1>"Outbox"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match outbox.await {
                        Ok(o) => {
                            let on = o.from.clone();
                            view! {
                                {match on {
                                    Some(from) => view! { <p>"Email is on. Messages come from " <code>{from}</code> "."</p> }.into_any(),
                                    None => view! { <p class="alert alert-info">"Email is off: set TOUCHPOINT_SMTP_URL and TOUCHPOINT_MAIL_FROM to turn it on. Nothing is queued while it is off."</p> }.into_any(),
                                }}
                                <OutboxTable list=o.entries/>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Send a test message"</h2>
            <ActionForm action=test attr:class="card form-grid" attr:novalidate=true>
                <FormError error/>
                <div class="field">
                    <label for="test-to">"To"</label>
                    <input id="test-to" name="to" type="email" required/>
                    <FieldError error field="to"/>
                </div>
                <div class="actions"><button type="submit" class="primary">"Send test message"</button></div>
            </ActionForm>
            {move || matches!(test.value().get(), Some(Ok(()))).then(|| view! { <p class="alert alert-info" role="status">"Queued. It shows below once sent."</p> })}
        </section>
    }
}

#[component]
fn OutboxTable(list: Vec<OutboxEntry>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty-state">"No messages yet."</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th>"Queued"</th><th>"To"</th><th>"Subject"</th><th>"Kind"</th><th>"Status"</th><th>"Attempts"</th><th>"Last error"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|m| {
                    let status = match m.status {
                        MailStatus::Pending => "Pending",
                        MailStatus::Sent => "Sent",
                        MailStatus::Failed => "Failed",
                    };
                    view! {
                        <tr>
                            <td>{fmt_time(&m.created_at)}</td>
                            <td>{m.recipient}</td>
                            <td>{m.subject}</td>
                            <td>{m.kind.label()}</td>
                            <td><span class="badge">{status}</span></td>
                            <td>{m.attempts}</td>
                            <td>{m.last_error.unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
