//! Sign-in, first-run setup, password change, the profile page and the admin pages.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::sso::{SignInOptions, SsoFailure};
use super::tokens_pages::ApiTokensSection;
use super::{AuditEntry, Role, SessionInfo, UserSummary};
use crate::components::{ErrorNotice, FieldError, FormError, NotFound, action_error, fmt_time};

/// `/login`. A plain form, so it works without JavaScript; with single sign-on, a "Sign in
/// with …" link above it (and the form only while password sign-in is on). A failed SSO
/// sign-in comes back as `?sso=<code>` and shows its message here.
#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = action_error(action);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let options = Resource::new(|| (), |_| super::sso_api::get_sign_in_options());
    view! {
        <Title text="Sign in · Touchpoint"/>
        <main class="auth-page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let options = options.await.unwrap_or(SignInOptions { password_sign_in: true, ..Default::default() });
                    let failure = query
                        .read_untracked()
                        .get("sso")
                        .and_then(|code| SsoFailure::parse(&code));
                    let provider = options.sso_name.clone().unwrap_or_else(|| "single sign-on".into());
                    let message = failure.map(|f| f.message(&provider, &options.allowed_domains));
                    let sso_link = options.sso_name.clone().map(|name| {
                        let next = next();
                        let href = if next.is_empty() {
                            "/auth/oidc/start".to_string()
                        } else {
                            format!("/auth/oidc/start?next={}", crate::components::encode_query(&next))
                        };
                        view! { <a class="button primary sso-button" href=href>{format!("Sign in with {name}")}</a> }
                    });
                    let has_sso = options.sso_name.is_some();
                    view! {
                        <div class="card auth-card">
                            <h1>"Sign in to Touchpoint"</h1>
                            {message.map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                            {sso_link}
                            {(has_sso && options.password_sign_in).then(|| view! { <p class="divider"><span>"or with your password"</span></p> })}
                            {options.password_sign_in.then(|| view! {
                                <form method="post" action={<Login as ServerFn>::PATH} novalidate>
                                    <FormError error/>
                                    <label for="email">"Email"</label>
                                    <input id="email" name="email" type="email" autocomplete="username" required autofocus=!has_sso/>
                                    <FieldError error field="email"/>
                                    <label for="password">"Password"</label>
                                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                                    <FieldError error field="password"/>
                                    <input type="hidden" name="next" value=next/>
                                    <button type="submit" class=if has_sso { "" } else { "primary" }>"Sign in"</button>
                                </form>
                            })}
                        </div>
                    }
                })}
            </Suspense>
        </main>
    }
}

