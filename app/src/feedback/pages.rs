//! The project's feedback inbox with triage, team-recorded feedback and invite links
//! (`/projects/{key}/feedback`), and the public feedback page behind an invite (`/f/{token}`).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::*;
use super::{
    Channel, FeedbackCategory, FeedbackItem, FeedbackStatus, Function, Inbox, InviteList,
    InviteState, LinkPage, MAX_BODY, MAX_INVITE_DAYS, OpenLink, OwnFeedback, SprintChoice,
};
use crate::components::CopyLink;
use crate::components::ProjectFrame;
use crate::components::{ErrorNotice, FieldError, FormError, action_error, fmt_time};
use crate::error::AppError;
use crate::interviews::plausible_token;
use crate::live::LiveUpdates;
use crate::projects::ProjectDetail;
mod link;
pub use link::*;

/// A rating as stars, with a text alternative.
#[component]
fn Stars(rating: Option<u8>) -> impl IntoView {
    rating.map(|r| {
        let stars: String = (1..=5).map(|i| if i <= r { '★' } else { '☆' }).collect();
        view! {
            <span class="stars" aria-hidden="true">{stars}</span>
            <span class="sr-only">{format!("Rating {r} of 5")}</span>
        }
    })
}

fn status_class(s: FeedbackStatus) -> &'static str {
    match s {
        FeedbackStatus::New => "badge badge-amber",
        FeedbackStatus::Addressed => "badge badge-green",
        _ => "badge",
    }
}

/// `/projects/{key}/feedback`.
#[component]
pub fn FeedbackInboxPage() -> impl IntoView {
    let data = InboxData::new();
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| view! { <FeedbackSection detail=d data/> }.into_any())/>
    }
}

/// The inbox's actions and resources. The page creates them, outside the project frame's
/// Suspense: the server's render walks a Suspense's children more than once, and a resource
/// created in there would be loaded and sent to the browser once per walk.
#[derive(Clone, Copy)]
struct InboxData {
    triage: ServerAction<TriageFeedback>,
    create: ServerAction<CreateFeedback>,
    add_dir: ServerAction<AddAuthorToDirectory>,
    delete: ServerAction<DeleteFeedback>,
    inbox: Resource<Result<Inbox, AppError>>,
    people: Resource<Result<Vec<crate::interviews::StakeholderChoice>, AppError>>,
}

impl InboxData {
    fn new() -> Self {
        let key = crate::components::use_project_key();
        let query = use_query_map();
        let q = move |name: &str| query.read().get(name).filter(|v| !v.is_empty());
        let triage = ServerAction::<TriageFeedback>::new();
        let create = ServerAction::<CreateFeedback>::new();
        let add_dir = ServerAction::<AddAuthorToDirectory>::new();
        let delete = ServerAction::<DeleteFeedback>::new();
        let inbox = Resource::new(
            move || {
                (
                    key.get(),
                    q("sprint"),
                    q("status"),
                    q("category"),
                    q("rating"),
                    q("function"),
                    q("after"),
                    (
                        triage.version().get(),
                        create.version().get(),
                        add_dir.version().get(),
                        delete.version().get(),
                    ),
                )
            },
            |(k, sprint, status, category, rating, function, after, _)| {
                feedback_inbox(k, sprint, status, category, rating, function, after, None)
            },
        );
        // The people to pick from when recording feedback or creating an invite; the server
        // sends them only to those who may write.
        let people = Resource::new(
            move || key.get(),
            |k| async move { feedback_people(k).await },
        );
        Self {
            triage,
            create,
            add_dir,
            delete,
            inbox,
            people,
        }
    }
}

