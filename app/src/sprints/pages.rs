//! The sprint list on a project's overview, and the sprint, review and retrospective pages.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use super::api::*;
use super::{
    ActionItem, ActionStatus, RetroFormat, RetroPageData, ReviewOutcome, ReviewPageData,
    SprintBoard, SprintDetail, VOTES_PER_RETRO,
};
use crate::components::ProjectFrame;
use crate::components::{ErrorNotice, FieldError, FormError, action_error};
use crate::error::AppError;
use crate::live::LiveUpdates;
use crate::projects::{AccessLevel, ProjectDetail, UserChoice};

/// The sprint number from the URL.
fn use_sprint_number() -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get("n").unwrap_or_default())
}

/// A counter that moves only when `action` succeeds, so that a resource keyed on it reloads
/// after a save but keeps a form (and what was typed in it) after an error.
fn ok_version<S>(action: ServerAction<S>) -> Memo<usize>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Memo::new(move |prev: Option<&usize>| {
        let version = action.version().get();
        match action.value().get() {
            Some(Ok(_)) => version,
            _ => prev.copied().unwrap_or(version),
        }
    })
}

/// "2026-01-05 – 2026-01-18".
fn date_range(start: NaiveDate, end: NaiveDate) -> String {
    format!("{start} – {end}")
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// "Sprint 3", or "Sprint 3 · Data pipeline" when the sprint has its own name.
fn sprint_title(number: u32, name: &str) -> String {
    if name == super::default_sprint_name(number) {
        name.to_string()
    } else {
        format!("Sprint {number} · {name}")
    }
}

fn sprint_href(key: &str, number: u32) -> String {
    format!("/projects/{key}/sprints/{number}")
}

/// A review outcome as a badge.
#[component]
fn OutcomeBadge(outcome: ReviewOutcome) -> impl IntoView {
    let class = match outcome {
        ReviewOutcome::Accepted => "badge badge-green",
        ReviewOutcome::ChangesRequested => "badge badge-amber",
        ReviewOutcome::NoDecision => "badge",
    };
    view! { <span class=class>{outcome.label()}</span> }
}

/// An action status as a badge.
#[component]
fn StatusBadge(status: ActionStatus) -> impl IntoView {
    let class = match status {
        ActionStatus::Open => "badge badge-amber",
        ActionStatus::Done => "badge badge-green",
        ActionStatus::Dropped => "badge",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// Overlap warnings.
#[component]
fn Warnings(warnings: Vec<String>) -> impl IntoView {
    (!warnings.is_empty()).then(|| {
        view! {
            <div class="alert alert-warning" role="status">
                <p><strong>"Overlapping dates"</strong>" (allowed, but check that this is intended):"</p>
                <ul>{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
            </div>
        }
    })
}

fn loading() -> impl IntoView {
    view! { <p class="loading">"Loading…"</p> }
}

// ---- the project overview section --------------------------------------------------------------

/// The sprint list's action and resource. The page creates them, outside its Suspense: the
/// server's render walks a Suspense's children more than once, and a resource created in there
/// would be loaded and sent to the browser once per walk.
#[derive(Clone, Copy)]
pub struct SprintsData {
    create: ServerAction<CreateSprint>,
    list: Resource<Result<SprintBoard, AppError>>,
}

impl SprintsData {
    /// The action and resource for the project named in the URL.
    pub fn new() -> Self {
        let create = ServerAction::<CreateSprint>::new();
        let created = ok_version(create);
        let key = crate::components::use_project_key();
        let list = Resource::new(
            move || (key.get(), created.get()),
            |(k, _)| get_sprint_board(k),
        );
        Self { create, list }
    }
}

impl Default for SprintsData {
    fn default() -> Self {
        Self::new()
    }
}

/// The sprint list on a project's overview, with the one-click "Start next sprint".
#[component]
pub fn SprintsSection(key: String, access: AccessLevel, data: SprintsData) -> impl IntoView {
    let SprintsData { create, list } = data;
    let error = action_error(create);
    let key_for_msg = key.clone();
    let message = move || match create.value().get() {
        Some(Ok(saved)) => {
            let href = sprint_href(&key_for_msg, saved.sprint.number);
            Some(view! {
                <div class="alert alert-info" role="status">
                    <p>
                        "Started "<a href=href>{saved.sprint.name.clone()}</a>": "
                        {date_range(saved.sprint.start_on, saved.sprint.end_on)}"."
                    </p>
                </div>
                <Warnings warnings=saved.warnings/>
            })
        }
        _ => None,
    };
    view! {
        <section class="sprints" aria-labelledby="sprints-heading">
            <h2 id="sprints-heading">"Sprints"</h2>
            {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
            {message}
            <Transition fallback=loading>
                {move || {
                    let key = key.clone();
                    Suspend::new(async move {
                        match list.await {
                            Ok(list) => view! { <SprintTable key list access create/> }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn SprintTable(
    key: String,
    list: SprintBoard,
    access: AccessLevel,
    create: ServerAction<CreateSprint>,
) -> impl IntoView {
    let next = list.next.clone();
    let next_hint = format!(
        "Creates {}: {} ({}).",
        next.name,
        date_range(next.start_on, next.end_on),
        days(super::sprint_length(next.start_on, next.end_on))
    );
    let today = list.today;
    let empty = list.rows.is_empty();
    view! {
        {if access.can_write() { let key = key.clone(); Some(view! {
            <ActionForm action=create attr:class="next-sprint">
                <input type="hidden" name="key" value=key.clone()/>
                <button type="submit" class="primary" aria-describedby="next-sprint-hint">"Start next sprint"</button>
                <span class="hint" id="next-sprint-hint">{next_hint.clone()}</span>
            </ActionForm>
        }) } else { None }}
        {if empty {
            view! {
                <div class="card empty-state">
                    <p>"No sprints yet."</p>
                    {if access.can_write() { Some(view! { <p>"Start the first one with the button above; you can change its dates afterwards."</p> }) } else { None }}
                </div>
            }.into_any()
        } else {
            view! {
                <table class="table sprint-table">
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"Sprint"</th><th scope="col">"Dates"</th>
                        <th scope="col">"Length"</th><th scope="col">"Goal"</th><th scope="col">"Review"</th><th scope="col">"Retro"</th>
                    </tr></thead>
                    <tbody>
                        {list.rows.into_iter().map(|s| {
                            let href = sprint_href(&key, s.number);
                            let running = s.start_on <= today && today <= s.end_on;
                            let review_href = format!("{href}/review");
                            let retro_href = format!("{href}/retro");
                            view! {
                                <tr>
                                    <td>{s.number}</td>
                                    <td>
                                        <a href=href.clone()>{s.name.clone()}</a>
                                        {if running { Some(view! { " "<span class="badge badge-green">"Running"</span> }) } else { None }}
                                    </td>
                                    <td class="nowrap">{date_range(s.start_on, s.end_on)}</td>
                                    <td class="nowrap">{days(super::sprint_length(s.start_on, s.end_on))}</td>
                                    <td>{if s.goal.is_empty() { "—".to_string() } else { s.goal.clone() }}</td>
                                    <td>{match s.review {
                                        Some(o) => view! { <a href=review_href><OutcomeBadge outcome=o/></a> }.into_any(),
                                        None => view! { <a href=review_href class="muted-link">"Not recorded"</a> }.into_any(),
                                    }}</td>
                                    <td>{match s.retro {
                                        Some(Some(day)) => view! { <a href=retro_href>{format!("Held {day}")}</a> }.into_any(),
                                        Some(None) => view! { <a href=retro_href>"Started"</a> }.into_any(),
                                        None => view! { <a href=retro_href class="muted-link">"Not held"</a> }.into_any(),
                                    }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

// ---- the sprint page ---------------------------------------------------------------------------

/// `/projects/{key}/sprints/{n}`.
#[component]
pub fn SprintPage() -> impl IntoView {
    let n = use_sprint_number();
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| {
            view! { <SprintBody key=d.project.key.clone() n/> }.into_any()
        })/>
    }
}

#[component]
fn SprintBody(key: String, n: Signal<String>) -> impl IntoView {
    let update = ServerAction::<UpdateSprint>::new();
    let delete = ServerAction::<DeleteSprint>::new();
    let saved = ok_version(update);
    let k = key.clone();
    let detail = Resource::new(
        move || (k.clone(), n.get(), saved.get()),
        |(k, n, _)| get_sprint(k, n),
    );
    view! {
        <Transition fallback=loading>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <SprintView key d update delete/> }.into_any(),
                        Err(AppError::NotFound(_)) => view! { <crate::components::NotFound/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn SprintView(
    key: String,
    d: SprintDetail,
    update: ServerAction<UpdateSprint>,
    delete: ServerAction<DeleteSprint>,
) -> impl IntoView {
    let s = d.sprint.clone();
    let n = s.number;
    let href = sprint_href(&key, n);
    let error = action_error(update);
    let delete_error = action_error(delete);
    let saved = move || matches!(update.value().get(), Some(Ok(_)));
    let count = |c: Option<u32>| c.map_or_else(|| "—".to_string(), |c| c.to_string());
    let refs = d.referenced_by.clone();
    let blocked = !refs.is_empty();
    let refs_text = refs.join(", ");
    view! {
        <div class="page-head">
            <h2>{sprint_title(n, &s.name)}</h2>
            <nav class="pager" aria-label="Sprints">
                {d.previous.map(|p| view! { <a href=sprint_href(&key, p) rel="prev">{format!("← Sprint {p}")}</a> })}
                {d.next.map(|x| view! { <a href=sprint_href(&key, x) rel="next">{format!("Sprint {x} →")}</a> })}
            </nav>
        </div>
        <p class="lead">{format!("{} · {}", date_range(s.start_on, s.end_on), days(s.length_days))}</p>
        {move || saved().then(|| view! { <p class="alert alert-info" role="status">"Saved."</p> })}
        <Warnings warnings=d.warnings.clone()/>
        <div class="grid-2">
            <div class="card">
                <h3>"Goal"</h3>
                <p class="pre-line">{if s.goal.is_empty() { "No goal recorded.".to_string() } else { s.goal.clone() }}</p>
                <dl class="facts">
                    <dt>"Dates"</dt><dd>{date_range(s.start_on, s.end_on)}</dd>
                    <dt>"Length"</dt><dd>{days(s.length_days)}</dd>
                    <dt>"Committed"</dt><dd>{count(s.committed)}</dd>
                    <dt>"Completed"</dt><dd>{count(s.completed)}</dd>
                </dl>
                <h3>"Notes"</h3>
                <p class="pre-line">{if s.notes.is_empty() { "—".to_string() } else { s.notes.clone() }}</p>
            </div>
            <div class="card">
                <h3>"Review and retrospective"</h3>
                <ul class="plain spaced">
                    <li>
                        <a href=format!("{href}/review")>"Sprint review"</a>" "
                        {match d.review {
                            Some((o, day)) => view! { <OutcomeBadge outcome=o/>" "<span class="hint">{format!("held {day}")}</span> }.into_any(),
                            None => view! { <span class="hint">"not recorded yet"</span> }.into_any(),
                        }}
                    </li>
                    <li>
                        <a href=format!("{href}/retro")>"Retrospective"</a>" "
                        <span class="hint">{match d.retro {
                            Some(Some(day)) => format!("held {day}"),
                            Some(None) => "started".to_string(),
                            None => "not held yet".to_string(),
                        }}</span>
                    </li>
                </ul>
                <h3>"Feedback"</h3>
                <p class="hint">"Feedback on this sprint arrives with invite links."</p>
            </div>
        </div>
        {if d.access.can_write() { let key = key.clone(); Some(view! {
            <h3>"Edit sprint"</h3>
            <ActionForm action=update attr:class="card" attr:novalidate=true>
                <FormError error/>
                <input type="hidden" name="key" value=key.clone()/>
                <input type="hidden" name="number" value=n.to_string()/>
                <label for="sprint-name">"Name"</label>
                <input id="sprint-name" name="name" type="text" required maxlength="120" value=s.name.clone()/>
                <FieldError error field="name"/>
                <label for="sprint-goal">"Goal"</label>
                <textarea id="sprint-goal" name="goal">{s.goal.clone()}</textarea>
                <FieldError error field="goal"/>
                <div class="form-grid">
                    <div>
                        <label for="sprint-start">"First day"</label>
                        <input id="sprint-start" name="start_on" type="date" required value=s.start_on.to_string()/>
                        <FieldError error field="start_on"/>
                    </div>
                    <div>
                        <label for="sprint-end">"Last day"</label>
                        <input id="sprint-end" name="end_on" type="date" required value=s.end_on.to_string()
                            aria-describedby="sprint-end-hint"/>
                        <p class="hint" id="sprint-end-hint">"The last day counts too; a sprint lasts at most 42 days."</p>
                        <FieldError error field="end_on"/>
                    </div>
                    <div>
                        <label for="sprint-committed">"Committed items"</label>
                        <input id="sprint-committed" name="committed" type="number" min="0" step="1"
                            value=s.committed.map(|c| c.to_string()).unwrap_or_default()/>
                        <FieldError error field="committed"/>
                    </div>
                    <div>
                        <label for="sprint-completed">"Completed items"</label>
                        <input id="sprint-completed" name="completed" type="number" min="0" step="1"
                            value=s.completed.map(|c| c.to_string()).unwrap_or_default()/>
                        <FieldError error field="completed"/>
                    </div>
                </div>
                <label for="sprint-notes">"Notes"</label>
                <textarea id="sprint-notes" name="notes">{s.notes.clone()}</textarea>
                <FieldError error field="notes"/>
                <div class="actions"><button type="submit" class="primary">"Save sprint"</button></div>
            </ActionForm>
        }) } else { None }}
        {if d.access.can_manage() { let key = key.clone(); Some(view! {
            <section class="card danger-zone stack" aria-labelledby="delete-sprint-heading">
                <h3 id="delete-sprint-heading">"Delete sprint"</h3>
                {if blocked {
                    view! { <p class="hint">{format!("This sprint cannot be deleted while something refers to it: {refs_text}.")}</p> }.into_any()
                } else {
                    view! { <p class="hint">"Deleting cannot be undone; the number is not reused."</p> }.into_any()
                }}
                {move || delete_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
                <ActionForm action=delete>
                    <input type="hidden" name="key" value=key.clone()/>
                    <input type="hidden" name="number" value=n.to_string()/>
                    <button type="submit" disabled=blocked>"Delete sprint"</button>
                </ActionForm>
            </section>
        }) } else { None }}
    }
}

// ---- the review page ---------------------------------------------------------------------------

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
    let saved = ok_version(put);
    let deleted = ok_version(delete);
    let k = key.clone();
    let data = Resource::new(
        move || (k.clone(), n.get(), saved.get(), deleted.get()),
        |(k, n, ..)| get_review(k, n),
    );
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

// ---- the retro page ----------------------------------------------------------------------------

/// `/projects/{key}/sprints/{n}/retro`.
#[component]
pub fn RetroPage() -> impl IntoView {
    let n = use_sprint_number();
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| {
            view! { <RetroBody key=d.project.key.clone() n/> }.into_any()
        })/>
    }
}

/// Every action of the retro page.
#[derive(Clone, Copy)]
struct RetroActions {
    put: ServerAction<PutRetro>,
    delete: ServerAction<DeleteRetro>,
    add_item: ServerAction<AddRetroItem>,
    delete_item: ServerAction<DeleteRetroItem>,
    vote: ServerAction<VoteRetroItem>,
    add_question: ServerAction<AddHealthQuestion>,
    answer: ServerAction<AnswerHealthQuestion>,
    add_action: ServerAction<AddActionItem>,
    update_action: ServerAction<UpdateActionItem>,
    status: ServerAction<SetActionStatus>,
    carry: ServerAction<CarryActionItem>,
    delete_action: ServerAction<DeleteActionItem>,
}

#[component]
fn RetroBody(key: String, n: Signal<String>) -> impl IntoView {
    let a = RetroActions {
        put: ServerAction::new(),
        delete: ServerAction::new(),
        add_item: ServerAction::new(),
        delete_item: ServerAction::new(),
        vote: ServerAction::new(),
        add_question: ServerAction::new(),
        answer: ServerAction::new(),
        add_action: ServerAction::new(),
        update_action: ServerAction::new(),
        status: ServerAction::new(),
        carry: ServerAction::new(),
        delete_action: ServerAction::new(),
    };
    let versions = [
        ok_version(a.put),
        ok_version(a.delete),
        ok_version(a.add_item),
        ok_version(a.delete_item),
        ok_version(a.vote),
        ok_version(a.add_question),
        ok_version(a.answer),
        ok_version(a.add_action),
        ok_version(a.update_action),
        ok_version(a.status),
        ok_version(a.carry),
        ok_version(a.delete_action),
    ];
    let refresh = Memo::new(move |_| versions.iter().map(|v| v.get()).sum::<usize>());
    let k = key.clone();
    let data = Resource::new(
        move || (k.clone(), n.get(), refresh.get()),
        |(k, n, _)| get_retro(k, n),
    );
    view! {
        <Transition fallback=loading>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <RetroView key d a/> }.into_any(),
                        Err(AppError::NotFound(_)) => view! { <crate::components::NotFound/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn RetroView(key: String, d: RetroPageData, a: RetroActions) -> impl IntoView {
    let s = d.sprint.clone();
    let n = s.number;
    let href = sprint_href(&key, n);
    let can_write = d.access.can_write();
    let can_manage = d.access.can_manage();
    let put_error = action_error(a.put);
    let retro = d.retro.clone();
    view! {
        <div class="page-head">
            <h2>{format!("Retrospective · {}", sprint_title(n, &s.name))}</h2>
            <a href=href.clone()>"Back to the sprint"</a>
        </div>
        <p class="lead">{date_range(s.start_on, s.end_on)}</p>
        <LiveUpdates stream=format!("/api/v1/projects/{key}/events?board={n}") presence=true/>
        <EarlierActions key=key.clone() n items=d.earlier_open.clone() can_write a/>
        {match retro {
            None => view! {
                <section class="card stack" aria-labelledby="start-retro-heading" data-live="retro-start">
                    <h3 id="start-retro-heading">"Start the retrospective"</h3>
                    {if can_write {
                        view! {
                            <ActionForm action=a.put attr:novalidate=true>
                                <FormError error=put_error/>
                                <input type="hidden" name="key" value=key.clone()/>
                                <input type="hidden" name="number" value=n.to_string()/>
                                <RetroSettingsFields held_on=Some(d.today) format=RetroFormat::default() error=put_error/>
                                <div class="actions"><button type="submit" class="primary">"Start retrospective"</button></div>
                            </ActionForm>
                        }.into_any()
                    } else {
                        view! { <p class="hint">"No retrospective has been held for this sprint."</p> }.into_any()
                    }}
                </section>
            }.into_any(),
            Some(r) => {
                let format = r.format;
                view! {
                    <p>
                        {format!("Format: {} · ", format.label())}
                        {r.held_on.map_or_else(|| "day not recorded".to_string(), |h| format!("held on {h}"))}
                    </p>
                    <RetroBoard key=key.clone() n retro=r.clone() can_write a/>
                    <HealthCheck key=key.clone() n health=r.health.clone() can_write a/>
                    <RetroActionItems key=key.clone() n items=r.action_items.clone() users=d.users.clone() can_write can_manage a/>
                    {if can_write { let key = key.clone(); Some(view! {
                        <details class="card stack">
                            <summary>"Retro settings: day and format"</summary>
                            <ActionForm action=a.put attr:novalidate=true>
                                <FormError error=put_error/>
                                <input type="hidden" name="key" value=key.clone()/>
                                <input type="hidden" name="number" value=n.to_string()/>
                                <RetroSettingsFields held_on=r.held_on format error=put_error/>
                                <div class="actions"><button type="submit">"Save settings"</button></div>
                            </ActionForm>
                        </details>
                    }) } else { None }}
                    {if can_manage { let key = key.clone(); Some({
                        let delete_error = action_error(a.delete);
                        view! {
                            <section class="card danger-zone stack" aria-labelledby="delete-retro-heading">
                                <h3 id="delete-retro-heading">"Delete the retrospective"</h3>
                                <p class="hint">"Deletes its board and health check. A retrospective with action items is kept."</p>
                                {move || delete_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
                                <ActionForm action=a.delete>
                                    <input type="hidden" name="key" value=key.clone()/>
                                    <input type="hidden" name="number" value=n.to_string()/>
                                    <button type="submit">"Delete retrospective"</button>
                                </ActionForm>
                            </section>
                        }
                    }) } else { None }}
                }.into_any()
            }
        }}
    }
}

#[component]
fn RetroSettingsFields(
    held_on: Option<NaiveDate>,
    format: RetroFormat,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <div class="form-grid">
            <div>
                <label for="retro-held-on">"Held on"</label>
                <input id="retro-held-on" name="held_on" type="date" value=held_on.map(|h| h.to_string()).unwrap_or_default()/>
                <FieldError error field="held_on"/>
            </div>
            <div>
                <label for="retro-format">"Format"</label>
                <select id="retro-format" name="format">
                    {RetroFormat::ALL.iter().map(|f| {
                        let cols = f.columns().iter().map(|c| c.label()).collect::<Vec<_>>().join(", ");
                        view! { <option value=f.as_str() selected=*f == format>{format!("{} ({cols})", f.label())}</option> }
                    }).collect_view()}
                </select>
                <FieldError error field="format"/>
            </div>
        </div>
    }
}

/// Open action items from earlier retros, each closable or carried on to this sprint.
#[component]
fn EarlierActions(
    key: String,
    n: u32,
    items: Vec<ActionItem>,
    can_write: bool,
    a: RetroActions,
) -> impl IntoView {
    let status_error = action_error(a.status);
    let carry_error = action_error(a.carry);
    view! {
        <section class="card earlier-actions stack" aria-labelledby="earlier-actions-heading">
            <h3 id="earlier-actions-heading">"Open action items from earlier retrospectives"</h3>
            {move || status_error.get().or_else(|| carry_error.get()).map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
            <div data-live="earlier-actions">{if items.is_empty() {
                view! { <p class="hint">"Nothing open from earlier retrospectives."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">"Action"</th><th scope="col">"From"</th><th scope="col">"Owner"</th>
                            <th scope="col">"Due"</th>{if can_write { Some(view! { <th scope="col">"Decide"</th> }) } else { None }}
                        </tr></thead>
                        <tbody>
                            {items.into_iter().map(|item| {
                                let key = key.clone();
                                let carried = item.due_sprint == n;
                                view! {
                                    <tr>
                                        <td>{item.text.clone()}</td>
                                        <td class="nowrap"><a href=format!("{}/retro", sprint_href(&key, item.sprint_number))>{format!("Sprint {}", item.sprint_number)}</a></td>
                                        <td>{item.owner_name.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td class="nowrap">{format!("Sprint {}", item.due_sprint)}</td>
                                        {if can_write { let key = key.clone(); let item = item.clone(); Some(view! {
                                            <td>
                                                <div class="row-actions">
                                                    <StatusButton key=key.clone() id=item.id.clone() status=ActionStatus::Done label="Done" text=item.text.clone() action=a.status/>
                                                    <StatusButton key=key.clone() id=item.id.clone() status=ActionStatus::Dropped label="Drop" text=item.text.clone() action=a.status/>
                                                    {if !carried { let key = key.clone(); let item = item.clone(); Some(view! {
                                                        <ActionForm action=a.carry attr:class="inline">
                                                            <input type="hidden" name="key" value=key.clone()/>
                                                            <input type="hidden" name="id" value=item.id.clone()/>
                                                            <input type="hidden" name="due_sprint" value=n.to_string()/>
                                                            <button type="submit" aria-label=format!("Carry on to sprint {n}: {}", item.text)>
                                                                {format!("Carry on to sprint {n}")}
                                                            </button>
                                                        </ActionForm>
                                                    }) } else { None }}
                                                    {if carried { Some(view! { <span class="badge">"Carried on"</span> }) } else { None }}
                                                </div>
                                            </td>
                                        }) } else { None }}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}</div>
        </section>
    }
}

#[component]
fn StatusButton(
    key: String,
    id: String,
    status: ActionStatus,
    label: &'static str,
    text: String,
    action: ServerAction<SetActionStatus>,
) -> impl IntoView {
    view! {
        <ActionForm action=action attr:class="inline">
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="status" value=status.as_str()/>
            <button type="submit" aria-label=format!("{label}: {text}")>{label}</button>
        </ActionForm>
    }
}

#[component]
fn RetroBoard(
    key: String,
    n: u32,
    retro: super::Retro,
    can_write: bool,
    a: RetroActions,
) -> impl IntoView {
    let vote_error = action_error(a.vote);
    let delete_error = action_error(a.delete_item);
    let add_error = action_error(a.add_item);
    let votes_left = retro.votes_left;
    view! {
        <section aria-labelledby="board-heading">
            <div class="page-head">
                <h3 id="board-heading">"Board"</h3>
                {if can_write { Some(view! {
                    <p class="votes-left" role="status" data-live="votes-left">{format!("You have {votes_left} of {VOTES_PER_RETRO} votes left.")}</p>
                }) } else { None }}
            </div>
            {move || vote_error.get().or_else(|| delete_error.get()).map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
            <div class="retro-board">
                {retro.columns.into_iter().map(|col| {
                    let key = key.clone();
                    let column = col.column;
                    let input_id = format!("retro-add-{}", column.as_str());
                    view! {
                        <div class="card retro-column">
                            <h4>{column.label()}</h4>
                            <div data-live=format!("col-{}", column.as_str())>{if col.items.is_empty() {
                                view! { <p class="hint">"No items yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain retro-items">
                                        {col.items.into_iter().map(|item| {
                                            let key = key.clone();
                                            view! {
                                                <li class="retro-item">
                                                    <p class="pre-line">{item.text.clone()}</p>
                                                    <div class="row-actions">
                                                        <span class="badge" title="Votes">{format!("{} vote{}", item.votes, if item.votes == 1 { "" } else { "s" })}</span>
                                                        {if item.my_votes > 0 { Some(view! { <span class="hint">{format!("yours: {}", item.my_votes)}</span> }) } else { None }}
                                                        {if can_write { let key = key.clone(); let item = item.clone(); Some(view! {
                                                            <ActionForm action=a.vote attr:class="inline">
                                                                <input type="hidden" name="key" value=key.clone()/>
                                                                <input type="hidden" name="number" value=n.to_string()/>
                                                                <input type="hidden" name="item_id" value=item.id.clone()/>
                                                                <button type="submit" disabled=votes_left == 0 aria-label=format!("Vote for: {}", item.text)>"+1"</button>
                                                            </ActionForm>
                                                        }) } else { None }}
                                                        {if can_write && item.my_votes > 0 { let key = key.clone(); let item = item.clone(); Some(view! {
                                                            <ActionForm action=a.vote attr:class="inline">
                                                                <input type="hidden" name="key" value=key.clone()/>
                                                                <input type="hidden" name="number" value=n.to_string()/>
                                                                <input type="hidden" name="item_id" value=item.id.clone()/>
                                                                <input type="hidden" name="take_back" value="true"/>
                                                                <button type="submit" aria-label=format!("Take back a vote from: {}", item.text)>"−1"</button>
                                                            </ActionForm>
                                                        }) } else { None }}
                                                        {if can_write && item.mine { let key = key.clone(); let item = item.clone(); Some(view! {
                                                            <ActionForm action=a.delete_item attr:class="inline">
                                                                <input type="hidden" name="key" value=key.clone()/>
                                                                <input type="hidden" name="number" value=n.to_string()/>
                                                                <input type="hidden" name="item_id" value=item.id.clone()/>
                                                                <button type="submit" class="link-button" aria-label=format!("Delete: {}", item.text)>"Delete"</button>
                                                            </ActionForm>
                                                        }) } else { None }}
                                                    </div>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}</div>
                            {if can_write { let key = key.clone(); Some(view! {
                                <ActionForm action=a.add_item attr:class="retro-add" attr:novalidate=true>
                                    <input type="hidden" name="key" value=key.clone()/>
                                    <input type="hidden" name="number" value=n.to_string()/>
                                    <input type="hidden" name="column" value=column.as_str()/>
                                    <label for=input_id.clone() class="sr-only">{format!("New item for {}", column.label())}</label>
                                    <textarea id=input_id name="text" rows="2" maxlength="1000" placeholder=format!("Add to {}…", column.label())></textarea>
                                    <button type="submit">{format!("Add to {}", column.label())}</button>
                                </ActionForm>
                            }) } else { None }}
                        </div>
                    }
                }).collect_view()}
            </div>
            {move || add_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
        </section>
    }
}

#[component]
fn HealthCheck(
    key: String,
    n: u32,
    health: Vec<super::HealthResult>,
    can_write: bool,
    a: RetroActions,
) -> impl IntoView {
    let answer_error = action_error(a.answer);
    let question_error = action_error(a.add_question);
    let empty = health.is_empty();
    view! {
        <section class="card stack" aria-labelledby="health-heading">
            <h3 id="health-heading">"Health check"</h3>
            <p class="hint">"Anonymous: only the number of answers and the average (1–5) are shown, never who answered what."</p>
            {move || answer_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
            <div data-live="health">{if empty {
                view! { <p class="hint">"No questions yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">"Question"</th><th scope="col">"Answers"</th><th scope="col">"Average"</th>
                            {if can_write { Some(view! { <th scope="col">"Your score"</th> }) } else { None }}
                        </tr></thead>
                        <tbody>
                            {health.into_iter().map(|q| {
                                let key = key.clone();
                                let select_id = format!("health-score-{}", q.index);
                                view! {
                                    <tr>
                                        <td>{q.question.clone()}</td>
                                        <td>{q.count}</td>
                                        <td>{q.average.map_or_else(|| "—".to_string(), |avg| format!("{avg:.1}"))}</td>
                                        {if can_write { let key = key.clone(); let q = q.clone(); Some(view! {
                                            <td>
                                                {if q.answered {
                                                    view! { <span class="hint">"Answered"</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=a.answer attr:class="inline">
                                                            <input type="hidden" name="key" value=key.clone()/>
                                                            <input type="hidden" name="number" value=n.to_string()/>
                                                            <input type="hidden" name="index" value=q.index.to_string()/>
                                                            <label for=select_id.clone() class="sr-only">{format!("Score for: {}", q.question)}</label>
                                                            <select id=select_id name="score">
                                                                <option value="1">"1 – poor"</option>
                                                                <option value="2">"2"</option>
                                                                <option value="3" selected=true>"3"</option>
                                                                <option value="4">"4"</option>
                                                                <option value="5">"5 – great"</option>
                                                            </select>
                                                            <button type="submit">"Submit"</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </td>
                                        }) } else { None }}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}</div>
            {if can_write { let key = key.clone(); Some(view! {
                <ActionForm action=a.add_question attr:class="inline-form" attr:novalidate=true>
                    <input type="hidden" name="key" value=key.clone()/>
                    <input type="hidden" name="number" value=n.to_string()/>
                    <label for="health-question">"Add a question"</label>
                    <input id="health-question" name="question" type="text" maxlength="1000" placeholder="e.g. Are we delivering value to end users?"/>
                    <FieldError error=question_error field="question"/>
                    <div class="actions"><button type="submit">"Add question"</button></div>
                </ActionForm>
            }) } else { None }}
        </section>
    }
}

#[component]
fn OwnerSelect(id: String, users: Vec<UserChoice>, selected: Option<String>) -> impl IntoView {
    view! {
        <select id=id name="owner">
            <option value="" selected=selected.is_none()>"— nobody yet —"</option>
            {users.into_iter().map(|u| {
                let sel = selected.as_deref() == Some(u.id.as_str());
                view! { <option value=u.id selected=sel>{u.name}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn RetroActionItems(
    key: String,
    n: u32,
    items: Vec<ActionItem>,
    users: Vec<UserChoice>,
    can_write: bool,
    can_manage: bool,
    a: RetroActions,
) -> impl IntoView {
    let add_error = action_error(a.add_action);
    let update_error = action_error(a.update_action);
    let delete_error = action_error(a.delete_action);
    let status_error = action_error(a.status);
    let empty = items.is_empty();
    let users_for_rows = users.clone();
    view! {
        <section class="card retro-actions stack" aria-labelledby="actions-heading">
            <h3 id="actions-heading">"Action items"</h3>
            {move || update_error.get().or_else(|| delete_error.get()).or_else(|| status_error.get())
                .map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
            <div data-live="actions">{if empty {
                view! { <p class="hint">"No action items from this retrospective yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">"Action"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th>
                            <th scope="col">"Status"</th>{if can_write { Some(view! { <th scope="col">"Change"</th> }) } else { None }}
                        </tr></thead>
                        <tbody>
                            {items.into_iter().map(|item| {
                                let key = key.clone();
                                let users = users_for_rows.clone();
                                let open = item.status == ActionStatus::Open;
                                view! {
                                    <tr>
                                        <td>{item.text.clone()}</td>
                                        <td>{item.owner_name.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td class="nowrap">{format!("Sprint {}", item.due_sprint)}</td>
                                        <td class="nowrap">
                                            <StatusBadge status=item.status/>
                                            {item.closed_on.map(|c| view! { " "<span class="hint">{c.to_string()}</span> })}
                                        </td>
                                        {if can_write { let key = key.clone(); let item = item.clone(); Some({
                                            let edit_id = format!("action-edit-{}", item.id);
                                            view! {
                                                <td>
                                                    <div class="row-actions">
                                                        {if open {
                                                            view! {
                                                                <StatusButton key=key.clone() id=item.id.clone() status=ActionStatus::Done label="Done" text=item.text.clone() action=a.status/>
                                                                <StatusButton key=key.clone() id=item.id.clone() status=ActionStatus::Dropped label="Drop" text=item.text.clone() action=a.status/>
                                                            }.into_any()
                                                        } else {
                                                            view! {
                                                                <StatusButton key=key.clone() id=item.id.clone() status=ActionStatus::Open label="Reopen" text=item.text.clone() action=a.status/>
                                                            }.into_any()
                                                        }}
                                                        {if can_manage { let key = key.clone(); let item = item.clone(); Some(view! {
                                                            <ActionForm action=a.delete_action attr:class="inline">
                                                                <input type="hidden" name="key" value=key.clone()/>
                                                                <input type="hidden" name="id" value=item.id.clone()/>
                                                                <button type="submit" class="link-button" aria-label=format!("Delete: {}", item.text)>"Delete"</button>
                                                            </ActionForm>
                                                        }) } else { None }}
                                                    </div>
                                                    <details>
                                                        <summary>"Edit"</summary>
                                                        <ActionForm action=a.update_action attr:novalidate=true>
                                                            <input type="hidden" name="key" value=key.clone()/>
                                                            <input type="hidden" name="id" value=item.id.clone()/>
                                                            <label for=format!("{edit_id}-text")>"Action"</label>
                                                            <input id=format!("{edit_id}-text") name="text" type="text" maxlength="1000" value=item.text.clone()/>
                                                            <label for=format!("{edit_id}-owner")>"Owner"</label>
                                                            <OwnerSelect id=format!("{edit_id}-owner") users selected=item.owner.clone()/>
                                                            <label for=format!("{edit_id}-due")>"Due in sprint"</label>
                                                            <input id=format!("{edit_id}-due") name="due_sprint" type="number" min="1" step="1" value=item.due_sprint.to_string()/>
                                                            <div class="actions"><button type="submit">"Save"</button></div>
                                                        </ActionForm>
                                                    </details>
                                                </td>
                                            }
                                        }) } else { None }}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}</div>
            {if can_write { let key = key.clone(); Some(view! {
                <h4>"Add an action item"</h4>
                <ActionForm action=a.add_action attr:novalidate=true>
                    <FormError error=add_error/>
                    <input type="hidden" name="key" value=key.clone()/>
                    <input type="hidden" name="number" value=n.to_string()/>
                    <label for="action-text">"Action"</label>
                    <input id="action-text" name="text" type="text" maxlength="1000" required/>
                    <FieldError error=add_error field="text"/>
                    <div class="form-grid">
                        <div>
                            <label for="action-owner">"Owner"</label>
                            <OwnerSelect id="action-owner".to_string() users=users.clone() selected=None/>
                            <FieldError error=add_error field="owner"/>
                        </div>
                        <div>
                            <label for="action-due">"Due in sprint"</label>
                            <input id="action-due" name="due_sprint" type="number" min="1" step="1" value=(n + 1).to_string()/>
                            <FieldError error=add_error field="due_sprint"/>
                        </div>
                    </div>
                    <div class="actions"><button type="submit" class="primary">"Add action item"</button></div>
                </ActionForm>
            }) } else { None }}
        </section>
    }
}
