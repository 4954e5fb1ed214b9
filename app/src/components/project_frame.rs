//! The frame of every project page: the project named in the URL, loaded once, with its name,
//! status, tabs and the lacking-contact flag around the page's own content.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::ErrorNotice;
use crate::error::AppError;
use crate::projects::api::get_project;
use crate::projects::{AccessLevel, ProjectDetail, ProjectStatus};

/// The project key from the URL.
pub fn use_project_key() -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get("key").unwrap_or_default())
}

/// A project status as a badge.
#[component]
pub fn StatusBadge(status: ProjectStatus) -> impl IntoView {
    let class = match status {
        ProjectStatus::Active | ProjectStatus::Production => "badge badge-green",
        ProjectStatus::Paused => "badge badge-amber",
        _ => "badge",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// The tabs of a project.
#[component]
pub fn ProjectTabs(key: String, access: AccessLevel) -> impl IntoView {
    let tabs = [
        ("", "Overview"),
        ("/interviews", "Interviews"),
        ("/feedback", "Feedback"),
        ("/report", "Report"),
        ("/readiness", "Readiness"),
        ("/data-quality", "Data quality"),
    ];
    view! {
        <nav class="tabs" aria-label="Project">
            {tabs.into_iter().map(|(suffix, label)| view! {
                <a href=format!("/projects/{key}{suffix}")>{label}</a>
            }).collect_view()}
            {access.can_manage().then(|| view! { <a href=format!("/projects/{key}/settings")>"Settings"</a> })}
        </nav>
    }
}

/// Loads the project named in the URL and shows its header and tabs around `children`.
#[component]
pub fn ProjectFrame(
    /// What to show under the tabs, given the project.
    children: Box<dyn Fn(ProjectDetail) -> AnyView + Send + Sync>,
) -> impl IntoView {
    let key = use_project_key();
    let detail = Resource::new(move || key.get(), get_project);
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match detail.await {
                        Ok(d) => {
                            let title = format!("{} · Touchpoint", d.project.name);
                            view! {
                                <Title text=title/>
                                <section class="page">
                                    <div class="page-head">
                                        <h1>{d.project.name.clone()}</h1>
                                        <StatusBadge status=d.project.status/>
                                    </div>
                                    <ProjectTabs key=d.project.key.clone() access=d.access/>
                                    {d.contact.clone().filter(|c| c.lacking).map(|c| view! {
                                        <div class="alert alert-error contact-flag" role="status">
                                            <strong>"Lacking end-user contact. "</strong>
                                            {crate::projects::lacking_reason(&c)}
                                        </div>
                                    })}
                                    {children(d)}
                                </section>
                            }.into_any()
                        }
                        Err(AppError::NotFound(_)) => view! { <crate::components::NotFound/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
