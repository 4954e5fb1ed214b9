//! The project list, creation form, overview and settings pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::{MemberRole, MlNeeded, ProjectDetail, ProjectList, ProjectStatus};
use crate::auth::CurrentUser;
use crate::components::{
    ErrorNotice, FieldError, FormError, ProjectFrame, ProjectTabs, StatusBadge, action_error,
    use_project_key,
};
use crate::error::AppError;

/// `/projects`: the projects the caller may see, by name, a page at a time.
#[component]
pub fn ProjectsPage() -> impl IntoView {
    let query = use_query_map();
    let archived = move || query.read().get("archived");
    let params = move || {
        let q = query.read();
        (q.get("archived"), q.get("after"), q.get("before"))
    };
    let projects = Resource::new(params, |(archived, after, before)| {
        list_projects(archived, after, before)
    });
    let user = use_context::<CurrentUser>();
    let can_create = user.is_some_and(|u| u.role.sees_everything());
    view! {
        <Title text="Projects · Touchpoint"/>
        <section class="page">
            <div class="page-head">
                <h1>"Projects"</h1>
                {can_create.then(|| view! { <a class="button primary" href="/projects/new">"New project"</a> })}
            </div>
            <p class="filters">
                {move || if archived().as_deref() == Some("true") {
                    view! { <a href="/projects">"Hide archived projects"</a> }.into_any()
                } else {
                    view! { <a href="/projects?archived=true">"Show archived projects"</a> }.into_any()
                }}
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match projects.await {
                        Ok(list) if list.total == 0 => view! {
                            <div class="card empty-state">
                                <p>"No projects yet."</p>
                                {can_create.then(|| view! { <p><a href="/projects/new">"Create the first project"</a></p> })}
                            </div>
                        }.into_any(),
                        Ok(list) => view! { <ProjectTable list archived=archived()/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The address of another page of the list (`cursor`: `after` or `before`, and its value).
fn list_href(archived: Option<&str>, cursor: (&str, &str)) -> String {
    let archived = if archived == Some("true") {
        "archived=true&"
    } else {
        ""
    };
    format!(
        "/projects?{archived}{}={}",
        cursor.0,
        crate::reports::encode_cursor(cursor.1)
    )
}

#[component]
fn ProjectTable(list: ProjectList, archived: Option<String>) -> impl IntoView {
    let ProjectList {
        items,
        total,
        offset,
        next,
        prev,
    } = list;
    let prev = prev.map(|c| list_href(archived.as_deref(), ("before", &c)));
    let next = next.map(|c| list_href(archived.as_deref(), ("after", &c)));
    let shown = if items.is_empty() {
        format!("No projects on this page; the list has {total}.")
    } else {
        format!(
            "Projects {}–{} of {total}.",
            offset + 1,
            offset + items.len()
        )
    };
    view! {
        <p class="hint">{shown}</p>
        <table class="table">
            <thead><tr>
                <th>"Project"</th><th>"Status"</th><th>"Lead"</th><th>"Current sprint"</th><th>"Last end-user contact"</th>
            </tr></thead>
            <tbody>
                {items.into_iter().map(|p| {
                    let href = format!("/projects/{}", p.key);
                    view! {
                        <tr>
                            <td><a href=href>{p.name}</a><div class="hint"><code>{p.key.clone()}</code></div></td>
                            <td><StatusBadge status=p.status/></td>
                            <td>{p.lead_name.unwrap_or_else(|| "—".into())}</td>
                            <td>{p.current_sprint.map_or_else(|| "—".to_string(), |(n, name)| format!("#{n} {name}"))}</td>
                            <td>
                                {p.last_contact_on.map_or_else(|| "—".to_string(), |d| d.to_string())}
                                {p.lacking_contact.map(|reason| view! {
                                    <span class="badge badge-red" title=reason.clone()>"No end-user contact"</span>
                                    <span class="sr-only">{reason}</span>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {(prev.is_some() || next.is_some()).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|h| view! { <a href=h rel="prev">"← Previous"</a> })}
                {next.map(|h| view! { <a href=h rel="next">"Next →"</a> })}
            </nav>
        })}
    }
}

/// `/projects/new`.
#[component]
pub fn NewProjectPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let error = action_error(create);
    let users = Resource::new(|| (), |_| list_user_choices());
    let me = use_context::<CurrentUser>();
    let my_id = me.map(|u| u.id).unwrap_or_default();
    view! {
        <Title text="New project · Touchpoint"/>
        <section class="page narrow-form">
            <h1>"New project"</h1>
            <ActionForm action=create attr:class="card" attr:novalidate=true>
                <FormError error/>
                <label for="name">"Name"</label>
                <input id="name" name="name" type="text" required maxlength="120"/>
                <FieldError error field="name"/>
                <label for="key">"Key"</label>
                <input id="key" name="key" type="text" required pattern="[a-z0-9][a-z0-9-]{1,39}"
                    aria-describedby="key-hint"/>
                <p class="hint" id="key-hint">"Appears in links, e.g. readmission-risk. Lowercase letters, digits and hyphens; it cannot change later."</p>
                <FieldError error field="key"/>
                <ProjectFields error users=users my_id=my_id project=None/>
                <div class="actions"><button type="submit" class="primary">"Create project"</button></div>
            </ActionForm>
        </section>
    }
}

/// The fields shared by the creation and settings forms.
#[component]
fn ProjectFields(
    error: Signal<Option<AppError>>,
    users: Resource<Result<Vec<super::UserChoice>, AppError>>,
    my_id: String,
    project: Option<super::Project>,
) -> impl IntoView {
    let p = project.clone();
    let status = p.as_ref().map_or(ProjectStatus::Active, |p| p.status);
    let ml = p.as_ref().map_or(MlNeeded::Unknown, |p| p.ml_needed);
    let lead = p.as_ref().and_then(|p| p.lead.clone()).unwrap_or(my_id);
    view! {
        <label for="problem_statement">"Problem statement"</label>
        <textarea id="problem_statement" name="problem_statement">{p.as_ref().map(|p| p.problem_statement.clone())}</textarea>
        <FieldError error field="problem_statement"/>
        <label for="end_users">"Who are the end users?"</label>
        <textarea id="end_users" name="end_users">{p.as_ref().map(|p| p.end_users.clone())}</textarea>
        <FieldError error field="end_users"/>
        <div class="form-row">
            <div>
                <label for="status">"Status"</label>
                <select id="status" name="status">
                    {ProjectStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == status>{s.label()}</option> }).collect_view()}
                </select>
                <FieldError error field="status"/>
            </div>
            <div>
                <label for="lead">"Lead"</label>
                <Suspense fallback=|| view! { <select id="lead" name="lead" disabled=true></select> }>
                    {move || {
                        let lead = lead.clone();
                        Suspend::new(async move {
                            let list = users.await.unwrap_or_default();
                            view! {
                                <select id="lead" name="lead">
                                    {list.into_iter().map(|u| {
                                        let selected = u.id == lead;
                                        view! { <option value=u.id selected=selected>{u.name}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })
                    }}
                </Suspense>
                <FieldError error field="lead"/>
            </div>
            <div>
                <label for="started_on">"Started on"</label>
                <input id="started_on" name="started_on" type="date" value=p.as_ref().map(|p| p.started_on.to_string())/>
                <FieldError error field="started_on"/>
            </div>
        </div>
        <div class="form-row">
            <div>
                <label for="target_iteration_days">"Target sprint length (days)"</label>
                <input id="target_iteration_days" name="target_iteration_days" type="number" min="1" max="42"
                    value=p.as_ref().map_or(14, |p| p.target_iteration_days)/>
                <FieldError error field="target_iteration_days"/>
            </div>
            <div>
                <label for="contact_threshold_days">"End-user contact threshold (days)"</label>
                <input id="contact_threshold_days" name="contact_threshold_days" type="number" min="1" max="365"
                    value=p.as_ref().map_or(30, |p| p.contact_threshold_days)/>
                <FieldError error field="contact_threshold_days"/>
            </div>
        </div>
        <fieldset class="framing">
            <legend>"Problem framing"</legend>
            <label for="ml_needed">"Is machine learning needed?"</label>
            <select id="ml_needed" name="ml_needed">
                {MlNeeded::ALL.iter().map(|m| view! { <option value=m.as_str() selected=*m == ml>{m.label()}</option> }).collect_view()}
            </select>
            <FieldError error field="ml_needed"/>
            <label for="baseline_considered">"Which simpler baseline was considered?"</label>
            <textarea id="baseline_considered" name="baseline_considered">{p.as_ref().map(|p| p.baseline_considered.clone())}</textarea>
            <FieldError error field="baseline_considered"/>
        </fieldset>
    }
}

/// `/projects/{key}`: the overview.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let sprints = crate::sprints::pages::SprintsData::new();
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| {
            let p = d.project.clone();
            view! {
                <div class="grid-2">
                    <div class="card">
                        <h2>"About"</h2>
                        <dl class="facts">
                            <dt>"Lead"</dt><dd>{p.lead_name.clone().unwrap_or_else(|| "—".into())}</dd>
                            <dt>"Started"</dt><dd>{p.started_on.to_string()}</dd>
                            <dt>"Target sprint"</dt><dd>{format!("{} days", p.target_iteration_days)}</dd>
                            <dt>"Contact threshold"</dt><dd>{format!("{} days", p.contact_threshold_days)}</dd>
                            <dt>"ML needed"</dt><dd>{p.ml_needed.label()}</dd>
                            <dt>"Baseline"</dt><dd>{if p.baseline_considered.is_empty() { "—".to_string() } else { p.baseline_considered.clone() }}</dd>
                        </dl>
                        <h3>"Problem"</h3>
                        <p class="prose">{if p.problem_statement.is_empty() { "—".to_string() } else { p.problem_statement.clone() }}</p>
                        <h3>"End users"</h3>
                        <p class="prose">{if p.end_users.is_empty() { "—".to_string() } else { p.end_users.clone() }}</p>
                    </div>
                    <div class="card">
                        <h2>"Team"</h2>
                        <ul class="plain">
                            {d.members.iter().map(|m| view! { <li>{m.name.clone()}" "<span class="badge">{m.role.label()}</span></li> }).collect_view()}
                        </ul>
                    </div>
                </div>
                <crate::sprints::pages::SprintsSection key=p.key.clone() access=d.access data=sprints/>
            }.into_any()
        })/>
    }
}

/// `/projects/{key}/settings`: edit, members, archive.
#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let update = ServerAction::<UpdateProject>::new();
    let archive = ServerAction::<ArchiveProject>::new();
    let set = ServerAction::<SetMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let users = Resource::new(|| (), |_| list_user_choices());
    let key = use_project_key();
    let detail = Resource::new(
        move || {
            (
                key.get(),
                update.version().get(),
                archive.version().get(),
                set.version().get(),
                remove.version().get(),
            )
        },
        |(k, ..)| get_project(k),
    );
    let error = action_error(update);
    let member_error = Signal::derive(move || {
        action_error(set)
            .get()
            .or_else(|| action_error(remove).get())
    });
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) if d.access.can_manage() => {
                        let p = d.project.clone();
                        let key = p.key.clone();
                        let (key_update, key_add, key_archive) = (key.clone(), key.clone(), key.clone());
                        let archived = p.status == ProjectStatus::Archived;
                        view! {
                            <Title text=format!("Settings · {}", p.name)/>
                            <section class="page">
                                <div class="page-head"><h1>{p.name.clone()}</h1><StatusBadge status=p.status/></div>
                                <ProjectTabs key=key.clone() access=d.access/>
                                <h2>"Settings"</h2>
                                {move || saved().then(|| view! { <p class="alert alert-info" role="status">"Saved."</p> })}
                                <ActionForm action=update attr:class="card" attr:novalidate=true>
                                    <FormError error/>
                                    <input type="hidden" name="key" value=key_update/>
                                    <label for="name">"Name"</label>
                                    <input id="name" name="name" type="text" required maxlength="120" value=p.name.clone()/>
                                    <FieldError error field="name"/>
                                    <ProjectFields error users=users my_id=String::new() project=Some(p.clone())/>
                                    <div class="actions"><button type="submit" class="primary">"Save settings"</button></div>
                                </ActionForm>
                                <h2>"Webhooks"</h2>
                                <p>
                                    "Tell chat, a tracker or any other system when feedback arrives, a review is held, an action item changes, an interview is scheduled or a signal changes. "
                                    <a href=format!("/projects/{key}/settings/webhooks")>"Manage webhooks"</a>
                                </p>
                                <h2>"Members"</h2>
                                {move || member_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e.message()}</p> })}
                                <table class="table">
                                    <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th></th></tr></thead>
                                    <tbody>
                                        {d.members.iter().map(|m| {
                                            let (k1, k2) = (key.clone(), key.clone());
                                            let (u1, u2, uid) = (m.user_id.clone(), m.user_id.clone(), m.user_id.clone());
                                            let role = m.role;
                                            view! {
                                                <tr>
                                                    <td>{m.name.clone()}</td>
                                                    <td>{m.email.clone()}</td>
                                                    <td>
                                                        <ActionForm action=set attr:class="inline">
                                                            <input type="hidden" name="key" value=k1/>
                                                            <input type="hidden" name="user_id" value=u1/>
                                                            <label class="sr-only" for=format!("member-role-{uid}")>"Role"</label>
                                                            <select id=format!("member-role-{uid}") name="role">
                                                                {MemberRole::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == role>{r.label()}</option> }).collect_view()}
                                                            </select>
                                                            <button type="submit">"Set"</button>
                                                        </ActionForm>
                                                    </td>
                                                    <td>
                                                        <ActionForm action=remove attr:class="inline">
                                                            <input type="hidden" name="key" value=k2/>
                                                            <input type="hidden" name="user_id" value=u2/>
                                                            <button type="submit">"Remove"</button>
                                                        </ActionForm>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <ActionForm action=set attr:class="card form-row">
                                    <input type="hidden" name="key" value=key_add/>
                                    <div>
                                        <label for="add-member">"Add a member"</label>
                                        <Suspense fallback=|| ()>
                                            {move || Suspend::new(async move {
                                                let list = users.await.unwrap_or_default();
                                                view! {
                                                    <select id="add-member" name="user_id">
                                                        {list.into_iter().map(|u| view! { <option value=u.id>{u.name}</option> }).collect_view()}
                                                    </select>
                                                }
                                            })}
                                        </Suspense>
                                    </div>
                                    <div>
                                        <label for="add-role">"Role"</label>
                                        <select id="add-role" name="role">
                                            <option value="member">"Member"</option>
                                            <option value="viewer">"Viewer"</option>
                                            <option value="lead">"Lead"</option>
                                        </select>
                                    </div>
                                    <div class="actions"><button type="submit">"Add member"</button></div>
                                </ActionForm>
                                <h2>{if archived { "Restore" } else { "Archive" }}</h2>
                                <ActionForm action=archive attr:class="card">
                                    <input type="hidden" name="key" value=key_archive/>
                                    <input type="hidden" name="archived" value=if archived { "false" } else { "true" }/>
                                    <p class="hint">{if archived { "Restoring makes the project active again." } else { "Archived projects leave the lists and raise no flags; nothing is deleted." }}</p>
                                    <button type="submit">{if archived { "Restore project" } else { "Archive project" }}</button>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                    Ok(_) => view! { <section class="page"><ErrorNotice error=AppError::Forbidden("Only the project's leads can change its settings.".into())/></section> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <crate::components::NotFound/> }.into_any(),
                    Err(e) => view! { <section class="page"><ErrorNotice error=e/></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}
