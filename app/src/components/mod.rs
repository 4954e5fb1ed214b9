//! Shared UI pieces: the page frame, error messages, and small form helpers.

mod copy_link;
mod form_memory;
mod project_frame;

pub use copy_link::{CopyButton, CopyLink, copy_to_clipboard};
pub use form_memory::FormMemory;
pub use project_frame::{ProjectFrame, ProjectTabs, StatusBadge, use_project_key};

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;

use crate::auth::CurrentUser;
use crate::error::AppError;

/// The last error of a server action, whether it came back to JavaScript or, without
/// JavaScript, through the page URL after a plain form post.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    })
}

/// Percent-encodes a query value.
pub fn encode_query(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The message for one field, shown under its input.
#[component]
pub fn FieldError(
    /// The form's current error.
    error: Signal<Option<AppError>>,
    /// The field this message belongs to.
    field: &'static str,
) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.message_for(field)).map(|m| {
            view! {
                <p class="field-error" id=format!("{field}-error") role="alert">
                    {m}
                </p>
            }
        })
    }
}

/// A form-level error: any error that is not about one field.
#[component]
pub fn FormError(
    /// The form's current error.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field_name().is_none()).map(|e| {
            view! {
                <div class="alert alert-error" role="alert">
                    {e.message()}
                </div>
            }
        })
    }
}

/// Shows an error that stopped a page from loading.
#[component]
pub fn ErrorNotice(
    /// What went wrong.
    error: AppError,
) -> impl IntoView {
    let sign_in = matches!(error, AppError::Unauthorized(_));
    view! {
        <div class="alert alert-error" role="alert">
            <p>{error.message()}</p>
            {sign_in.then(|| view! { <p><a href="/login">"Sign in"</a></p> })}
        </div>
    }
}

/// The 404 page; sets the status on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or you may not have access to it."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </main>
    }
}

/// A friendly placeholder for a section that is not built yet.
#[component]
pub fn Placeholder(
    /// The section's title.
    title: &'static str,
    /// What it will hold.
    text: &'static str,
) -> impl IntoView {
    view! {
        <section class="page">
            <h1>{title}</h1>
            <div class="card empty-state">
                <p>{text}</p>
            </div>
        </section>
    }
}

/// The shared frame of signed-in pages: navigation on top, the page below.
#[component]
pub fn Shell(
    /// The signed-in user.
    user: CurrentUser,
    /// The page.
    children: Children,
) -> impl IntoView {
    let is_admin = user.is_admin();
    let logout_path = <crate::auth::api::Logout as ServerFn>::PATH;
    let new_feedback = Resource::new(|| (), |_| crate::feedback::api::count_new_feedback());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <nav class="nav" aria-label="Main">
                <a class="brand" href="/">"Touchpoint"</a>
                <ul class="nav-links">
                    <li><A href="/projects">"Projects"</A></li>
                    <li><A href="/stakeholders">"Stakeholders"</A></li>
                    <li><A href="/interviews">"Interviews"</A></li>
                    <li><A href="/reports">"Reports"</A></li>
                    {is_admin.then(|| view! { <li><A href="/admin/users">"Admin"</A></li> })}
                </ul>
                <span data-live="nav-count"><Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        new_feedback.await.ok().filter(|n| *n > 0).map(|n| view! {
                            <a class="badge badge-amber nav-count" href="/projects" title="Feedback items still marked new in your projects">
                                {format!("{n} new feedback")}
                            </a>
                        })
                    })}
                </Suspense></span>
                <div class="nav-user">
                    <A href="/me">{user.name.clone()}</A>
                    <form method="post" action=logout_path class="inline">
                        <button type="submit" class="link-button">"Sign out"</button>
                    </form>
                </div>
            </nav>
        </header>
        <main id="main" class="content">{children()}</main>
    }
}

/// Formats a timestamp for people (UTC until the workspace time zone arrives).
pub fn fmt_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}
