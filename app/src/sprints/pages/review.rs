//! The sprint review page (`/projects/{key}/sprints/{n}/review`): who attended, what was shown and
//! the outcome.

use super::*;

/// `/projects/{key}/sprints/{n}/review`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let n = use_sprint_number();
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| {
            view! { <ReviewBody key=d.project.key.clone() n/> }.into_any()
        })/>
    }
}

#[component]
fn ReviewBody(key: String, n: Signal<String>) -> impl IntoView {
    let put = ServerAction::<PutReview>::new();
    let delete = ServerAction::<DeleteReview>::new();
    let k = key.clone();
    let data = Resource::new(move || (k.clone(), n.get()), |(k, n)| get_review(k, n));
    view! {
        <Transition fallback=loading>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <ReviewView key d put delete/> }.into_any(),
                        Err(AppError::NotFound(_)) => view! { <crate::components::NotFound/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// The default day for a new review: today while the sprint runs (or just ended), else its
/// last day.
fn default_review_day(today: NaiveDate, start: NaiveDate, end: NaiveDate) -> NaiveDate {
    if start <= today && today <= end + Duration::days(3) {
        today
    } else {
        end
    }
}

#[component]
fn ReviewView(
    key: String,
    d: ReviewPageData,
    put: ServerAction<PutReview>,
    delete: ServerAction<DeleteReview>,
) -> impl IntoView {
    let s = d.sprint.clone();
    let href = sprint_href(&key, s.number);
    let error = action_error(put);
    let delete_error = action_error(delete);
    let saved = move || matches!(put.value().get(), Some(Ok(_)));
    let review = d.review.clone();
    // Attendees recorded earlier stay pickable even when no longer in the lists.
    let mut users: Vec<UserChoice> = d.users.clone();
    let mut stakeholders = d.stakeholders.clone();
    if let Some(r) = &review {
        for u in &r.attendee_users {
            if !users.iter().any(|c| c.id == u.id) {
                users.push(u.clone());
            }
        }
        for st in &r.attendee_stakeholders {
            if !stakeholders.iter().any(|c| c.id == st.id) {
                stakeholders.push(st.clone());
            }
        }
    }
    let chosen_users: Vec<String> = review
        .as_ref()
        .map(|r| r.attendee_users.iter().map(|u| u.id.clone()).collect())
        .unwrap_or_default();
    let chosen_stakeholders: Vec<String> = review
        .as_ref()
        .map(|r| {
            r.attendee_stakeholders
                .iter()
                .map(|u| u.id.clone())
                .collect()
        })
        .unwrap_or_default();
    let held_on = review.as_ref().map_or_else(
        || default_review_day(d.today, s.start_on, s.end_on),
        |r| r.held_on,
    );
    let outcome = review
        .as_ref()
        .map_or(ReviewOutcome::NoDecision, |r| r.outcome);
    let has_review = review.is_some();
    view! {
        <div class="page-head">
            <h2>{format!("Sprint review · {}", sprint_title(s.number, &s.name))}</h2>
            <a href=href.clone()>"Back to the sprint"</a>
        </div>
        <p class="lead">{date_range(s.start_on, s.end_on)}</p>
        {move || saved().then(|| view! { <p class="alert alert-info" role="status">"Review saved."</p> })}
        {match review.clone() {
            Some(r) => view! {
                <article class="card review stack">
                    <p>
                        {format!("Held on {} · ", r.held_on)}<OutcomeBadge outcome=r.outcome/>
                    </p>
                    <div class="grid-2">
                        <div>
                            <h3>"Team members"</h3>
                            {if r.attendee_users.is_empty() {
                                view! { <p class="hint">"None recorded."</p> }.into_any()
                            } else {
                                view! { <ul class="plain">{r.attendee_users.iter().map(|u| view! { <li>{u.name.clone()}</li> }).collect_view()}</ul> }.into_any()
                            }}
                        </div>
                        <div>
                            <h3>"Stakeholders"</h3>
                            {if r.attendee_stakeholders.is_empty() {
                                view! { <p class="hint">"None recorded."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain">
                                        {r.attendee_stakeholders.iter().map(|st| view! {
                                            <li>{st.display_name()}" "<span class="badge">{st.function.label()}</span></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </div>
                    </div>
                    <h3>"Demo summary"</h3>
                    {if r.summary.is_empty() {
                        view! { <p class="hint">"—"</p> }.into_any()
                    } else {
                        view! { <div class="prose" inner_html=r.summary_html.clone()></div> }.into_any()
                    }}
                    <h3>"Decisions"</h3>
                    {if r.decisions.is_empty() {
                        view! { <p class="hint">"—"</p> }.into_any()
                    } else {
                        view! { <div class="prose" inner_html=r.decisions_html.clone()></div> }.into_any()
                    }}
                </article>
            }.into_any(),
            None => view! { <div class="card empty-state"><p>"No review recorded for this sprint yet."</p></div> }.into_any(),
        }}
        {if d.access.can_write() { let key = key.clone(); Some(view! {
            <h3>{if has_review { "Edit the review" } else { "Record the review" }}</h3>
            <ActionForm action=put attr:class="card" attr:novalidate=true>
                <FormError error/>
                <input type="hidden" name="key" value=key.clone()/>
                <input type="hidden" name="number" value=s.number.to_string()/>
                <div class="form-grid">
                    <div>
                        <label for="review-held-on">"Held on"</label>
                        <input id="review-held-on" name="held_on" type="date" required value=held_on.to_string()/>
                        <FieldError error field="held_on"/>
                    </div>
                    <div>
                        <label for="review-outcome">"Outcome"</label>
                        <select id="review-outcome" name="outcome">
                            {ReviewOutcome::ALL.iter().map(|o| view! {
                                <option value=o.as_str() selected=*o == outcome>{o.label()}</option>
                            }).collect_view()}
                        </select>
                        <FieldError error field="outcome"/>
                    </div>
                </div>
                <div class="grid-2">
                    <fieldset class="checks">
                        <legend>"Team members attending"</legend>
                        {users.iter().map(|u| {
                            let id = format!("review-user-{}", u.id);
                                let for_id = id.clone();
                            let checked = chosen_users.contains(&u.id);
                            view! {
                                <label for=for_id>
                                    <input type="checkbox" id=id name="attendee_users[]" value=u.id.clone() checked=checked/>
                                    {u.name.clone()}
                                </label>
                            }
                        }).collect_view()}
                        <FieldError error field="attendee_users"/>
                    </fieldset>
                    <fieldset class="checks">
                        <legend>"Stakeholders attending"</legend>
                        {if stakeholders.is_empty() {
                            view! { <p class="hint">"The stakeholder directory is empty. Add people on the "<a href="/stakeholders">"Stakeholders"</a>" page first."</p> }.into_any()
                        } else {
                            stakeholders.iter().map(|st| {
                                let id = format!("review-stakeholder-{}", st.id);
                                let for_id = id.clone();
                                let checked = chosen_stakeholders.contains(&st.id);
                                view! {
                                    <label for=for_id>
                                        <input type="checkbox" id=id name="attendee_stakeholders[]" value=st.id.clone() checked=checked/>
                                        {st.display_name()}" "<span class="hint">{format!("({})", st.function.label())}</span>
                                    </label>
                                }
                            }).collect_view().into_any()
                        }}
                        <FieldError error field="attendee_stakeholders"/>
                    </fieldset>
                </div>
                <label for="review-summary">"Demo summary"</label>
                <textarea id="review-summary" name="summary" aria-describedby="review-md-hint">
                    {review.as_ref().map(|r| r.summary.clone())}
                </textarea>
                <FieldError error field="summary"/>
                <label for="review-decisions">"Decisions"</label>
                <textarea id="review-decisions" name="decisions" aria-describedby="review-md-hint">
                    {review.as_ref().map(|r| r.decisions.clone())}
                </textarea>
                <p class="hint" id="review-md-hint">"Markdown: **bold**, lists with -, links as [text](https://…)."</p>
                <FieldError error field="decisions"/>
                <div class="actions"><button type="submit" class="primary">"Save review"</button></div>
            </ActionForm>
        }) } else { None }}
        {if d.access.can_manage() && has_review { let key = key.clone(); Some(view! {
            <section class="card danger-zone stack" aria-labelledby="delete-review-heading">
                <h3 id="delete-review-heading">"Delete the review"</h3>
                {move || delete_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
                <ActionForm action=delete>
                    <input type="hidden" name="key" value=key.clone()/>
                    <input type="hidden" name="number" value=s.number.to_string()/>
                    <button type="submit">"Delete review"</button>
                </ActionForm>
            </section>
        }) } else { None }}
    }
}
