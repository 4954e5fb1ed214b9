//! The public feedback page behind an invite link (`/f/{token}`): no account, the form, and what
//! the stakeholder said before.

use super::*;

#[cfg(feature = "ssr")]
fn set_status(code: http::StatusCode) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(code);
    }
}

/// `/f/{token}`: the stakeholder feedback page. Needs no account and reaches nothing but the
/// link's project (and sprint).
#[component]
pub fn FeedbackLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let submit = ServerAction::<SubmitLinkFeedback>::new();
    let page = Resource::new(
        move || (token.get(), submit.version().get()),
        |(t, _)| open_feedback_link(t, None),
    );
    view! {
        <Title text="Feedback · Touchpoint"/>
        <Meta name="robots" content="noindex, nofollow"/>
        <main class="public-page">
            <p class="public-brand">"Touchpoint"</p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let token = token.get();
                    Suspend::new(async move {
                    match page.await {
                        Ok(LinkPage::Open(link)) => view! { <LinkForm link=*link token=token submit/> }.into_any(),
                        Ok(LinkPage::Expired) => {
                            #[cfg(feature = "ssr")]
                            set_status(http::StatusCode::GONE);
                            view! { <ClosedLink expired=true/> }.into_any()
                        }
                        Ok(LinkPage::Revoked) => {
                            #[cfg(feature = "ssr")]
                            set_status(http::StatusCode::GONE);
                            view! { <ClosedLink expired=false/> }.into_any()
                        }
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            set_status(e.status_code());
                            view! {
                                <h1>"This link does not work"</h1>
                                <p>{e.message()}</p>
                            }.into_any()
                        }
                    }
                    })
                }}
            </Suspense>
        </main>
    }
}

#[component]
fn ClosedLink(expired: bool) -> impl IntoView {
    view! {
        <h1>{if expired { "This feedback link has expired" } else { "This feedback link was withdrawn" }}</h1>
        <p>"Thank you for wanting to help. Links work for a limited time, and the team can withdraw them. If you still have something to say, ask the team for a new link."</p>
    }
}

