//! The readiness checklist and the data-quality register.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::{
    DqDimension, DqIssue, DqRegister, DqSeverity, DqStatus, M4Reason, Readiness, ReadinessEntry,
    SourceOwnerChoice, done_means, level_badge,
};
use crate::components::ProjectFrame;
use crate::components::{ErrorNotice, FieldError, FormError, action_error};
use crate::error::AppError;
use crate::projects::api::list_user_choices;
use crate::projects::{ProjectDetail, UserChoice};
use crate::signals::Level;

/// `/projects/{key}/readiness`.
#[component]
pub fn ReadinessPage() -> impl IntoView {
    view! {
        <ProjectFrame children=Box::new(|d: ProjectDetail| view! {
            <ReadinessChecklist key=d.project.key.clone() can_write=d.access.can_write()/>
        }.into_any())/>
    }
}

/// The checklist: a summary with the M3 level, then one form per item.
#[component]
fn ReadinessChecklist(key: String, can_write: bool) -> impl IntoView {
    let set = ServerAction::<SetReadinessItem>::new();
    let k = key.clone();
    let readiness = Resource::new(move || k.clone(), get_readiness);
    let users = Resource::new(|| (), |_| list_user_choices());
    let error = action_error(set);
    // The item whose form was submitted last, so that its error shows next to it.
    let last_item = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(input) = set.input().get() {
            last_item.set(Some(input.item));
        }
    });
    let saved = move || matches!(set.value().get(), Some(Ok(())));
    view! {
        <h2>"Production readiness"</h2>
        <p class="lead">"Eight things a model needs before it can live in production. Tick an item when it is true, and name who owns it."</p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    let users = if can_write { users.await.unwrap_or_default() } else { Vec::new() };
                    match readiness.await {
                        Ok(r) => view! {
                            <ReadinessSummary readiness=r.clone()/>
                            {move || saved().then(|| view! { <p class="alert alert-info" role="status">"Saved."</p> })}
                            // Without JavaScript the page reloads and the item is not known:
                            // show any error here.
                            {move || last_item.get().is_none().then(|| error.get().map(|e| view! {
                                <div class="alert alert-error" role="alert">{e.message()}</div>
                            })).flatten()}
                            <div class="readiness-list">
                                {r.items.into_iter().map(|entry| {
                                    if can_write {
                                        view! { <ReadinessRow key=key.clone() entry users=users.clone() set error last_item/> }.into_any()
                                    } else {
                                        view! { <ReadinessReadOnly entry/> }.into_any()
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// "N of 8 done" and the M3 level, in words.
#[component]
fn ReadinessSummary(readiness: Readiness) -> impl IntoView {
    let done = readiness.done();
    let total = readiness.total();
    let level = readiness.level();
    view! {
        <div class="card readiness-summary" role="group" aria-label="Readiness summary">
            <p class="readiness-count"><strong>{format!("{done} of {total} done")}</strong></p>
            <p>
                <span class=level_badge(level)>{format!("M3 productionization: {}", level.label())}</span>
            </p>
            <p class="hint">"The risk scorecard shows M3 green when at least 80 % of the items are done (7 of 8), amber from 40 % (4 of 8), and red below that."</p>
        </div>
    }
}

/// One item, editable.
#[component]
fn ReadinessRow(
    key: String,
    entry: ReadinessEntry,
    users: Vec<UserChoice>,
    set: ServerAction<SetReadinessItem>,
    error: Signal<Option<AppError>>,
    last_item: RwSignal<Option<String>>,
) -> impl IntoView {
    let item = entry.item.as_str();
    let heading = format!("ready-{item}");
    let labelled_by = heading.clone();
    let done_id = format!("done-{item}");
    let owner_id = format!("owner-{item}");
    let note_id = format!("note-{item}");
    let mine = move || last_item.get().as_deref() == Some(item);
    let row_error = Signal::derive(move || if mine() { error.get() } else { None });
    let owner = entry.owner.clone().unwrap_or_default();
    let known_owner = users.iter().any(|u| u.id == owner);
    view! {
        <section class="card readiness-item" aria-labelledby=labelled_by>
            <ActionForm action=set attr:novalidate=true>
                <input type="hidden" name="key" value=key/>
                <input type="hidden" name="item" value=item/>
                <h3 id=heading>{entry.item.label()}</h3>
                <p class="hint">{done_means(entry.item)}</p>
                <FormError error=row_error/>
                <div class="readiness-fields">
                    <div class="field checkbox-field">
                        <input type="checkbox" id=done_id.clone() name="done" value="true" checked=entry.done/>
                        <label for=done_id>"Done"</label>
                        <FieldError error=row_error field="done"/>
                    </div>
                    <div class="field">
                        <label for=owner_id.clone()>"Owner"</label>
                        <select id=owner_id name="owner">
                            <option value="" selected=owner.is_empty()>"No owner yet"</option>
                            {(!owner.is_empty() && !known_owner).then(|| view! {
                                <option value=owner.clone() selected=true>{entry.owner_name.clone().unwrap_or_else(|| "(inactive user)".into())}</option>
                            })}
                            {users.into_iter().map(|u| {
                                let selected = u.id == owner;
                                view! { <option value=u.id selected=selected>{u.name}</option> }
                            }).collect_view()}
                        </select>
                        <FieldError error=row_error field="owner"/>
                    </div>
                    <div class="field readiness-note">
                        <label for=note_id.clone()>"Note"</label>
                        <input id=note_id type="text" name="note" maxlength="1000" value=entry.note.clone()/>
                        <FieldError error=row_error field="note"/>
                    </div>
                    <div class="actions"><button type="submit">"Save"</button></div>
                </div>
            </ActionForm>
        </section>
    }
}

/// One item, for viewers.
#[component]
fn ReadinessReadOnly(entry: ReadinessEntry) -> impl IntoView {
    let heading = format!("ready-{}", entry.item.as_str());
    let labelled_by = heading.clone();
    view! {
        <section class="card readiness-item" aria-labelledby=labelled_by>
            <h3 id=heading>{entry.item.label()}" "
                {if entry.done {
                    view! { <span class="badge badge-green">"Done"</span> }.into_any()
                } else {
                    view! { <span class="badge">"Not done"</span> }.into_any()
                }}
            </h3>
            <p class="hint">{done_means(entry.item)}</p>
            <dl class="facts">
                <dt>"Owner"</dt><dd>{entry.owner_name.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Note"</dt><dd>{if entry.note.is_empty() { "—".to_string() } else { entry.note.clone() }}</dd>
            </dl>
        </section>
    }
}

/// `/projects/{key}/data-quality`.
#[component]
pub fn DataQualityPage() -> impl IntoView {
    view! {
        <ProjectFrame children=Box::new(|d: ProjectDetail| view! {
            <DqRegisterView key=d.project.key.clone() can_write=d.access.can_write() can_manage=d.access.can_manage()/>
        }.into_any())/>
    }
}

/// The filter values from the URL, kept only when they name a real status or severity.
fn valid_filter<T: std::str::FromStr>(value: Option<String>) -> String {
    value.filter(|v| v.parse::<T>().is_ok()).unwrap_or_default()
}

/// The register page body.
#[component]
fn DqRegisterView(key: String, can_write: bool, can_manage: bool) -> impl IntoView {
    let query = use_query_map();
    let status_f = Memo::new(move |_| query.read().get("status").unwrap_or_default());
    let severity_f = Memo::new(move |_| query.read().get("severity").unwrap_or_default());
    let edit_id = Memo::new(move |_| query.read().get("edit").filter(|s| !s.is_empty()));
    let create = ServerAction::<CreateDqIssue>::new();
    let update = ServerAction::<UpdateDqIssue>::new();
    let delete = ServerAction::<DeleteDqIssue>::new();
    let k = key.clone();
    let register = Resource::new(
        move || (k.clone(), status_f.get(), severity_f.get()),
        |(k, status, severity, ..)| list_dq_issues(k, Some(status), Some(severity)),
    );
    let k = key.clone();
    let owners = Resource::new(move || k.clone(), list_source_owners);
    let k = key.clone();
    let editing = Resource::new(
        move || (k.clone(), edit_id.get()),
        |(k, id)| async move {
            match id {
                Some(id) => get_dq_issue(k, id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let create_error = action_error(create);
    let update_error = action_error(update);
    let delete_error = action_error(delete);
    let created = move || matches!(create.value().get(), Some(Ok(_)));
    let updated = move || matches!(update.value().get(), Some(Ok(())));
    let base = format!("/projects/{key}/data-quality");
    // The current filters as a query string prefix, for links that keep them.
    let filter_qs = Signal::derive(move || {
        let s = valid_filter::<DqStatus>(Some(status_f.get()));
        let v = valid_filter::<DqSeverity>(Some(severity_f.get()));
        let mut qs = String::new();
        if !s.is_empty() {
            qs.push_str(&format!("status={s}&"));
        }
        if !v.is_empty() {
            qs.push_str(&format!("severity={v}&"));
        }
        qs
    });

    let base_filter = base.clone();
    let base_filter_action = base.clone();
    let base_table = base.clone();
    let base_edit = base.clone();
    let key_table = key.clone();
    let key_edit = key.clone();
    let key_create = key.clone();
    view! {
        <h2>"Data-quality issues"</h2>
        <p class="lead">"Problems found in the data, and whether they have been routed to the people who own its source."</p>
        {move || delete_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
        {move || matches!(delete.value().get(), Some(Ok(()))).then(|| view! { <p class="alert alert-info" role="status">"Issue deleted."</p> })}

        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match register.await {
                    Ok(reg) => view! { <M4Note reg/> }.into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>

        <form method="get" action=base_filter_action class="filters card" aria-label="Filter issues">
            <div>
                <label for="filter-status">"Status"</label>
                <select id="filter-status" name="status">
                    <option value="" selected=move || status_f.get().is_empty()>"Any status"</option>
                    {DqStatus::ALL.iter().map(|s| {
                        let v = s.as_str();
                        view! { <option value=v selected=move || status_f.get() == v>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="filter-severity">"Severity"</label>
                <select id="filter-severity" name="severity">
                    <option value="" selected=move || severity_f.get().is_empty()>"Any severity"</option>
                    {DqSeverity::ALL.iter().map(|s| {
                        let v = s.as_str();
                        view! { <option value=v selected=move || severity_f.get() == v>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit">"Filter"</button>
            <a href=base_filter>"Clear filters"</a>
        </form>

        {can_write.then(|| {
            let key_edit = key_edit.clone();
            let base_edit = base_edit.clone();
            view! {
                <Transition fallback=|| ()>
                    {move || {
                        let key = key_edit.clone();
                        let close = format!("{}?{}", base_edit, filter_qs.get_untracked());
                        Suspend::new(async move {
                            let owners = owners.await.unwrap_or_default();
                            match editing.await {
                                Ok(Some(issue)) => {
                                    let title = format!("Edit issue: {}", issue.dataset);
                                    let id = issue.id.clone();
                                    view! {
                                        <section class="card dq-edit" id="dq-edit" aria-labelledby="dq-edit-title">
                                            <h3 id="dq-edit-title">{title}</h3>
                                            {move || updated().then(|| view! { <p class="alert alert-info" role="status">"Saved."</p> })}
                                            <ActionForm action=update attr:novalidate=true attr:class="form-grid">
                                                <FormError error=update_error/>
                                                <input type="hidden" name="key" value=key/>
                                                <input type="hidden" name="id" value=id/>
                                                <DqFields prefix="edit" error=update_error owners issue=Some(issue) today=String::new()/>
                                                <div class="actions">
                                                    <button type="submit" class="primary">"Save issue"</button>
                                                    <a href=close>"Close"</a>
                                                </div>
                                            </ActionForm>
                                        </section>
                                    }.into_any()
                                }
                                Ok(None) => ().into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })
                    }}
                </Transition>
            }
        })}

        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = key_table.clone();
                let base = base_table.clone();
                Suspend::new(async move {
                    match register.await {
                        Ok(reg) if reg.issues.is_empty() => view! {
                            <div class="card empty-state"><p>{
                                if status_f.get_untracked().is_empty() && severity_f.get_untracked().is_empty() {
                                    "No data-quality issues recorded yet."
                                } else {
                                    "No issues match these filters."
                                }
                            }</p></div>
                        }.into_any(),
                        Ok(reg) => view! {
                            <DqTable issues=reg.issues key base filter_qs=filter_qs.get_untracked() can_write can_manage delete/>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>

        {can_write.then(|| {
            let key_create = key_create.clone();
            view! {
                <h2 id="dq-new-title">"Record an issue"</h2>
                {move || created().then(|| view! { <p class="alert alert-info" role="status">"Issue recorded."</p> })}
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || {
                        let key = key_create.clone();
                        Suspend::new(async move {
                            let owners = owners.await.unwrap_or_default();
                            let today = register.await.map(|r| r.as_of.to_string()).unwrap_or_default();
                            view! {
                                <ActionForm action=create attr:novalidate=true attr:class="card form-grid" attr:aria-labelledby="dq-new-title">
                                    <FormError error=create_error/>
                                    <input type="hidden" name="key" value=key/>
                                    <DqFields prefix="new" error=create_error owners issue=None today/>
                                    <div class="actions"><button type="submit" class="primary">"Record issue"</button></div>
                                </ActionForm>
                            }
                        })
                    }}
                </Transition>
            }
        })}
    }
}

/// The M4 data-debt level and the open issues that make it red.
#[component]
fn M4Note(reg: DqRegister) -> impl IntoView {
    let level = reg.m4_level;
    let summary = match level {
        Level::Green => "No data-quality issue is open.".to_string(),
        Level::Amber => format!(
            "{} open, none overdue.",
            if reg.open_count == 1 {
                "1 issue is".to_string()
            } else {
                format!("{} issues are", reg.open_count)
            }
        ),
        _ => format!(
            "{} of {} open {} M4 red.",
            reg.red_issues.len(),
            reg.open_count,
            if reg.red_issues.len() == 1 {
                "issue makes"
            } else {
                "issues make"
            }
        ),
    };
    view! {
        <section class="card dq-m4" aria-labelledby="dq-m4-title">
            <h3 id="dq-m4-title">"Data debt (M4)"</h3>
            <p>
                <span class=level_badge(level)>{format!("M4 data debt: {}", level.label())}</span>
                " "{summary}
            </p>
            {(!reg.red_issues.is_empty()).then(|| view! {
                <p>"These open issues make M4 red:"</p>
                <ul class="dq-red-list">
                    {reg.red_issues.iter().map(|i| {
                        let why = i.m4_red.iter().map(|r| r.text()).collect::<Vec<_>>().join("; and ");
                        view! {
                            <li>
                                <strong>{i.dataset.clone()}</strong>
                                {format!(" ({}, opened on {}, {} days): {}.", i.severity.label().to_lowercase(), i.opened_on, i.age_days, why)}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <p class="hint">{format!(
                "As of {}: M4 is red when there is an open high or critical issue opened more than 30 days before that day, or an open issue opened more than 14 days before it whose reported-upstream date is empty or after it; amber when issues are open but none of them is red; green when none is open.",
                reg.as_of
            )}</p>
        </section>
    }
}

fn status_badge(status: DqStatus) -> &'static str {
    match status {
        DqStatus::Resolved => "badge badge-green",
        DqStatus::WontFix => "badge",
        _ => "badge badge-amber",
    }
}

fn severity_badge(severity: DqSeverity) -> &'static str {
    match severity {
        DqSeverity::Critical | DqSeverity::High => "badge badge-red",
        DqSeverity::Medium => "badge badge-amber",
        DqSeverity::Low => "badge",
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// The issue table.
#[component]
fn DqTable(
    issues: Vec<DqIssue>,
    key: String,
    base: String,
    filter_qs: String,
    can_write: bool,
    can_manage: bool,
    delete: ServerAction<DeleteDqIssue>,
) -> impl IntoView {
    view! {
        <table class="table dq-table">
            <caption class="sr-only">"Data-quality issues"</caption>
            <thead><tr>
                <th scope="col">"Dataset"</th>
                <th scope="col">"Issue"</th>
                <th scope="col">"Severity"</th>
                <th scope="col">"Status"</th>
                <th scope="col">"Source owner"</th>
                <th scope="col">"Opened"</th>
                <th scope="col">"Reported upstream"</th>
                <th scope="col">"Closed"</th>
                <th scope="col">"Age"</th>
                {(can_write || can_manage).then(|| view! { <th scope="col">"Actions"</th> })}
            </tr></thead>
            <tbody>
                {issues.into_iter().map(|i| {
                    let edit = format!("{base}?{filter_qs}edit={}#dq-edit", i.id);
                    let red = !i.m4_red.is_empty();
                    let why = i.m4_red.iter().map(|r: &M4Reason| r.text()).collect::<Vec<_>>().join("; ");
                    let key = key.clone();
                    let id = i.id.clone();
                    view! {
                        <tr>
                            <td>{i.dataset.clone()}</td>
                            <td>
                                {i.description.clone()}
                                <div class="hint">
                                    {i.dimension.map(|d| d.label()).unwrap_or("No dimension")}
                                    {i.reporter_name.clone().map(|n| format!(" · reported by {n}"))}
                                </div>
                            </td>
                            <td><span class=severity_badge(i.severity)>{i.severity.label()}</span></td>
                            <td>
                                <span class=status_badge(i.status)>{i.status.label()}</span>
                                {red.then(|| view! {
                                    <div><span class="badge badge-red">"Makes M4 red"</span></div>
                                    <div class="hint">{why}</div>
                                })}
                            </td>
                            <td>{match (&i.source_owner, &i.source_owner_name) {
                                (None, _) => "—".to_string(),
                                (Some(_), Some(n)) if !n.is_empty() => n.clone(),
                                (Some(_), _) => "(erased)".to_string(),
                            }}</td>
                            <td>{i.opened_on.to_string()}</td>
                            <td>{i.reported_upstream_on.map_or_else(|| "—".to_string(), |d| d.to_string())}</td>
                            <td>{i.resolved_on.map_or_else(|| "—".to_string(), |d| d.to_string())}</td>
                            <td>{days(i.age_days)}</td>
                            {(can_write || can_manage).then(|| view! {
                                <td class="row-actions">
                                    {can_write.then(|| view! { <a href=edit>"Edit"<span class="sr-only">{format!(" issue on {}", i.dataset)}</span></a> })}
                                    {can_manage.then(|| view! {
                                        <ActionForm action=delete attr:class="inline">
                                            <input type="hidden" name="key" value=key/>
                                            <input type="hidden" name="id" value=id/>
                                            <button type="submit">"Delete"<span class="sr-only">{format!(" issue on {}", i.dataset)}</span></button>
                                        </ActionForm>
                                    })}
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The fields of the create and edit forms. `prefix` keeps the element ids apart.
#[component]
fn DqFields(
    prefix: &'static str,
    error: Signal<Option<AppError>>,
    owners: Vec<SourceOwnerChoice>,
    issue: Option<DqIssue>,
    today: String,
) -> impl IntoView {
    let id = move |f: &str| format!("{prefix}-{f}");
    let i = issue.clone();
    let dimension = i.as_ref().and_then(|i| i.dimension);
    let severity = i.as_ref().map(|i| i.severity);
    let status = i.as_ref().map_or(DqStatus::Open, |i| i.status);
    let owner = i
        .as_ref()
        .and_then(|i| i.source_owner.clone())
        .unwrap_or_default();
    let known_owner = owners.iter().any(|o| o.id == owner);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let opened = i.as_ref().map_or(today, |i| i.opened_on.to_string());
    let resolved_hint = id("resolved_on-hint");
    view! {
        <div class="field">
            <label for=id("dataset")>"Dataset"</label>
            <input id=id("dataset") name="dataset" type="text" required maxlength="200" value=i.as_ref().map(|i| i.dataset.clone())/>
            <FieldError error field="dataset"/>
        </div>
        <div class="field">
            <label for=id("dimension")>"Dimension"</label>
            <select id=id("dimension") name="dimension" required>
                <option value="" selected=dimension.is_none()>"Choose…"</option>
                {DqDimension::ALL.iter().map(|d| view! { <option value=d.as_str() selected=Some(*d) == dimension>{d.label()}</option> }).collect_view()}
            </select>
            <FieldError error field="dimension"/>
        </div>
        <div class="field">
            <label for=id("severity")>"Severity"</label>
            <select id=id("severity") name="severity" required>
                <option value="" selected=severity.is_none()>"Choose…"</option>
                {DqSeverity::ALL.iter().map(|s| view! { <option value=s.as_str() selected=Some(*s) == severity>{s.label()}</option> }).collect_view()}
            </select>
            <FieldError error field="severity"/>
        </div>
        <div class="field field-wide">
            <label for=id("description")>"Description"</label>
            <textarea id=id("description") name="description" required maxlength="5000">{i.as_ref().map(|i| i.description.clone())}</textarea>
            <FieldError error field="description"/>
        </div>
        <div class="field">
            <label for=id("source_owner")>"Source owner"</label>
            <select id=id("source_owner") name="source_owner">
                <option value="" selected=owner.is_empty()>"Not known yet"</option>
                {(!owner.is_empty() && !known_owner).then(|| view! {
                    <option value=owner.clone() selected=true>{i.as_ref().and_then(|i| i.source_owner_name.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| "(erased)".into())}</option>
                })}
                {owners.into_iter().map(|o| {
                    let selected = o.id == owner;
                    view! { <option value=o.id selected=selected>{format!("{} ({})", o.name, o.function.label())}</option> }
                }).collect_view()}
            </select>
            <p class="hint">"The stakeholder who owns the data source, from the directory."</p>
            <FieldError error field="source_owner"/>
        </div>
        <div class="field">
            <label for=id("status")>"Status"</label>
            <select id=id("status") name="status">
                {DqStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == status>{s.label()}</option> }).collect_view()}
            </select>
            <FieldError error field="status"/>
        </div>
        <div class="field">
            <label for=id("opened_on")>"Opened on"</label>
            <input id=id("opened_on") name="opened_on" type="date" value=opened/>
            <FieldError error field="opened_on"/>
        </div>
        <div class="field">
            <label for=id("reported_upstream_on")>"Reported upstream on"</label>
            <input id=id("reported_upstream_on") name="reported_upstream_on" type="date" value=date(i.as_ref().and_then(|i| i.reported_upstream_on))/>
            <FieldError error field="reported_upstream_on"/>
        </div>
        <div class="field">
            <label for=id("resolved_on")>"Resolved or declared won't-fix on"</label>
            <input id=id("resolved_on") name="resolved_on" type="date" aria-describedby=resolved_hint.clone() value=date(i.as_ref().and_then(|i| i.resolved_on))/>
            <p class="hint" id=resolved_hint>"Required for resolved and won't-fix issues; leave empty otherwise."</p>
            <FieldError error field="resolved_on"/>
        </div>
    }
}
