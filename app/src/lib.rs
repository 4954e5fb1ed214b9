//! Touchpoint: UI components, server functions and domain types shared by the server and the
//! browser; behind the `ssr` feature, the services and the repository.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod assets;
pub mod auth;
pub mod components;
pub use domain::{error, fields, format, signals};
pub mod feedback;
pub mod flash;
pub mod home;
pub mod interviews;
pub mod live;
pub mod mail;
#[cfg(feature = "ssr")]
pub use store::markdown;
pub mod projects;
pub mod quality;
pub mod reports;
pub mod sprints;
pub mod stakeholders;
pub mod webhooks;
pub mod workspace;

#[cfg(feature = "ssr")]
pub use store::cache;
#[cfg(feature = "ssr")]
pub use store::db;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::auth::pages::{
    AdminUsersPage, AuditPage, ChangePasswordPage, LoginPage, MePage, SetupPage,
};
use crate::components::{NotFound, Shell};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="data:,"/>
                {stylesheet(&options)}
                <HydrationScripts options islands=true/>
                {user_meta()}
                <MetaTags/>
            </head>
            <body>
                <App/>
                <components::FormMemory/>
                <HydrationMark/>
            </body>
        </html>
    }
}

/// The app's stylesheet, under its hashed name in a release build.
fn stylesheet(options: &LeptosOptions) -> impl IntoView + use<> {
    #[cfg(feature = "ssr")]
    let href = assets::css_href(options);
    #[cfg(not(feature = "ssr"))]
    let href = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! { <link rel="stylesheet" id="leptos" href=href/> }
}

/// Makes the nonce chosen by the security-headers middleware (and sent in the CSP header)
/// available to Leptos, which puts it on its inline scripts.
#[cfg(feature = "ssr")]
fn provide_request_nonce() {
    if let Some(nonce) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

/// Marks `<body data-hydrated>` once the page's islands have hydrated, so that tests (and
/// scripts) can wait for interactivity. Renders nothing.
#[island]
fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// The per-request CSP nonce, put into the request's extensions by the server.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The application: routes and the page frame.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Touchpoint"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/f/:token") view=feedback::pages::FeedbackLinkPage ssr=SsrMode::Async/>
                <Route path=path!("/unsubscribe/:token") view=mail::unsubscribe::UnsubscribePage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/change-password") view=ChangePasswordPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=SignedIn ssr=SsrMode::Async>
                    <Route path=path!("") view=home::HomePage/>
                    <Route path=path!("/projects") view=projects::pages::ProjectsPage/>
                    <Route path=path!("/projects/new") view=projects::pages::NewProjectPage/>
                    <Route path=path!("/projects/:key") view=projects::pages::ProjectPage/>
                    <Route path=path!("/projects/:key/settings") view=projects::pages::ProjectSettingsPage/>
                    <Route path=path!("/projects/:key/settings/webhooks") view=webhooks::pages::WebhooksPage/>
                    <Route path=path!("/projects/:key/settings/webhooks/:id") view=webhooks::pages::WebhookPage/>
                    <Route path=path!("/projects/:key/sprints/:n") view=sprints::pages::SprintPage/>
                    <Route path=path!("/projects/:key/sprints/:n/review") view=sprints::pages::ReviewPage/>
                    <Route path=path!("/projects/:key/sprints/:n/retro") view=sprints::pages::RetroPage/>
                    <Route path=path!("/projects/:key/readiness") view=quality::pages::ReadinessPage/>
                    <Route path=path!("/projects/:key/data-quality") view=quality::pages::DataQualityPage/>
                    <Route path=path!("/projects/:key/interviews") view=interviews::pages::ProjectInterviewsPage/>
                    <Route path=path!("/projects/:key/feedback") view=feedback::pages::FeedbackInboxPage/>
                    <Route path=path!("/projects/:key/report") view=reports::pages::ProjectReportPage/>
                    <Route path=path!("/stakeholders") view=stakeholders::pages::StakeholdersPage/>
                    <Route path=path!("/stakeholders/:id") view=stakeholders::pages::StakeholderPage/>
                    <Route path=path!("/interviews") view=interviews::pages::AllInterviewsPage/>
                    <Route path=path!("/reports") view=reports::pages::PortfolioPage/>
                    <Route path=path!("/reports/diversity") view=reports::pages::DiversityPage/>
                    <Route path=path!("/me") view=MePage/>
                    <Route path=path!("/admin") view=|| view! { <Redirect path="/admin/users"/> }/>
                    <Route path=path!("/admin/users") view=AdminUsersPage/>
                    <Route path=path!("/admin/audit") view=AuditPage/>
                    <Route path=path!("/admin/settings") view=workspace::pages::SettingsPage/>
                    <Route path=path!("/admin/outbox") view=mail::pages::OutboxPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The frame of every page that needs a signed-in user.
///
/// It renders without suspending: the server knows the caller when it renders the page and
/// writes them into the document head (see [`shell`]), and the browser reads them back while
/// hydrating. A Suspense here, around pages that suspend themselves, broke hydration.
#[component]
fn SignedIn() -> impl IntoView {
    let Some(user) = page_user() else {
        // The browser is loading the page afresh.
        return ().into_any();
    };
    match user {
        Some(user) if user.must_change_password => {
            view! { <Redirect path="/change-password"/> }.into_any()
        }
        Some(user) => {
            provide_context(user.clone());
            view! { <Shell user><Outlet/></Shell> }.into_any()
        }
        None => view! { <Redirect path="/login"/> }.into_any(),
    }
}

/// The `<meta>` that carries the signed-in user from the server's render to the browser.
const USER_META: &str = "touchpoint-user";

/// The signed-in user as the server saw them for this page (`Some(None)`: nobody).
#[cfg(feature = "ssr")]
fn page_user() -> Option<Option<crate::auth::CurrentUser>> {
    Some(crate::auth::service::request_ctx().auth.map(|a| a.user))
}

/// In the browser: the user the server wrote into the head while the page hydrates. After a
/// client-side move into the signed-in part (from the sign-in page, say) the head is stale, so
/// the page is loaded afresh from the server instead (`None`).
#[cfg(not(feature = "ssr"))]
fn page_user() -> Option<Option<crate::auth::CurrentUser>> {
    let hydrating = Owner::current_shared_context().is_some_and(|sc| sc.during_hydration());
    if !hydrating {
        let _ = window().location().reload();
        return None;
    }
    let user = document()
        .query_selector(&format!("meta[name={USER_META}]"))
        .ok()
        .flatten()
        .and_then(|el| el.get_attribute("content"))
        .and_then(|json| serde_json::from_str(&json).ok());
    Some(user)
}

/// The head `<meta>` with the signed-in user as JSON (empty without one).
fn user_meta() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let content = page_user()
        .flatten()
        .and_then(|u| serde_json::to_string(&u).ok())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let content = String::new();
    view! { <meta name=USER_META content=content/> }
}
