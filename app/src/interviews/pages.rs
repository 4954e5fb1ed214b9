//! The project's interview schedule (`/projects/{key}/interviews`, with `?interview=<id>` for
//! one interview and `?tag=<tag>` to filter insights) and everyone's upcoming interviews
//! (`/interviews`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::{
    Function, Interview, InterviewKind, InterviewStatus, Schedule, feed_path, interview_ics_path,
    plausible_token,
};
use crate::components::ProjectFrame;
use crate::components::{CopyLink, ErrorNotice, FieldError, FormError, action_error};
use crate::error::AppError;
use crate::projects::ProjectDetail;

/// The badges of an interview: status, and whether an end user takes part.
#[component]
pub fn InterviewBadges(interview: Interview) -> impl IntoView {
    let status_class = match interview.status {
        InterviewStatus::Scheduled => "badge",
        InterviewStatus::Completed => "badge badge-green",
        InterviewStatus::Cancelled | InterviewStatus::NoShow => "badge badge-amber",
    };
    view! {
        <span class=status_class>{interview.status.label()}</span>
        {if interview.with_end_user() { Some(view! { " " <span class="badge badge-green">"End user"</span> }) } else { None }}
    }
}

fn when(i: &Interview) -> String {
    format!("{} {} · {} min", i.local_start, i.time_zone, i.duration_min)
}

/// `/projects/{key}/interviews`.
#[component]
pub fn ProjectInterviewsPage() -> impl IntoView {
    let data = ScheduleData::new();
    view! {
        <ProjectFrame children=Box::new(move |d: ProjectDetail| view! { <InterviewsSection detail=d data/> }.into_any())/>
    }
}

/// The schedule's actions and resources. The page creates them, outside the project frame's
/// Suspense: the server's render walks a Suspense's children more than once, and a resource
/// created in there would be loaded and sent to the browser once per walk.
#[derive(Clone, Copy)]
struct ScheduleData {
    create: ServerAction<CreateInterview>,
    status: ServerAction<SetInterviewStatus>,
    schedule: Resource<Result<Schedule, AppError>>,
    choices: Resource<Result<SchedulingChoices, AppError>>,
}

impl ScheduleData {
    fn new() -> Self {
        let key = crate::components::use_project_key();
        let create = ServerAction::<CreateInterview>::new();
        let status = ServerAction::<SetInterviewStatus>::new();
        let schedule = Resource::new(
            move || (key.get(), create.version().get(), status.version().get()),
            |(k, ..)| list_interviews(k),
        );
        let choices = Resource::new(|| (), |_| interview_choices());
        Self {
            create,
            status,
            schedule,
            choices,
        }
    }
}

#[component]
fn InterviewsSection(detail: ProjectDetail, data: ScheduleData) -> impl IntoView {
    let query = use_query_map();
    let selected = move || query.read().get("interview").filter(|s| !s.is_empty());
    let key = detail.project.key.clone();
    let access = detail.access;
    view! {
        {move || match selected() {
            Some(id) => view! { <InterviewDetail key=key.clone() id=id can_write=access.can_write() can_manage=access.can_manage()/> }.into_any(),
            None => view! { <ScheduleView key=key.clone() can_write=access.can_write() data/> }.into_any(),
        }}
    }
}

