//! The retro page (`/projects/{key}/sprints/{n}/retro`): the board, its votes, the health check and
//! the action items, live for everyone watching.

use super::*;

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
    let k = key.clone();
    let data = Resource::new(move || (k.clone(), n.get()), |(k, n)| get_retro(k, n));
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
    retro: crate::sprints::Retro,
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
    health: Vec<crate::sprints::HealthResult>,
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