/// `/setup`: claims a new installation with the one-time token from the server log. Once any
/// user exists the page is a 404.
#[component]
pub fn SetupPage() -> impl IntoView {
    let needed = Resource::new(|| (), |_| setup_needed());
    let action = ServerAction::<SetupAdmin>::new();
    let error = action_error(action);
    view! {
        <Title text="Set up · Touchpoint"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match needed.await {
                    Ok(true) => view! {
                        <main class="auth-page">
                            <form method="post" action={<SetupAdmin as ServerFn>::PATH} class="card auth-card" novalidate>
                                <h1>"Set up Touchpoint"</h1>
                                <p class="hint">"Create the first administrator. The setup token is printed in the server log."</p>
                                <FormError error/>
                                <label for="token">"Setup token"</label>
                                <input id="token" name="token" type="text" autocomplete="off" required/>
                                <FieldError error field="token"/>
                                <label for="name">"Your name"</label>
                                <input id="name" name="name" type="text" autocomplete="name" required/>
                                <FieldError error field="name"/>
                                <label for="email">"Email"</label>
                                <input id="email" name="email" type="email" autocomplete="username" required/>
                                <FieldError error field="email"/>
                                <label for="password">"Password"</label>
                                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="10"/>
                                <FieldError error field="password"/>
                                <label for="confirm">"Repeat the password"</label>
                                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required/>
                                <FieldError error field="confirm"/>
                                <button type="submit" class="primary">"Create administrator"</button>
                            </form>
                        </main>
                    }.into_any(),
                    Ok(false) => view! { <NotFound/> }.into_any(),
                    Err(e) => view! { <main class="page"><ErrorNotice error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/change-password`: required after an admin created or reset the account; also reachable
/// from the profile.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = action_error(action);
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Change password · Touchpoint"/>
        <main class="auth-page">
            <form method="post" action={<ChangePassword as ServerFn>::PATH} class="card auth-card" novalidate>
                <h1>"Change your password"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.await.ok().flatten().filter(|u| u.must_change_password).map(|_| view! {
                            <p class="alert alert-info">"Choose a new password before you continue."</p>
                        })
                    })}
                </Suspense>
                <FormError error/>
                <label for="current">"Current password"</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required/>
                <FieldError error field="current"/>
                <label for="new_password">"New password"</label>
                <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="10"/>
                <p class="hint">"At least 10 characters. Other sessions will be signed out."</p>
                <FieldError error field="new_password"/>
                <label for="confirm">"Repeat the new password"</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required/>
                <FieldError error field="confirm"/>
                <button type="submit" class="primary">"Change password"</button>
            </form>
        </main>
    }
}

/// `/me`: the profile, with the user's sessions.
#[component]
pub fn MePage() -> impl IntoView {
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(move || end_others.version().get(), |_| list_my_sessions());
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Your profile · Touchpoint"/>
        <section class="page">
            <h1>"Your profile"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|u| view! {
                        <dl class="facts">
                            <dt>"Name"</dt><dd>{u.name}</dd>
                            <dt>"Email"</dt><dd>{u.email}</dd>
                            <dt>"Role"</dt><dd>{u.role.label()}</dd>
                        </dl>
                    })
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await.ok().flatten() {
                        Some(u) if !u.has_password => view! { <p class="hint">"You sign in through single sign-on; this account has no password."</p> }.into_any(),
                        _ => view! { <p><a href="/change-password">"Change your password"</a></p> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Sessions"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! { <SessionTable list/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=end_others>
                <button type="submit">"Sign out all other sessions"</button>
            </ActionForm>
            <crate::mail::preferences::MailPreferencesSection/>
            <ApiTokensSection/>
        </section>
    }
}

#[component]
fn SessionTable(list: Vec<SessionInfo>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th>"Browser"</th><th>"Address"</th><th>"Signed in"</th><th>"Last active"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|s| view! {
                    <tr>
                        <td>{s.user_agent}</td>
                        <td>{s.ip}</td>
                        <td>{fmt_time(&s.created_at)}</td>
                        <td>{fmt_time(&s.last_seen_at)}</td>
                        <td>{s.current.then_some("This session")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/admin/users`: create users, reset passwords, unlock, set roles, deactivate.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let unlock = ServerAction::<UnlockUser>::new();
    let role = ServerAction::<SetUserRole>::new();
    let active = ServerAction::<SetUserActive>::new();
    let unlink = ServerAction::<super::sso_api::RemoveSsoLink>::new();
    let options = Resource::new(|| (), |_| super::sso_api::get_sign_in_options());
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                reset.version().get(),
                unlock.version().get(),
                role.version().get(),
                active.version().get(),
                unlink.version().get(),
            )
        },
        |_| list_users(),
    );
    let create_error = action_error(create);
    let row_error = Signal::derive(move || {
        [
            action_error(reset).get(),
            action_error(unlock).get(),
            action_error(role).get(),
            action_error(active).get(),
            action_error(unlink).get(),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    let reset_done = move || matches!(reset.value().get(), Some(Ok(())));
    view! {
        <Title text="Users · Touchpoint"/>
        <section class="page">
            <AdminTabs/>
            <h1>"Users"</h1>
            {move || row_error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e.message()}</div> })}
            {move || reset_done().then(|| view! { <div class="alert alert-info" role="status">"Password reset. Give the user the temporary password; they must change it when they sign in."</div> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! { <UserTable list reset unlock role active unlink/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Add a user"</h2>
            <ActionForm action=create attr:class="card form-grid" attr:novalidate=true>
                <FormError error=create_error/>
                <div class="field">
                    <label for="new-name">"Name"</label>
                    <input id="new-name" name="name" type="text" required/>
                    <FieldError error=create_error field="name"/>
                </div>
                <div class="field">
                    <label for="new-email">"Email"</label>
                    <input id="new-email" name="email" type="email" required/>
                    <FieldError error=create_error field="email"/>
                </div>
                <div class="field">
                    <label for="new-role">"Role"</label>
                    <select id="new-role" name="role">
                        {Role::ALL.into_iter().rev().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                    <FieldError error=create_error field="role"/>
                </div>
                <div class="field">
                    <label for="new-temp">"Temporary password"</label>
                    <input id="new-temp" name="temp_password" type="text" autocomplete="off" minlength="10"/>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let sso = options.await.ok().and_then(|o| o.sso_name);
                            match sso {
                                Some(name) => view! { <p class="hint">{format!("They must change it when they first sign in. Leave it empty to have them sign in with {name} only (their verified email links the account).")}</p> }.into_any(),
                                None => view! { <p class="hint">"They must change it when they first sign in."</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                    <FieldError error=create_error field="temp_password"/>
                </div>
                <div class="actions"><button type="submit" class="primary">"Create user"</button></div>
            </ActionForm>
            {move || match create.value().get() {
                Some(Ok(u)) => Some(view! { <p class="alert alert-info" role="status">{format!("Created {}.", u.email)}</p> }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn UserTable(
    list: Vec<UserSummary>,
    reset: ServerAction<ResetPassword>,
    unlock: ServerAction<UnlockUser>,
    role: ServerAction<SetUserRole>,
    active: ServerAction<SetUserActive>,
    unlink: ServerAction<super::sso_api::RemoveSsoLink>,
) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Status"</th><th>"Single sign-on"</th><th>"Actions"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|u| {
                    let id = u.id.clone();
                    let (id1, id2, id3, id4, id5) = (id.clone(), id.clone(), id.clone(), id.clone(), id);
                    let role_input = format!("role-{id1}");
                    let reset_input = format!("reset-{id1}");
                    let current = u.role;
                    let status = if !u.active { "Deactivated" } else if u.locked { "Locked" } else if u.must_change_password { "Must change password" } else { "Active" };
                    view! {
                        <tr>
                            <td>{u.name.clone()}</td>
                            <td>{u.email.clone()}</td>
                            <td>
                                <ActionForm action=role attr:class="inline">
                                    <input type="hidden" name="user_id" value=id1/>
                                    <label class="sr-only" for=role_input.clone()>"Role"</label>
                                    <select id=role_input name="role">
                                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == current>{r.label()}</option> }).collect_view()}
                                    </select>
                                    <button type="submit">"Set"</button>
                                </ActionForm>
                            </td>
                            <td><span class="badge">{status}</span></td>
                            <td>
                                {match u.sso.clone() {
                                    Some(link) => view! {
                                        <span title=format!("Subject {} at {}", link.subject, link.issuer)>{format!("Linked ({})", link.email)}</span>
                                        <ActionForm action=unlink attr:class="inline">
                                            <input type="hidden" name="user_id" value=id5/>
                                            <button type="submit">"Remove SSO link"</button>
                                        </ActionForm>
                                    }.into_any(),
                                    None => view! { <span class="muted">"Not linked"</span> }.into_any(),
                                }}
                            </td>
                            <td class="row-actions">
                                <ActionForm action=reset attr:class="inline">
                                    <input type="hidden" name="user_id" value=id2/>
                                    <label class="sr-only" for=reset_input.clone()>"Temporary password"</label>
                                    <input id=reset_input name="temp_password" type="text" placeholder="Temporary password" autocomplete="off" minlength="10" required/>
                                    <button type="submit">"Reset password"</button>
                                </ActionForm>
                                {u.locked.then(|| view! {
                                    <ActionForm action=unlock attr:class="inline">
                                        <input type="hidden" name="user_id" value=id3/>
                                        <button type="submit">"Unlock"</button>
                                    </ActionForm>
                                })}
                                <ActionForm action=active attr:class="inline">
                                    <input type="hidden" name="user_id" value=id4/>
                                    <input type="hidden" name="active" value=if u.active { "false" } else { "true" }/>
                                    <button type="submit">{if u.active { "Deactivate" } else { "Reactivate" }}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The admin pages' tabs.
#[component]
pub fn AdminTabs() -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Admin">
            <a href="/admin/users">"Users"</a>
            <a href="/admin/audit">"Audit log"</a>
            <a href="/admin/settings">"Settings"</a>
            <a href="/admin/outbox">"Outbox"</a>
        </nav>
    }
}

/// `/admin/audit`: the audit log, newest first.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let events = Resource::new(
        move || {
            let q = query.read();
            (q.get("before"), q.get("action"))
        },
        |(before, action)| list_audit(before, action),
    );
    view! {
        <Title text="Audit log · Touchpoint"/>
        <section class="page">
            <AdminTabs/>
            <h1>"Audit log"</h1>
            <form method="get" class="filters">
                <label for="action">"Action"</label>
                <input id="action" name="action" type="text" placeholder="e.g. login.failed"
                    value=move || query.read().get("action").unwrap_or_default()/>
                <button type="submit">"Filter"</button>
            </form>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) => view! { <AuditTable list/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AuditTable(list: Vec<AuditEntry>) -> impl IntoView {
    let older = (list.len() == 100)
        .then(|| list.last().map(|e| e.at.to_rfc3339()))
        .flatten();
    if list.is_empty() {
        return view! { <p class="empty-state">"No events."</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th>"Time"</th><th>"Actor"</th><th>"Action"</th><th>"Target"</th><th>"Detail"</th><th>"Address"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|e| view! {
                    <tr>
                        <td>{fmt_time(&e.at)}</td>
                        <td>{e.actor}</td>
                        <td><code>{e.action}</code></td>
                        <td>{e.target}</td>
                        <td>{e.detail}</td>
                        <td>{e.ip}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {older.map(|b| view! { <p><a href=format!("/admin/audit?before={}", urlencode(&b))>"Older events"</a></p> })}
    }
    .into_any()
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