#[component]
fn FeedbackSection(detail: ProjectDetail, data: InboxData) -> impl IntoView {
    let key = detail.project.key.clone();
    let can_write = detail.access.can_write();
    let can_manage = detail.access.can_manage();
    let InboxData {
        triage,
        create,
        add_dir,
        delete,
        inbox,
        people,
    } = data;
    let key2 = key.clone();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = key2.clone();
                Suspend::new(async move {
                    match inbox.await {
                        Ok(inbox) => {
                            let sprints = inbox.sprints.clone();
                            let people = people.await.unwrap_or_default();
                            view! {
                                <InboxView inbox key=key.clone() can_write can_manage triage add_dir delete/>
                                {if can_write { Some(view! {
                                    <RecordFeedback key=key.clone() sprints=sprints.clone() people=people.clone() create/>
                                    <InvitesSection key=key.clone() sprints=sprints.clone() people=people.clone()/>
                                }) } else { None }}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The inbox's address with `filters`, starting after the item `after` (or from the newest),
/// with the triage forms of the item `triage` open (or none).
fn inbox_href(
    key: &str,
    filters: &[(&'static str, String)],
    after: Option<&str>,
    triage: Option<&str>,
) -> String {
    let encode = crate::stakeholders::url_encode;
    let parts: Vec<String> = filters
        .iter()
        .map(|(name, v)| format!("{name}={}", encode(v)))
        .chain(after.map(|a| format!("after={}", encode(a))))
        .chain(triage.map(|t| format!("triage={}", encode(t))))
        .collect();
    if parts.is_empty() {
        format!("/projects/{key}/feedback")
    } else {
        format!("/projects/{key}/feedback?{}", parts.join("&"))
    }
}

#[component]
fn FilterSelect(
    id: &'static str,
    label: &'static str,
    current: Option<String>,
    options: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <div>
            <label for=id>{label}</label>
            <select id=id name=id>
                <option value="">"Any"</option>
                {options.into_iter().map(|(v, l)| {
                    let selected = current.as_deref() == Some(v.as_str());
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn InboxView(
    inbox: Inbox,
    key: String,
    can_write: bool,
    can_manage: bool,
    triage: ServerAction<TriageFeedback>,
    add_dir: ServerAction<AddAuthorToDirectory>,
    delete: ServerAction<DeleteFeedback>,
) -> impl IntoView {
    let query = use_query_map();
    let cur = move |name: &str| query.read_untracked().get(name).filter(|v| !v.is_empty());
    let mut sprint_opts: Vec<(String, String)> = inbox
        .sprints
        .iter()
        .map(|s| (s.number.to_string(), format!("#{} {}", s.number, s.name)))
        .collect();
    sprint_opts.push(("none".into(), "No sprint".into()));
    let status_opts = FeedbackStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().to_string()))
        .collect();
    let category_opts = FeedbackCategory::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().to_string()))
        .collect();
    let mut rating_opts: Vec<(String, String)> = (1..=5)
        .rev()
        .map(|r| (r.to_string(), format!("{r} of 5")))
        .collect();
    rating_opts.push(("none".into(), "No rating".into()));
    let function_opts = Function::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().to_string()))
        .collect();
    let error = Signal::derive(move || {
        action_error(triage)
            .get()
            .or_else(|| action_error(add_dir).get())
            .or_else(|| action_error(delete).get())
    });
    let sprints = inbox.sprints.clone();
    // The item whose triage forms are open: one at a time, named in the URL, so that a page
    // of 50 items carries one set of forms rather than 50 (and a live update keeps it open).
    let open = cur("triage");
    let filters: Vec<(&'static str, String)> =
        ["sprint", "status", "category", "rating", "function"]
            .into_iter()
            .filter_map(|name| cur(name).map(|v| (name, v)))
            .collect();
    let after_now = cur("after");
    // The same filters, starting after an item (or from the newest), with an item's triage
    // open or none.
    let href =
        |after: Option<&str>, triage: Option<&str>| inbox_href(&key, &filters, after, triage);
    view! {
        <div class="page-head">
            <h2>"Feedback"</h2>
            <span data-live="new-count"><span class={if inbox.new_count > 0 { "badge badge-amber" } else { "badge" }}>{format!("{} new", inbox.new_count)}</span></span>
        </div>
        <LiveUpdates stream=format!("/api/v1/projects/{key}/events?inbox=true") presence=false/>
        <form method="get" class="filters card" aria-label="Filter feedback">
            <FilterSelect id="sprint" label="Sprint" current=cur("sprint") options=sprint_opts/>
            <FilterSelect id="status" label="Status" current=cur("status") options=status_opts/>
            <FilterSelect id="category" label="Category" current=cur("category") options=category_opts/>
            <FilterSelect id="rating" label="Rating" current=cur("rating") options=rating_opts/>
            <FilterSelect id="function" label="Function" current=cur("function") options=function_opts/>
            <div class="actions">
                <button type="submit">"Filter"</button>
                <a href=format!("/projects/{key}/feedback")>"Clear"</a>
            </div>
        </form>
        <FormError error/>
        <div data-live="inbox">{if inbox.items.is_empty() {
            view! { <div class="card empty-state"><p>"No feedback matches. Create an invite link below and share it with stakeholders."</p></div> }.into_any()
        } else {
            view! {
                <div class="feedback-list">
                    {inbox.items.into_iter().map(|item| {
                        let opened = open.as_deref() == Some(item.id.as_str());
                        // Opens this item's forms, or closes them when they are open.
                        let open_next = (!opened).then_some(item.id.as_str());
                        let toggle = format!("{}#feedback-{}", href(after_now.as_deref(), open_next), item.id);
                        view! {
                            <FeedbackCard item key=key.clone() sprints=sprints.clone() can_write can_manage opened toggle triage add_dir delete/>
                        }
                    }).collect_view()}
                </div>
            }.into_any()
        }}</div>
        <nav class="show-more" aria-label="Feedback pages">
            {inbox.continued.then(|| view! { <a href=href(None, None)>"Newest"</a> " " })}
            {inbox.next_after.as_deref().map(|a| view! { <a href=href(Some(a), None) rel="next">"Older feedback"</a> })}
        </nav>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn FeedbackCard(
    item: FeedbackItem,
    key: String,
    sprints: Vec<SprintChoice>,
    can_write: bool,
    can_manage: bool,
    /// Whether this item's triage forms are open.
    opened: bool,
    /// The link that opens them (or, when open, closes them).
    toggle: String,
    triage: ServerAction<TriageFeedback>,
    add_dir: ServerAction<AddAuthorToDirectory>,
    delete: ServerAction<DeleteFeedback>,
) -> impl IntoView {
    let id = item.id.clone();
    let author = item.author_display();
    let addable = item.can_add_to_directory();
    let sprint_label = item.sprint.as_ref().map_or_else(
        || "No sprint".to_string(),
        |(n, name)| format!("Sprint #{n} {name}"),
    );
    let anchor = format!("feedback-{id}");
    view! {
        <article class="card feedback-item" id=anchor>
            <header class="feedback-head">
                <strong>
                    {match &item.stakeholder {
                        Some((sid, _)) => view! { <a href=format!("/stakeholders/{sid}")>{author.clone()}</a> }.into_any(),
                        None => view! { <span>{author.clone()}</span> }.into_any(),
                    }}
                </strong>
                " " <span class="badge">{item.function.label()}</span>
                " " <span class=status_class(item.status)>{item.status.label()}</span>
                " " <span class="badge">{item.category.label()}</span>
                " " <Stars rating=item.rating/>
                <p class="hint">
                    {format!("{} · {} · {}", fmt_time(&item.submitted_at), item.channel.label(), sprint_label)}
                    {item.via_invite.then_some(" · via invite link")}
                    {item.hears_back.then_some(" · will be told by email when you respond")}
                    {item.addressed_in.map(|n| format!(" · addressed in sprint #{n}"))}
                </p>
            </header>
            <p class="feedback-body">{item.body.clone()}</p>
            {item.response.clone().map(|r| view! {
                <div class="feedback-response">
                    <p class="hint">{format!("Team response{}", item.responded_at.map(|t| format!(" · {}", fmt_time(&t))).unwrap_or_default())}</p>
                    <p class="feedback-body">{r}</p>
                </div>
            })}
            {match (can_write, opened) {
                (false, _) => None,
                (true, false) => Some(view! {
                    <p class="triage"><a href=toggle>"Triage and respond"</a></p>
                }.into_any()),
                (true, true) => Some(view! {
                    <div class="triage open">
                        <p class="triage-head"><strong>"Triage and respond"</strong> " " <a href=toggle>"Close"</a></p>
                        <TriageForm action=triage key=key.clone() item=item.clone() sprints=sprints.clone()/>
                        {if addable { Some(view! {
                            <AddToDirectoryForm action=add_dir key=key.clone() id=id.clone() name=item.author_name.clone().unwrap_or_default()/>
                        }) } else { None }}
                        {if can_manage { Some(view! { <DeleteFeedbackForm action=delete key=key.clone() id=id.clone()/> }) } else { None }}
                    </div>
                }.into_any()),
            }}
        </article>
    }
}

#[component]
fn TriageForm(
    action: ServerAction<TriageFeedback>,
    key: String,
    item: FeedbackItem,
    sprints: Vec<SprintChoice>,
) -> impl IntoView {
    let id = item.id.clone();
    let status_id = format!("status-{id}");
    let addressed_id = format!("addressed-{id}");
    let response_id = format!("response-{id}");
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="triage-form">
            <FormError error/>
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <div class="grid-2">
                <div>
                    <label for=status_id.clone()>"Status"</label>
                    <select id=status_id name="status">
                        {FeedbackStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == item.status>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for=addressed_id.clone()>"Sprint that addressed it"</label>
                    <select id=addressed_id name="addressed_in">
                        <option value="">"—"</option>
                        {sprints.iter().map(|s| view! {
                            <option value=s.number.to_string() selected=item.addressed_in == Some(s.number)>{format!("#{} {}", s.number, s.name)}</option>
                        }).collect_view()}
                    </select>
                    <FieldError error field="addressed_in"/>
                </div>
            </div>
            <label for=response_id.clone()>"Response (the author will see it)"</label>
            <textarea id=response_id name="response" maxlength="5000">{item.response.clone().unwrap_or_default()}</textarea>
            <FieldError error field="response"/>
            <div class="actions"><button type="submit" class="primary">"Save"</button></div>
        </ActionForm>
    }
}

#[component]
fn AddToDirectoryForm(
    action: ServerAction<AddAuthorToDirectory>,
    key: String,
    id: String,
    name: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline">
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <button type="submit">{format!("Add {name} to the directory")}</button>
        </ActionForm>
    }
}

#[component]
fn DeleteFeedbackForm(
    action: ServerAction<DeleteFeedback>,
    key: String,
    id: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline">
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <button type="submit">"Delete"</button>
        </ActionForm>
    }
}

#[component]
fn RevokeInviteForm(action: ServerAction<RevokeInvite>, key: String, id: String) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline">
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <button type="submit">"Revoke"</button>
        </ActionForm>
    }
}

fn sprint_options(sprints: &[SprintChoice], select_current: bool) -> impl IntoView + use<> {
    let list: Vec<SprintChoice> = sprints.to_vec();
    view! {
        <option value="">"No sprint"</option>
        {list.into_iter().map(|s| {
            let selected = select_current && s.current;
            let label = format!("#{} {}{}", s.number, s.name, if s.current { " (running)" } else { "" });
            view! { <option value=s.number.to_string() selected=selected>{label}</option> }
        }).collect_view()}
    }
}

fn people_options(people: &[crate::interviews::StakeholderChoice]) -> impl IntoView + use<> {
    let list = people.to_vec();
    list.into_iter()
        .map(|p| view! { <option value=p.id.clone()>{format!("{} — {}", p.name, p.function.label())}</option> })
        .collect_view()
}

#[component]
fn RecordFeedback(
    key: String,
    sprints: Vec<SprintChoice>,
    people: Vec<crate::interviews::StakeholderChoice>,
    create: ServerAction<CreateFeedback>,
) -> impl IntoView {
    let error = action_error(create);
    view! {
        <details class="card record-feedback" open=move || action_error(create).get().is_some()>
            <summary><h2 class="inline-heading">"Record feedback given in person"</h2></summary>
            {move || if matches!(create.value().get(), Some(Ok(_))) { Some(view! { <p class="alert alert-info" role="status">"Feedback recorded."</p> }) } else { None }}
            <ActionForm action=create attr:novalidate=true>
                <FormError error/>
                <input type="hidden" name="key" value=key/>
                <div class="grid-2">
                    <div>
                        <label for="fb-channel">"Where was it given?"</label>
                        <select id="fb-channel" name="channel">
                            {[Channel::Review, Channel::Interview, Channel::Team].into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                        </select>
                        <FieldError error field="channel"/>
                        <label for="fb-sprint">"Sprint"</label>
                        <select id="fb-sprint" name="sprint">{sprint_options(&sprints, true)}</select>
                        <FieldError error field="sprint"/>
                        <label for="fb-given_on">"Day given"</label>
                        <input id="fb-given_on" name="given_on" type="date"/>
                        <p class="hint">"Empty means today."</p>
                        <FieldError error field="given_on"/>
                    </div>
                    <div>
                        <label for="fb-stakeholder">"From (the project's stakeholders)"</label>
                        <select id="fb-stakeholder" name="stakeholder">
                            <option value="">"Someone not in the directory"</option>
                            {people_options(&people)}
                        </select>
                        <FieldError error field="stakeholder"/>
                        <label for="fb-author_name">"Or their name"</label>
                        <input id="fb-author_name" name="author_name" type="text" maxlength="100"/>
                        <FieldError error field="author_name"/>
                        <label for="fb-author_function">"and function"</label>
                        <select id="fb-author_function" name="author_function">
                            <option value="">"Not known"</option>
                            {Function::ALL.iter().map(|f| view! { <option value=f.as_str()>{f.label()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="grid-2">
                    <div>
                        <label for="fb-rating">"Rating (does this iteration help them?)"</label>
                        <select id="fb-rating" name="rating">
                            <option value="">"No rating"</option>
                            {(1..=5).rev().map(|r| view! { <option value=r.to_string()>{format!("{r} of 5")}</option> }).collect_view()}
                        </select>
                        <FieldError error field="rating"/>
                    </div>
                    <div>
                        <label for="fb-category">"Category"</label>
                        <select id="fb-category" name="category">
                            {FeedbackCategory::ALL.iter().map(|c| view! { <option value=c.as_str() selected=*c == FeedbackCategory::Other>{c.label()}</option> }).collect_view()}
                        </select>
                        <FieldError error field="category"/>
                    </div>
                </div>
                <label for="fb-body">"What they said"</label>
                <textarea id="fb-body" name="body" maxlength=MAX_BODY.to_string()></textarea>
                <FieldError error field="body"/>
                <div class="actions"><button type="submit" class="primary">"Record feedback"</button></div>
            </ActionForm>
        </details>
    }
}

#[component]
fn InvitesSection(
    key: String,
    sprints: Vec<SprintChoice>,
    people: Vec<crate::interviews::StakeholderChoice>,
) -> impl IntoView {
    let create = ServerAction::<CreateInvite>::new();
    let revoke = ServerAction::<RevokeInvite>::new();
    let error = action_error(create);
    let revoke_error = action_error(revoke);
    let handed = crate::flash::take(
        crate::flash::NEW_LINK,
        &format!("/projects/{key}/feedback"),
        plausible_token,
    );
    let k = key.clone();
    let invites = Resource::new(
        move || (k.clone(), create.version().get(), revoke.version().get()),
        |(k, ..)| list_invites(k),
    );
    let key2 = key.clone();
    view! {
        <section id="invites" class="invites">
            <h2>"Invite links"</h2>
            <p class="lead">"A link lets a stakeholder leave feedback on this project without an account. It shows the project's name, the sprint's goal and a form, and nothing else."</p>
            <ActionForm action=create attr:class="card" attr:novalidate=true>
                <FormError error/>
                <input type="hidden" name="key" value=key.clone()/>
                <div class="grid-2">
                    <div>
                        <label for="inv-sprint">"Sprint"</label>
                        <select id="inv-sprint" name="sprint">{sprint_options(&sprints, false)}</select>
                        <p class="hint">"With no sprint, feedback goes to the sprint running on the day it is sent."</p>
                        <FieldError error field="sprint"/>
                    </div>
                    <div>
                        <label for="inv-stakeholder">"For"</label>
                        <select id="inv-stakeholder" name="stakeholder">
                            <option value="">"Anyone (they give their name)"</option>
                            {people_options(&people)}
                        </select>
                        <FieldError error field="stakeholder"/>
                    </div>
                    <div>
                        <label for="inv-days">"Expires after (days)"</label>
                        <input id="inv-days" name="expires_in_days" type="number" min="1" max=MAX_INVITE_DAYS.to_string() value="14"/>
                        <FieldError error field="expires_in_days"/>
                    </div>
                </div>
                <div class="actions"><button type="submit" class="primary">"Create link"</button></div>
            </ActionForm>
            {move || revoke_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e.message()}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let key = key2.clone();
                    let handed = handed.clone();
                    Suspend::new(async move {
                        match invites.await {
                            Ok(list) => {
                                let fresh = handed
                                    .as_ref()
                                    .map(|t| format!("{}/f/{t}", list.base_url));
                                view! {
                                    {fresh.map(|url| view! { <CopyLink url label="New invite link" id="new-invite-url"/> })}
                                    <InviteTable list key revoke/>
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn InviteTable(list: InviteList, key: String, revoke: ServerAction<RevokeInvite>) -> impl IntoView {
    if list.items.is_empty() {
        return view! { <div class="card empty-state"><p>"No invite links yet."</p></div> }
            .into_any();
    }
    view! {
        <table class="table">
            <thead><tr>
                <th>"Sprint"</th><th>"For"</th><th>"Expires"</th><th>"Uses"</th><th>"State"</th><th>"Made by"</th><th><span class="sr-only">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {list.items.into_iter().map(|i| {
                    let class = match i.state {
                        InviteState::Active => "badge badge-green",
                        InviteState::Expired => "badge",
                        InviteState::Revoked => "badge badge-red",
                    };
                    view! {
                        <tr>
                            <td>{i.sprint.map_or_else(|| "Running sprint".to_string(), |(n, name)| format!("#{n} {name}"))}</td>
                            <td>{i.stakeholder_name.unwrap_or_else(|| "Anyone".into())}</td>
                            <td>{fmt_time(&i.expires_at)}</td>
                            <td>{i.use_count}</td>
                            <td><span class=class>{i.state.label()}</span></td>
                            <td>{i.created_by}</td>
                            <td>
                                {if i.state == InviteState::Active { Some(view! { <RevokeInviteForm action=revoke key=key.clone() id=i.id.clone()/> }) } else { None }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