#[component]
fn LinkForm(
    link: OpenLink,
    token: String,
    submit: ServerAction<SubmitLinkFeedback>,
) -> impl IntoView {
    let error = action_error(submit);
    let query = use_query_map();
    let sent = move || {
        matches!(submit.value().get(), Some(Ok(())))
            || query.read().get("sent").as_deref() == Some("1")
    };
    let title = format!("Feedback for {}", link.project_name);
    let names_stakeholder = link.names_stakeholder;
    view! {
        <Title text=format!("{title} · Touchpoint")/>
        <h1>{title}</h1>
        {link.sprint.clone().map(|s| view! {
            <div class="card sprint-goal">
                <p class="hint">{format!("Sprint #{} · {}", s.number, s.name)}</p>
                <p><strong>"Goal: "</strong>{if s.goal.trim().is_empty() { "—".to_string() } else { s.goal.clone() }}</p>
            </div>
        })}
        {move || if sent() { Some(view! { <p class="alert alert-info" role="status">"Thank you! Your feedback was sent to the team."</p> }) } else { None }}
        <ActionForm action=submit attr:class="card public-form" attr:novalidate=true>
            <FormError error/>
            <input type="hidden" name="token" value=token/>
            <input type="hidden" name="project" value=link.project_key.clone()/>
            {link.names_sprint.then(|| link.sprint.as_ref().map(|s| view! { <input type="hidden" name="sprint" value=s.number.to_string()/> }))}
            <fieldset class="rating">
                <legend>"Does this iteration help you?"</legend>
                <div class="rating-options">
                    {(1..=5).map(|r| {
                        let id = format!("rating-{r}");
                        let label = match r {
                            1 => "1 · Not at all",
                            2 => "2",
                            3 => "3",
                            4 => "4",
                            _ => "5 · A lot",
                        };
                        view! {
                            <span class="rating-option">
                                <input type="radio" id=id.clone() name="rating" value=r.to_string()/>
                                <label for=id>{label}</label>
                            </span>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <FieldError error field="rating"/>
            <label for="body">"Your comment"</label>
            <textarea id="body" name="body" rows="6" maxlength=MAX_BODY.to_string() aria-describedby="body-hint"></textarea>
            <p class="hint" id="body-hint">{format!("Up to {MAX_BODY} characters.")}</p>
            <FieldError error field="body"/>
            <label for="category">"What is it about?"</label>
            <select id="category" name="category">
                {FeedbackCategory::ALL.iter().map(|c| view! { <option value=c.as_str() selected=*c == FeedbackCategory::Other>{c.label()}</option> }).collect_view()}
            </select>
            <FieldError error field="category"/>
            {if !names_stakeholder { Some(view! {
                <label for="author_name">"Your name (optional)"</label>
                <input id="author_name" name="author_name" type="text" maxlength="100" autocomplete="name"/>
                <FieldError error field="author_name"/>
                <label for="author_function">"Your role (optional)"</label>
                <select id="author_function" name="author_function">
                    <option value="">"Prefer not to say"</option>
                    {Function::ALL.iter().map(|f| view! { <option value=f.as_str()>{f.label()}</option> }).collect_view()}
                </select>
                <FieldError error field="author_function"/>
            }) } else { None }}
            {link.can_notify.then(|| view! {
                <fieldset class="subtle">
                    <legend>"Hear back (optional)"</legend>
                    <label class="checkbox-label" for="notify">
                        <input id="notify" name="notify" type="checkbox" value="true"/>
                        " Tell me when the team responds"
                    </label>
                    <label for="notify_email">"Your email"</label>
                    <input id="notify_email" name="notify_email" type="email" maxlength="254" autocomplete="email" aria-describedby="notify-hint"/>
                    <p class="hint" id="notify-hint">"You get one email each time the team answers or decides on this feedback, with a link to stop them. Your address is used for nothing else."</p>
                    <FieldError error field="notify_email"/>
                </fieldset>
            })}
            <div class="actions"><button type="submit" class="primary">"Send feedback"</button></div>
        </ActionForm>
        <section class="privacy card" aria-labelledby="privacy-heading">
            <h2 id="privacy-heading">"Privacy"</h2>
            <p>{format!(
                "What we keep: your rating, comment and category, {}and when you sent them. Who sees it: the {} team in Touchpoint, who may answer you here.",
                if names_stakeholder { "" } else { "the name and role you give (both optional), " },
                link.project_name,
            )}</p>
            {link.can_notify.then(|| view! {
                <p>"If you ask to hear back, we keep your email address and when you agreed, only to tell you when the team responds. Every email has a link that stops them at once and removes your address."</p>
            })}
            <p>{if names_stakeholder {
                "This link is personal: opening it again shows your earlier feedback on this project and the team's answers."
            } else {
                "So that you can see your earlier feedback and the team's answers here, this browser keeps a random identifier in a cookie; we store only a scrambled form of it. The network address you send from is kept in a security log to prevent abuse."
            }}</p>
        </section>
        <EarlierFeedback list=link.earlier/>
    }
}

#[component]
fn EarlierFeedback(list: Vec<OwnFeedback>) -> impl IntoView {
    if !list.is_empty() {
        Some(view! {
            <section class="earlier" aria-labelledby="earlier-heading">
                <h2 id="earlier-heading">"Your earlier feedback"</h2>
                {list.into_iter().map(|f| view! {
                    <article class="card feedback-item">
                        <p class="hint">
                            {fmt_time(&f.submitted_at)} " · " {f.category.label()} " · "
                            <span class=status_class(f.status)>{f.status.label()}</span>
                            {f.addressed_in.map(|n| format!(" · addressed in sprint #{n}"))}
                            " " <Stars rating=f.rating/>
                        </p>
                        <p class="feedback-body">{f.body.clone()}</p>
                        {f.response.clone().map(|r| view! {
                            <div class="feedback-response">
                                <p class="hint">{format!("Response from the team{}", f.responded_at.map(|t| format!(" · {}", fmt_time(&t))).unwrap_or_default())}</p>
                                <p class="feedback-body">{r}</p>
                            </div>
                        })}
                    </article>
                }).collect_view()}
            </section>
        })
    } else {
        None
    }
}