#[component]
fn ScheduleView(key: String, can_write: bool, data: ScheduleData) -> impl IntoView {
    let ScheduleData {
        create,
        status,
        schedule,
        choices,
    } = data;
    let k2 = key.clone();
    view! {
        <div class="page-head">
            <h2>"Interviews"</h2>
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = k2.clone();
                Suspend::new(async move {
                    match schedule.await {
                        Ok(s) => view! { <ScheduleTables schedule=s key=key can_write status/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
        {if can_write { Some(view! { <ScheduleForm key=key.clone() create choices/> }) } else { None }}
        <InsightsSection key=key.clone()/>
        {if can_write { Some(view! { <CalendarSection key=key.clone()/> }) } else { None }}
    }
}

#[component]
fn ScheduleTables(
    schedule: Schedule,
    key: String,
    can_write: bool,
    status: ServerAction<SetInterviewStatus>,
) -> impl IntoView {
    let Schedule { upcoming, past } = schedule;
    view! {
        <h3>"Upcoming"</h3>
        {if upcoming.is_empty() {
            view! { <div class="card empty-state"><p>"No interviews planned. Schedule one below."</p></div> }.into_any()
        } else {
            view! { <InterviewTable list=upcoming key=key.clone() can_write status/> }.into_any()
        }}
        <h3>"Past"</h3>
        {if past.is_empty() {
            view! { <div class="card empty-state"><p>"No past interviews yet."</p></div> }.into_any()
        } else {
            view! { <InterviewTable list=past key=key.clone() can_write status/> }.into_any()
        }}
    }
}

#[component]
fn InterviewTable(
    list: Vec<Interview>,
    key: String,
    can_write: bool,
    status: ServerAction<SetInterviewStatus>,
) -> impl IntoView {
    view! {
        <table class="table interview-table">
            <thead><tr>
                <th>"When (local)"</th><th>"Kind"</th><th>"Participants"</th><th>"Interviewers"</th><th>"Status"</th>
                {if can_write { Some(view! { <th><span class="sr-only">"Actions"</span></th> }) } else { None }}
            </tr></thead>
            <tbody>
                {list.into_iter().map(|i| {
                    let href = format!("/projects/{key}/interviews?interview={}", i.id);
                    let key = key.clone();
                    let id = i.id.clone();
                    let scheduled = i.status == InterviewStatus::Scheduled;
                    view! {
                        <tr>
                            <td><a href=href>{when(&i)}</a></td>
                            <td>{i.kind.label()}</td>
                            <td>{i.participant_names()}</td>
                            <td>{i.interviewer_names()}</td>
                            <td><InterviewBadges interview=i.clone()/></td>
                            {if can_write { Some(view! {
                                <td>
                                    {if scheduled { Some(view! {
                                        <div class="row-actions">
                                            <StatusForm action=status key=key.clone() id=id.clone() status=InterviewStatus::Completed label="Mark completed"/>
                                            <StatusForm action=status key=key.clone() id=id.clone() status=InterviewStatus::Cancelled label="Cancel"/>
                                        </div>
                                    }) } else { None }}
                                </td>
                            }) } else { None }}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A one-button form that moves an interview to `status`.
#[component]
fn StatusForm(
    action: ServerAction<SetInterviewStatus>,
    key: String,
    id: String,
    status: InterviewStatus,
    #[prop(into)] label: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline">
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="status" value=status.as_str()/>
            <button type="submit">{label}</button>
        </ActionForm>
    }
}

/// The time-zone input: a text field with common zones suggested.
#[component]
fn TimeZoneInput(value: String) -> impl IntoView {
    view! {
        <label for="time_zone">"Time zone"</label>
        <input id="time_zone" name="time_zone" type="text" list="interview-time-zones" required=true value=value
            aria-describedby="time_zone-hint" autocomplete="off"/>
        <datalist id="interview-time-zones">
            {crate::workspace::COMMON_TIME_ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
        </datalist>
        <p class="hint" id="time_zone-hint">"The zone the date and time are in (an IANA name such as Europe/Berlin)."</p>
    }
}

#[component]
fn ScheduleForm(
    key: String,
    create: ServerAction<CreateInterview>,
    choices: Resource<Result<SchedulingChoices, AppError>>,
) -> impl IntoView {
    let error = action_error(create);
    let me = use_context::<crate::auth::CurrentUser>()
        .map(|u| u.id)
        .unwrap_or_default();
    let done_key = key.clone();
    view! {
        <h2 id="schedule">"Schedule an interview"</h2>
        {move || match create.value().get() {
            Some(Ok(id)) => Some(view! {
                <p class="alert alert-info" role="status">
                    "Interview scheduled. "
                    <a href=format!("/projects/{done_key}/interviews?interview={id}")>"Open it"</a>
                </p>
            }),
            _ => None,
        }}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = key.clone();
                let me = me.clone();
                Suspend::new(async move {
                    match choices.await {
                        Ok(c) => view! {
                            <ActionForm action=create attr:class="card" attr:novalidate=true>
                                <FormError error/>
                                <input type="hidden" name="key" value=key/>
                                <div class="grid-2">
                                    <div>
                                        <label for="participants">"Participants (from the directory)"</label>
                                        <select id="participants" name="participants[]" multiple=true size="6" aria-describedby="participants-hint">
                                            {c.stakeholders.iter().map(|s| view! {
                                                <option value=s.id.clone()>{format!("{} — {}", s.name, s.function.label())}</option>
                                            }).collect_view()}
                                        </select>
                                        <p class="hint" id="participants-hint">"Hold Ctrl (or ⌘) to choose several."</p>
                                        <FieldError error field="participants"/>
                                        <fieldset class="subtle">
                                            <legend>"Someone not in the directory yet?"</legend>
                                            <label for="new_participant_name">"Their name"</label>
                                            <input id="new_participant_name" name="new_participant_name" type="text" maxlength="120"/>
                                            <FieldError error field="new_participant_name"/>
                                            <label for="new_participant_function">"Their function"</label>
                                            <select id="new_participant_function" name="new_participant_function">
                                                {Function::ALL.iter().map(|f| view! {
                                                    <option value=f.as_str() selected=*f == Function::EndUser>{f.label()}</option>
                                                }).collect_view()}
                                            </select>
                                            <p class="hint">"They are added to the directory and linked to this project."</p>
                                        </fieldset>
                                    </div>
                                    <div>
                                        <label for="interviewers">"Interviewers"</label>
                                        <select id="interviewers" name="interviewers[]" multiple=true size="4">
                                            {c.users.iter().map(|u| view! {
                                                <option value=u.id.clone() selected=u.id == me>{u.name.clone()}</option>
                                            }).collect_view()}
                                        </select>
                                        <FieldError error field="interviewers"/>
                                        <label for="scheduled_local">"Date and time"</label>
                                        <input id="scheduled_local" name="scheduled_local" type="datetime-local" required=true/>
                                        <FieldError error field="scheduled_local"/>
                                        <TimeZoneInput value=c.default_time_zone.clone()/>
                                        <FieldError error field="time_zone"/>
                                        <label for="duration_min">"Length (minutes)"</label>
                                        <input id="duration_min" name="duration_min" type="number" min="5" max="480" value="60"/>
                                        <FieldError error field="duration_min"/>
                                        <label for="kind">"Kind"</label>
                                        <select id="kind" name="kind">
                                            {InterviewKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                                        </select>
                                        <FieldError error field="kind"/>
                                    </div>
                                </div>
                                <label for="notes">"Notes (Markdown, optional)"</label>
                                <textarea id="notes" name="notes"></textarea>
                                <FieldError error field="notes"/>
                                {c.mail_on.then(|| view! {
                                    <label class="checkbox-label" for="send_invitations">
                                        <input id="send_invitations" name="send_invitations" type="checkbox" value="true" checked=true aria-describedby="send_invitations-hint"/>
                                        " Send participants an invitation"
                                    </label>
                                    <p class="hint" id="send_invitations-hint">"Participants with an email in the directory get a message with a calendar entry, updated when you move the interview and removed when you cancel it."</p>
                                })}
                                <div class="actions"><button type="submit" class="primary">"Schedule interview"</button></div>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn InterviewDetail(key: String, id: String, can_write: bool, can_manage: bool) -> impl IntoView {
    let update = ServerAction::<UpdateInterview>::new();
    let status = ServerAction::<SetInterviewStatus>::new();
    let add = ServerAction::<AddInsight>::new();
    let remove = ServerAction::<RemoveInsight>::new();
    let delete = ServerAction::<DeleteInterview>::new();
    let (k, i) = (key.clone(), id.clone());
    let interview = Resource::new(
        move || {
            (
                k.clone(),
                i.clone(),
                update.version().get(),
                status.version().get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        |(k, i, ..)| get_interview(k, i),
    );
    let choices = Resource::new(
        move || can_write,
        |w| async move {
            if w {
                interview_choices().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let back = format!("/projects/{key}/interviews");
    view! {
        <p><a href=back>"← All interviews"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    match interview.await {
                        Ok(i) => {
                            let choices = choices.await.ok().flatten();
                            view! {
                                <InterviewView interview=i key=key can_write can_manage choices update status add remove delete/>
                            }.into_any()
                        }
                        Err(AppError::NotFound(_)) => view! { <div class="card empty-state"><p>"There is no such interview in this project."</p></div> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn InterviewView(
    interview: Interview,
    key: String,
    can_write: bool,
    can_manage: bool,
    choices: Option<SchedulingChoices>,
    update: ServerAction<UpdateInterview>,
    status: ServerAction<SetInterviewStatus>,
    add: ServerAction<AddInsight>,
    remove: ServerAction<RemoveInsight>,
    delete: ServerAction<DeleteInterview>,
) -> impl IntoView {
    let i = interview;
    let ics = interview_ics_path(&key, &i.id);
    let notes_html = i.notes_html.clone();
    let has_notes = !i.notes.trim().is_empty();
    let other_statuses: Vec<InterviewStatus> = InterviewStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != i.status)
        .collect();
    view! {
        <article class="card interview">
            <h2>{format!("{} · {}", i.kind.label(), i.local_start)}</h2>
            <p><InterviewBadges interview=i.clone()/></p>
            <dl class="facts">
                <dt>"When"</dt><dd>{when(&i)}</dd>
                <dt>"In UTC"</dt><dd>{crate::components::fmt_time(&i.scheduled_at)}</dd>
                <dt>"Participants"</dt>
                <dd>
                    <ul class="plain">
                        {i.participants.iter().map(|p| view! {
                            <li><a href=format!("/stakeholders/{}", p.id)>{p.name.clone()}</a>" "<span class="badge">{p.function.label()}</span></li>
                        }).collect_view()}
                    </ul>
                </dd>
                <dt>"Interviewers"</dt><dd>{i.interviewer_names()}</dd>
            </dl>
            <p><a href=ics download="interview.ics">"Add to my calendar (.ics)"</a></p>
            {if can_write { Some(view! {
                <div class="row-actions">
                    {other_statuses.into_iter().map(|s| view! {
                        <StatusForm action=status key=key.clone() id=i.id.clone() status=s label=format!("Mark {}", s.label().to_lowercase())/>
                    }).collect_view()}
                </div>
            }) } else { None }}
        </article>

        <h3>"Notes"</h3>
        {if has_notes {
            view! { <div class="card prose" inner_html=notes_html></div> }.into_any()
        } else {
            view! { <div class="card empty-state"><p>"No notes yet."</p></div> }.into_any()
        }}

        <h3>"Insights"</h3>
        {if i.insights.is_empty() {
            view! { <div class="card empty-state"><p>"No insights recorded."</p></div> }.into_any()
        } else {
            view! {
                <ul class="insights">
                    {i.insights.iter().enumerate().map(|(n, ins)| view! {
                        <li class="card">
                            <p>{ins.text.clone()}</p>
                            <p>{ins.tags.iter().map(|t| view! {
                                <a class="badge" href=format!("/projects/{key}/interviews?tag={}#insights", crate::components::encode_query(t))>{t.clone()}</a>" "
                            }).collect_view()}</p>
                            {if can_write { Some(view! { <RemoveInsightForm action=remove key=key.clone() id=i.id.clone() index=n/> }) } else { None }}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {if can_write { Some(view! { <AddInsightForm action=add key=key.clone() id=i.id.clone()/> }) } else { None }}

        {match (can_write, choices) {
            (true, Some(c)) => Some(view! { <EditInterviewForm action=update key=key.clone() interview=i.clone() choices=c/> }),
            _ => None,
        }}
        {if can_manage { Some(view! { <DeleteInterviewForm action=delete key=key.clone() id=i.id.clone()/> }) } else { None }}
    }
}

#[component]
fn RemoveInsightForm(
    action: ServerAction<RemoveInsight>,
    key: String,
    id: String,
    index: usize,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline">
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="index" value=index.to_string()/>
            <button type="submit">"Remove"</button>
        </ActionForm>
    }
}

#[component]
fn AddInsightForm(action: ServerAction<AddInsight>, key: String, id: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="card" attr:novalidate=true>
            <FormError error/>
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <label for="insight-text">"New insight"</label>
            <textarea id="insight-text" name="text" maxlength="1000"></textarea>
            <FieldError error field="text"/>
            <label for="insight-tags">"Tags (comma-separated)"</label>
            <input id="insight-tags" name="tags" type="text"/>
            <FieldError error field="tags"/>
            <div class="actions"><button type="submit">"Add insight"</button></div>
        </ActionForm>
    }
}

#[component]
fn DeleteInterviewForm(
    action: ServerAction<DeleteInterview>,
    key: String,
    id: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="card danger-zone">
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=id/>
            <p class="hint">"Deleting removes the interview, its notes and insights. Past interviews count as end-user contact; prefer marking them cancelled."</p>
            <button type="submit">"Delete interview"</button>
        </ActionForm>
    }
}

#[component]
fn EditInterviewForm(
    action: ServerAction<UpdateInterview>,
    key: String,
    interview: Interview,
    choices: SchedulingChoices,
) -> impl IntoView {
    let error = action_error(action);
    let i = interview;
    let c = choices;
    view! {
        <h3>"Edit"</h3>
        <ActionForm action attr:class="card" attr:novalidate=true>
            <FormError error/>
            {move || if matches!(action.value().get(), Some(Ok(()))) { Some(view! { <p class="alert alert-info" role="status">"Saved."</p> }) } else { None }}
            <input type="hidden" name="key" value=key/>
            <input type="hidden" name="id" value=i.id.clone()/>
            <div class="grid-2">
                <div>
                    <label for="edit-participants">"Participants"</label>
                    <select id="edit-participants" name="participants[]" multiple=true size="6">
                        {c.stakeholders.iter().map(|s| {
                            let chosen = i.participants.iter().any(|p| p.id == s.id);
                            view! { <option value=s.id.clone() selected=chosen>{format!("{} — {}", s.name, s.function.label())}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError error field="participants"/>
                    <label for="edit-interviewers">"Interviewers"</label>
                    <select id="edit-interviewers" name="interviewers[]" multiple=true size="4">
                        {c.users.iter().map(|u| {
                            let chosen = i.interviewers.iter().any(|p| p.id == u.id);
                            view! { <option value=u.id.clone() selected=chosen>{u.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError error field="interviewers"/>
                </div>
                <div>
                    <label for="scheduled_local">"Date and time"</label>
                    <input id="scheduled_local" name="scheduled_local" type="datetime-local" value=i.local_input.clone()/>
                    <FieldError error field="scheduled_local"/>
                    <TimeZoneInput value=i.time_zone.clone()/>
                    <FieldError error field="time_zone"/>
                    <label for="duration_min">"Length (minutes)"</label>
                    <input id="duration_min" name="duration_min" type="number" min="5" max="480" value=i.duration_min.to_string()/>
                    <FieldError error field="duration_min"/>
                    <label for="kind">"Kind"</label>
                    <select id="kind" name="kind">
                        {InterviewKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=*k == i.kind>{k.label()}</option> }).collect_view()}
                    </select>
                    <label for="status">"Status"</label>
                    <select id="status" name="status">
                        {InterviewStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=*s == i.status>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <label for="notes">"Notes (Markdown)"</label>
            <textarea id="notes" name="notes" rows="10">{i.notes.clone()}</textarea>
            <FieldError error field="notes"/>
            <div class="actions"><button type="submit" class="primary">"Save interview"</button></div>
        </ActionForm>
    }
}

#[component]
fn InsightsSection(key: String) -> impl IntoView {
    let query = use_query_map();
    let tag = move || query.read().get("tag").filter(|t| !t.is_empty());
    let k = key.clone();
    let insights = Resource::new(move || (k.clone(), tag()), |(k, t)| list_insights(k, t));
    view! {
        <h2 id="insights">"Insights"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let key = key.clone();
                Suspend::new(async move {
                    match insights.await {
                        Ok(list) if list.tags.is_empty() => view! {
                            <div class="card empty-state"><p>"Insights from interviews appear here, with their tags."</p></div>
                        }.into_any(),
                        Ok(list) => {
                            let active = tag();
                            view! {
                                <nav class="tag-filter" aria-label="Filter insights by tag">
                                    <a href=format!("/projects/{key}/interviews#insights") class={if active.is_none() { "badge badge-green" } else { "badge" }}>"All"</a>
                                    {list.tags.iter().map(|(t, n)| {
                                        let class = if active.as_deref() == Some(t.as_str()) { "badge badge-green" } else { "badge" };
                                        view! { " " <a class=class href=format!("/projects/{key}/interviews?tag={}#insights", crate::components::encode_query(t))>{format!("{t} ({n})")}</a> }
                                    }).collect_view()}
                                </nav>
                                <ul class="insights">
                                    {list.items.into_iter().map(|r| view! {
                                        <li class="card">
                                            <p>{r.insight.text.clone()}</p>
                                            <p class="hint">
                                                <a href=format!("/projects/{key}/interviews?interview={}", r.interview)>{format!("{} · {}", r.kind.label(), r.local_start)}</a>
                                                " · " {r.insight.tags.join(", ")}
                                            </p>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn CalendarSection(key: String) -> impl IntoView {
    let rotate = ServerAction::<RotateCalendarFeed>::new();
    let revoke = ServerAction::<RevokeCalendarFeed>::new();
    let handed = crate::flash::take(
        crate::flash::NEW_FEED,
        &format!("/projects/{key}/interviews"),
        plausible_token,
    );
    let k = key.clone();
    let status = Resource::new(
        move || (k.clone(), rotate.version().get(), revoke.version().get()),
        |(k, ..)| calendar_feed_status(k),
    );
    let error = Signal::derive(move || {
        action_error(rotate)
            .get()
            .or_else(|| action_error(revoke).get())
    });
    view! {
        <section id="calendar" class="card calendar-feed">
            <h2>"Calendar feed"</h2>
            <p>"Subscribe to this project's interviews in your calendar app with a secret address. Anyone who has the address can read the schedule (dates, kinds and participants' names), so share it only with the team. Making a new address stops the old one."</p>
            <FormError error/>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let key = key.clone();
                    let handed = handed.clone();
                    Suspend::new(async move {
                        match status.await {
                            Ok(s) => {
                                let fresh = handed
                                    .as_ref()
                                    .map(|t| format!("{}{}", s.base_url, feed_path(t)));
                                let on = s.since.is_some();
                                let (rotate_key, revoke_key) = (key.clone(), key.clone());
                                view! {
                                    {match s.since {
                                        Some(t) => view! { <p>"The feed is on (address made " {crate::components::fmt_time(&t)} ")."</p> }.into_any(),
                                        None => view! { <p>"The feed is off."</p> }.into_any(),
                                    }}
                                    {fresh.filter(|_| on).map(|url| view! { <CopyLink url label="Calendar address" id="calendar-url"/> })}
                                    <div class="row-actions">
                                        <ActionForm action=rotate attr:class="inline">
                                            <input type="hidden" name="key" value=rotate_key/>
                                            <button type="submit">{if on { "Make a new address" } else { "Turn on the feed" }}</button>
                                        </ActionForm>
                                        {if on { Some(view! {
                                            <ActionForm action=revoke attr:class="inline">
                                                <input type="hidden" name="key" value=revoke_key/>
                                                <button type="submit">"Turn off"</button>
                                            </ActionForm>
                                        }) } else { None }}
                                    </div>
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

/// `/interviews`: everyone's upcoming interviews in the projects the caller can see.
#[component]
pub fn AllInterviewsPage() -> impl IntoView {
    let query = use_query_map();
    let upcoming = Resource::new(move || query.read().get("after"), list_upcoming_interviews);
    view! {
        <Title text="Interviews · Touchpoint"/>
        <section class="page">
            <h1>"Upcoming interviews"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match upcoming.await {
                        Ok(page) if page.items.is_empty() && !page.continued => view! {
                            <div class="card empty-state"><p>"No interviews are scheduled in your projects."</p></div>
                        }.into_any(),
                        Ok(page) => view! {
                            <p class="hint" role="status">{if page.continued {
                                format!("Showing {} more interviews, soonest first.", page.items.len())
                            } else if page.next_after.is_some() {
                                format!("Showing the next {} interviews, soonest first.", page.items.len())
                            } else {
                                format!("{} upcoming interviews, soonest first.", page.items.len())
                            }}</p>
                            <table class="table">
                                <thead><tr>
                                    <th>"When (local)"</th><th>"Project"</th><th>"Kind"</th><th>"Participants"</th><th>"Interviewers"</th><th>"Status"</th>
                                </tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|i| view! {
                                        <tr>
                                            <td><a href=format!("/projects/{}/interviews?interview={}", i.project, i.id)>{when(&i)}</a></td>
                                            <td><a href=format!("/projects/{}/interviews", i.project)>{i.project_name.clone()}</a></td>
                                            <td>{i.kind.label()}</td>
                                            <td>{i.participant_names()}</td>
                                            <td>{i.interviewer_names()}</td>
                                            <td><InterviewBadges interview=i.clone()/></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <nav class="show-more" aria-label="Interview pages">
                                {page.continued.then(|| view! { <a href="/interviews">"First page"</a> " " })}
                                {page.next_after.map(|a| view! { <a href=format!("/interviews?after={a}") rel="next">"Next page"</a> })}
                            </nav>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            crate::components::encode_query("data quality/ä"),
            "data%20quality%2F%C3%A4"
        );
    }
}
