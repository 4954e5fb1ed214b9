//! The sprint list on a project's overview, and the sprint, review and retrospective pages.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
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
mod retro;
pub use retro::*;
mod review;
pub use review::*;

/// The sprint number from the URL.
fn use_sprint_number() -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get("n").unwrap_or_default())
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
        let key = crate::components::use_project_key();
        let list = Resource::new(move || key.get(), get_sprint_board);
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
    let k = key.clone();
    let detail = Resource::new(move || (k.clone(), n.get()), |(k, n)| get_sprint(k, n));
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
