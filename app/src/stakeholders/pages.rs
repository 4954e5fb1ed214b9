//! The stakeholder directory and the page of one stakeholder.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::*;
use super::{
    DirectoryContext, Function, StakeholderDetail, StakeholderList, directory_href,
    format_attributes,
};
use crate::components::{ErrorNotice, FieldError, FormError, NotFound, action_error};
use crate::error::AppError;

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_string()
    } else {
        s.to_string()
    }
}

/// The current directory filters from the URL: (q, function, project, erased, limit, after).
type Filters = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// `/stakeholders`: search, filter, and add stakeholders. The filters live in the URL (a GET
/// form), so the page works without JavaScript.
#[component]
pub fn StakeholdersPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || -> Filters {
        let q = query.read();
        (
            q.get("q"),
            q.get("function"),
            q.get("project"),
            q.get("erased"),
            q.get("limit"),
            q.get("after"),
        )
    };
    let create = ServerAction::<CreateStakeholder>::new();
    let list = Resource::new(
        move || (filters(), create.version().get()),
        |((q, f, p, e, l, a), _)| list_stakeholders(q, f, p, e, l, a),
    );
    let context = Resource::new(|| (), |_| get_directory_context());
    view! {
        <Title text="Stakeholders · Touchpoint"/>
        <section class="page">
            <div class="page-head">
                <h1>"Stakeholders"</h1>
            </div>
            <p class="lead">
                "Everyone the projects work with and for. Emails and self-described attributes are shown only to admins, workspace leads and the leads of a linked project."
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let current = filters();
                    match context.await {
                        Ok(ctx) => view! { <DirectoryFilters ctx current/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let current = filters();
                    match list.await {
                        Ok(list) => view! { <DirectoryTable list current/> }.into_any(),
                        Err(AppError::NotFound(_)) => view! {
                            <p class="alert alert-error" role="alert">"That project does not exist or you cannot see it."</p>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match context.await {
                        Ok(ctx) if ctx.can_create => view! { <NewStakeholder ctx create/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DirectoryFilters(ctx: DirectoryContext, current: Filters) -> impl IntoView {
    let (q, function, project, erased, ..) = current;
    let function = function.unwrap_or_default();
    let project = project.unwrap_or_default();
    let include_erased = matches!(erased.as_deref(), Some("include" | "true" | "on"));
    view! {
        <form method="get" action="/stakeholders" class="filters card" role="search" aria-label="Search stakeholders">
            <div>
                <label for="filter-q">"Search"</label>
                <input id="filter-q" name="q" type="search" maxlength="100" value=q.unwrap_or_default()
                    placeholder="Name, organization, title"/>
            </div>
            <div>
                <label for="filter-function">"Filter by function"</label>
                <select id="filter-function" name="function">
                    <option value="" selected=function.is_empty()>"All functions"</option>
                    {Function::ALL.iter().map(|f| view! {
                        <option value=f.as_str() selected=f.as_str() == function>{f.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="filter-project">"Filter by project"</label>
                <select id="filter-project" name="project">
                    <option value="" selected=project.is_empty()>"All projects"</option>
                    {ctx.projects.iter().map(|p| view! {
                        <option value=p.key.clone() selected=p.key == project>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="filter-erased" class="checkbox-label">
                    <input id="filter-erased" type="checkbox" name="erased" value="include" checked=include_erased/>
                    " Include erased entries"
                </label>
            </div>
            <div class="actions">
                <button type="submit">"Search"</button>
                <a href="/stakeholders">"Clear filters"</a>
            </div>
        </form>
    }
}

#[component]
fn DirectoryTable(list: StakeholderList, current: Filters) -> impl IntoView {
    let (q, function, project, erased, ..) = current;
    let include_erased = matches!(erased.as_deref(), Some("include" | "true" | "on"));
    let q = q.as_deref().unwrap_or_default().trim().to_string();
    let href = |after: Option<&str>| {
        directory_href(
            &q,
            function.as_deref(),
            project.as_deref(),
            include_erased,
            after,
        )
    };
    let more = list.next_after.as_deref().map(|a| href(Some(a)));
    let first = list.continued.then(|| href(None));
    if list.items.is_empty() {
        return view! {
            <div class="card empty-state"><p>"No stakeholders match."</p></div>
        }
        .into_any();
    }
    let shows_emails = list.shows_emails;
    let count = list.items.len();
    view! {
        <p class="hint" role="status">
            {match (list.continued, list.has_more, count) {
                (true, _, _) => format!("Showing {count} more stakeholders, by name."),
                (false, true, _) => format!("Showing the first {count} stakeholders, by name."),
                (false, false, 1) => "1 stakeholder.".to_string(),
                (false, false, _) => format!("{count} stakeholders."),
            }}
        </p>
        <table class="table stakeholder-table">
            <thead><tr>
                <th>"Name"</th><th>"Function"</th><th>"Organization"</th><th>"Title"</th><th>"Projects"</th>
                {shows_emails.then(|| view! { <th>"Email"</th> })}
            </tr></thead>
            <tbody>
                {list.items.into_iter().map(|s| {
                    let href = format!("/stakeholders/{}", s.id);
                    view! {
                        <tr>
                            <td>
                                <a href=href>{s.name.clone()}</a>
                                {s.erased.then(|| view! { " " <span class="badge">"Erased"</span> })}
                            </td>
                            <td>{s.function.label()}</td>
                            <td>{or_dash(&s.organization)}</td>
                            <td>{or_dash(&s.title)}</td>
                            <td>
                                {if s.projects.is_empty() { Some("—") } else { None }}
                                {s.projects.iter().enumerate().map(|(i, p)| view! {
                                    {(i > 0).then_some(", ")}
                                    <a href=format!("/projects/{}", p.key)>{p.name.clone()}</a>
                                }).collect_view()}
                            </td>
                            {shows_emails.then(|| view! { <td>{s.email.clone().unwrap_or_else(|| "—".into())}</td> })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="show-more" aria-label="Directory pages">
            {first.map(|href| view! { <a href=href>"First page"</a> " " })}
            {more.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn NewStakeholder(ctx: DirectoryContext, create: ServerAction<CreateStakeholder>) -> impl IntoView {
    let error = action_error(create);
    let created = move || match create.value().get() {
        Some(Ok(id)) => Some(view! {
            <p class="alert alert-info" role="status">
                "Stakeholder added. " <a href=format!("/stakeholders/{id}")>"Open their page"</a>
            </p>
        }),
        _ => None,
    };
    let writable: Vec<_> = ctx
        .projects
        .iter()
        .filter(|p| p.can_write)
        .cloned()
        .collect();
    let private = ctx.can_record_private;
    let project_hint = if ctx.sees_everything {
        "Optional. More projects can be linked on their page."
    } else {
        "Choose one of your projects. More can be linked on their page."
    };
    view! {
        <h2 id="add-stakeholder">"Add a stakeholder"</h2>
        {created}
        <ActionForm action=create attr:class="card" attr:novalidate=true attr:aria-labelledby="add-stakeholder">
            <FormError error/>
            <div class="form-grid">
                <div>
                    <label for="new-name">"Name"</label>
                    <input id="new-name" name="name" type="text" required maxlength="120"/>
                    <FieldError error field="name"/>
                </div>
                <div>
                    <label for="new-function">"Function"</label>
                    <select id="new-function" name="function" required>
                        <option value="">"Choose…"</option>
                        {Function::ALL.iter().map(|f| view! { <option value=f.as_str()>{f.label()}</option> }).collect_view()}
                    </select>
                    <FieldError error field="function"/>
                </div>
                <div>
                    <label for="new-organization">"Organization"</label>
                    <input id="new-organization" name="organization" type="text" maxlength="120"/>
                    <FieldError error field="organization"/>
                </div>
                <div>
                    <label for="new-title">"Title"</label>
                    <input id="new-title" name="title" type="text" maxlength="120"/>
                    <FieldError error field="title"/>
                </div>
                <div>
                    <label for="new-project">"Project"</label>
                    <select id="new-project" name="project" aria-describedby="new-project-hint">
                        {ctx.sees_everything.then(|| view! { <option value="">"No project yet"</option> })}
                        {writable.into_iter().map(|p| view! { <option value=p.key>{p.name}</option> }).collect_view()}
                    </select>
                    <p class="hint" id="new-project-hint">{project_hint}</p>
                    <FieldError error field="project"/>
                </div>
                {private.then(|| view! {
                    <div>
                        <label for="new-email">"Email"</label>
                        <input id="new-email" name="email" type="email" maxlength="254" aria-describedby="new-email-hint"/>
                        <p class="hint" id="new-email-hint">"Optional; unique. Seen only by admins, workspace leads and the project's leads."</p>
                        <FieldError error field="email"/>
                    </div>
                })}
            </div>
            <label for="new-notes">"Notes"</label>
            <textarea id="new-notes" name="notes" maxlength="5000"></textarea>
            <FieldError error field="notes"/>
            {private.then(|| view! { <AttributeFields error prefix="new" attributes=String::new() consented_on=String::new()/> })}
            <div class="actions"><button type="submit" class="primary">"Add stakeholder"</button></div>
        </ActionForm>
    }
}

/// The self-described attributes and the consent date, shared by the add and edit forms.
#[component]
fn AttributeFields(
    error: Signal<Option<AppError>>,
    prefix: &'static str,
    attributes: String,
    consented_on: String,
) -> impl IntoView {
    let attr_id = format!("{prefix}-attributes");
    let consent_id = format!("{prefix}-consented-on");
    let hint_id = format!("{prefix}-attributes-hint");
    view! {
        <fieldset class="attributes">
            <legend>"Self-described attributes (optional)"</legend>
            <p class="hint" id=hint_id.clone()>
                "Only what the person chose to describe, with their consent. One per line, as dimension: value (for example background: rural). They are kept only while a consent date is recorded; clearing the date withdraws consent and deletes them."
            </p>
            <label for=attr_id.clone()>"Self-described attributes"</label>
            <textarea id=attr_id name="attributes" aria-describedby=hint_id>{attributes}</textarea>
            <FieldError error field="attributes"/>
            <label for=consent_id.clone()>"Consent recorded on"</label>
            <input id=consent_id name="consented_on" type="date" value=consented_on/>
            <FieldError error field="consented_on"/>
        </fieldset>
    }
}

/// `/stakeholders/{id}`: one person, the reviews they attended, and (for those allowed) edit,
/// link, merge and erase. A merged entry redirects to the entry it was merged into.
#[component]
pub fn StakeholderPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let actions = StakeholderActions {
        update: ServerAction::new(),
        withdraw: ServerAction::new(),
        link: ServerAction::new(),
        unlink: ServerAction::new(),
        merge: ServerAction::new(),
        erase: ServerAction::new(),
    };
    let detail = Resource::new(
        move || {
            (
                id.get(),
                actions.update.version().get(),
                actions.withdraw.version().get(),
                actions.link.version().get(),
                actions.unlink.version().get(),
                actions.merge.version().get(),
                actions.erase.version().get(),
            )
        },
        |(id, ..)| get_stakeholder(id),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => match d.stakeholder.merged_into.clone() {
                        Some(kept) => {
                            let href = format!("/stakeholders/{kept}");
                            view! {
                                <Redirect path=href.clone()/>
                                <section class="page">
                                    <p class="alert alert-info">
                                        "This entry was merged into another. " <a href=href>"Go to the kept entry"</a>
                                    </p>
                                </section>
                            }.into_any()
                        }
                        None => view! { <StakeholderView d actions/> }.into_any(),
                    },
                    Err(AppError::NotFound(_)) => view! { <NotFound/> }.into_any(),
                    Err(e) => view! { <section class="page"><ErrorNotice error=e/></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The actions of the stakeholder page (all `Copy`).
#[derive(Clone, Copy)]
struct StakeholderActions {
    update: ServerAction<UpdateStakeholder>,
    withdraw: ServerAction<WithdrawConsent>,
    link: ServerAction<LinkProject>,
    unlink: ServerAction<UnlinkProject>,
    merge: ServerAction<MergeStakeholders>,
    erase: ServerAction<EraseStakeholder>,
}

#[component]
fn StakeholderView(d: StakeholderDetail, actions: StakeholderActions) -> impl IntoView {
    let s = d.stakeholder.clone();
    let erased = s.is_erased();
    let title = format!("{} · Touchpoint", s.name);
    let withdraw_error = action_error(actions.withdraw);
    let link_error = Signal::derive(move || {
        action_error(actions.link)
            .get()
            .or_else(|| action_error(actions.unlink).get())
    });
    let projects = s.projects.clone();
    let unlinkable = d.unlinkable.clone();
    let can_edit = d.can_edit;
    let id = s.id.clone();
    view! {
        <Title text=title/>
        <section class="page">
            <p class="hint"><a href="/stakeholders">"← All stakeholders"</a></p>
            <div class="page-head">
                <h1>{s.name.clone()}</h1>
                <span class="badge">{s.function.label()}</span>
                {erased.then(|| view! { <span class="badge badge-red">"Erased"</span> })}
            </div>
            {erased.then(|| view! {
                <p class="alert alert-info">
                    "This person was erased. Their function and project links are kept, so what they contributed still counts under their function."
                </p>
            })}
            <div class="grid-2">
                <div class="card">
                    <h2>"Details"</h2>
                    <dl class="facts">
                        <dt>"Function"</dt><dd>{s.function.label()}</dd>
                        <dt>"Organization"</dt><dd>{or_dash(&s.organization)}</dd>
                        <dt>"Title"</dt><dd>{or_dash(&s.title)}</dd>
                        {s.private_visible.then(|| view! {
                            <dt>"Email"</dt><dd>{s.email.clone().unwrap_or_else(|| "—".into())}</dd>
                        })}
                    </dl>
                    <h3>"Notes"</h3>
                    <p class="prose notes">{or_dash(&s.notes)}</p>
                </div>
                <div class="card">
                    <h2>"Self-described attributes"</h2>
                    {if s.private_visible {
                        let attrs = s.attributes.clone();
                        let consent = s.consented_on;
                        let id = s.id.clone();
                        view! {
                            {if attrs.is_empty() {
                                view! { <p class="empty-state">"None recorded."</p> }.into_any()
                            } else {
                                view! {
                                    <dl class="facts">
                                        {attrs.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                    </dl>
                                }.into_any()
                            }}
                            <p class="hint">{match consent {
                                Some(d) => format!("Consent recorded on {d}."),
                                None => "No consent recorded.".to_string(),
                            }}</p>
                            {(consent.is_some() && can_edit).then(|| view! {
                                <ActionForm action=actions.withdraw attr:class="inline">
                                    <input type="hidden" name="id" value=id/>
                                    <button type="submit">"Withdraw consent and delete attributes"</button>
                                </ActionForm>
                                {move || withdraw_error.get().map(|e| view! { <p class="field-error" role="alert">{e.message()}</p> })}
                            })}
                        }.into_any()
                    } else {
                        view! {
                            <p class="hint">"Only admins, workspace leads and the leads of a linked project see emails and self-described attributes."</p>
                        }.into_any()
                    }}
                </div>
            </div>

            <h2>"Projects"</h2>
            {move || link_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e.message()}</p> })}
            {if projects.is_empty() {
                view! { <p class="empty-state">"Not linked to any project you can see."</p> }.into_any()
            } else {
                let id = id.clone();
                view! {
                    <ul class="plain linked-projects">
                        {projects.into_iter().map(|p| {
                            let may_unlink = unlinkable.contains(&p.key);
                            let id = id.clone();
                            let key = p.key.clone();
                            view! {
                                <li>
                                    <a href=format!("/projects/{}", p.key)>{p.name.clone()}</a>
                                    {may_unlink.then(|| view! {
                                        " "
                                        <ActionForm action=actions.unlink attr:class="inline">
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="project" value=key/>
                                            <button type="submit" class="link-button" aria-label=format!("Unlink {}", p.name)>"Unlink"</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!d.linkable.is_empty()).then(|| {
                let id = id.clone();
                view! {
                    <ActionForm action=actions.link attr:class="inline">
                        <input type="hidden" name="id" value=id/>
                        <label for="link-project">"Link to project"</label>
                        <select id="link-project" name="project">
                            {d.linkable.iter().map(|p| view! { <option value=p.key.clone()>{p.name.clone()}</option> }).collect_view()}
                        </select>
                        <button type="submit">"Link"</button>
                    </ActionForm>
                }
            })}

            <h2>"Reviews attended"</h2>
            {if d.reviews.is_empty() {
                view! { <p class="empty-state">"No sprint reviews attended in projects you can see."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th>"Project"</th><th>"Sprint"</th><th>"Held on"</th></tr></thead>
                        <tbody>
                            {d.reviews.iter().map(|r| view! {
                                <tr>
                                    <td>{r.project_name.clone()}</td>
                                    <td><a href=r.href()>{format!("Sprint {} review", r.sprint_number)}</a></td>
                                    <td>{r.held_on.to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h2>"Interviews and feedback"</h2>
            <div class="card empty-state"><p>"Interviews and feedback will appear here."</p></div>

            {can_edit.then(|| view! { <EditStakeholder s=s.clone() action=actions.update/> })}
            {(d.can_merge && !erased).then(|| view! {
                <MergeStakeholder id=s.id.clone() name=s.name.clone() action=actions.merge/>
                <EraseStakeholderForm id=s.id.clone() action=actions.erase/>
            })}
        </section>
    }
}

#[component]
fn EditStakeholder(
    s: super::Stakeholder,
    action: ServerAction<UpdateStakeholder>,
) -> impl IntoView {
    let error = action_error(action);
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    let function = s.function;
    let private = s.private_visible;
    let attributes = format_attributes(&s.attributes);
    let consented_on = s.consented_on.map(|d| d.to_string()).unwrap_or_default();
    let email = s.email.clone().unwrap_or_default();
    view! {
        <h2 id="edit-stakeholder">"Edit"</h2>
        {move || saved().then(|| view! { <p class="alert alert-info" role="status">"Saved."</p> })}
        <ActionForm action attr:class="card" attr:novalidate=true attr:aria-labelledby="edit-stakeholder">
            <FormError error/>
            <input type="hidden" name="id" value=s.id.clone()/>
            <div class="form-grid">
                <div>
                    <label for="edit-name">"Name"</label>
                    <input id="edit-name" name="name" type="text" required maxlength="120" value=s.name.clone()/>
                    <FieldError error field="name"/>
                </div>
                <div>
                    <label for="edit-function">"Function"</label>
                    <select id="edit-function" name="function">
                        {Function::ALL.iter().map(|f| view! { <option value=f.as_str() selected=*f == function>{f.label()}</option> }).collect_view()}
                    </select>
                    <FieldError error field="function"/>
                </div>
                <div>
                    <label for="edit-organization">"Organization"</label>
                    <input id="edit-organization" name="organization" type="text" maxlength="120" value=s.organization.clone()/>
                    <FieldError error field="organization"/>
                </div>
                <div>
                    <label for="edit-title">"Title"</label>
                    <input id="edit-title" name="title" type="text" maxlength="120" value=s.title.clone()/>
                    <FieldError error field="title"/>
                </div>
                {private.then(|| view! {
                    <div>
                        <label for="edit-email">"Email"</label>
                        <input id="edit-email" name="email" type="email" maxlength="254" value=email/>
                        <FieldError error field="email"/>
                    </div>
                })}
            </div>
            <label for="edit-notes">"Notes"</label>
            <textarea id="edit-notes" name="notes" maxlength="5000">{s.notes.clone()}</textarea>
            <FieldError error field="notes"/>
            {private.then(|| view! {
                <input type="hidden" name="private_fields" value="true"/>
                <AttributeFields error prefix="edit" attributes consented_on/>
            })}
            <div class="actions"><button type="submit" class="primary">"Save changes"</button></div>
        </ActionForm>
    }
}

#[component]
fn MergeStakeholder(
    id: String,
    name: String,
    action: ServerAction<MergeStakeholders>,
) -> impl IntoView {
    let error = action_error(action);
    let choices = Resource::new(
        move || action.version().get(),
        |_| list_stakeholder_choices(None),
    );
    let this_id = id.clone();
    view! {
        <h2 id="merge-stakeholder">"Merge a duplicate entry"</h2>
        <form method="post" action={<MergeStakeholders as ServerFn>::PATH} class="card" aria-labelledby="merge-stakeholder">
            <FormError error/>
            <p class="hint">
                "When two entries describe the same person, merge them. The other entry is folded into the kept one: its projects are added, the reviews it attended move over, and it leaves the directory."
            </p>
            <input type="hidden" name="id" value=id/>
            <label for="merge-other">"Duplicate entry"</label>
            <Suspense fallback=|| view! { <select id="merge-other" name="other" disabled=true></select> }>
                {move || {
                    let this_id = this_id.clone();
                    Suspend::new(async move {
                        let list = choices.await.unwrap_or_default();
                        view! {
                            <select id="merge-other" name="other">
                                <option value="">"Choose an entry…"</option>
                                {list.into_iter().filter(|c| c.id != this_id).map(|c| view! {
                                    <option value=c.id>{format!("{} ({})", c.name, c.function.label())}</option>
                                }).collect_view()}
                            </select>
                        }
                    })
                }}
            </Suspense>
            <FieldError error field="other"/>
            <fieldset class="choices">
                <legend>"Which entry should stay?"</legend>
                <label class="checkbox-label">
                    <input type="radio" name="keep" value="this" checked=true/>
                    {format!(" Keep this entry ({name})")}
                </label>
                <label class="checkbox-label">
                    <input type="radio" name="keep" value="other"/>
                    " Keep the selected entry"
                </label>
            </fieldset>
            <FieldError error field="keep"/>
            <div class="actions"><button type="submit">"Merge entries"</button></div>
        </form>
    }
}

#[component]
fn EraseStakeholderForm(id: String, action: ServerAction<EraseStakeholder>) -> impl IntoView {
    let error = action_error(action);
    view! {
        <h2 id="erase-stakeholder">"Erase this person"</h2>
        <form method="post" action={<EraseStakeholder as ServerFn>::PATH} class="card danger-zone" aria-labelledby="erase-stakeholder">
            <FormError error/>
            <input type="hidden" name="id" value=id/>
            <p>
                "Erasing removes the name, email, organization, title, notes, self-described attributes and consent for good. The function and project links stay, so their past input still counts under their function and past signals do not change."
            </p>
            <label class="checkbox-label" for="erase-confirm">
                <input id="erase-confirm" type="checkbox" name="confirm" value="true"/>
                " I understand that this cannot be undone"
            </label>
            <FieldError error field="confirm"/>
            <div class="actions"><button type="submit">"Erase stakeholder"</button></div>
        </form>
    }
}
