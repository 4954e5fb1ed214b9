//! The start page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::CurrentUser;

/// `/`: for now a welcome and the way into each section.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_context::<CurrentUser>();
    let name = user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    view! {
        <Title text="Home · Touchpoint"/>
        <section class="page">
            <h1>{format!("Welcome, {name}")}</h1>
            <p class="lead">"Touchpoint keeps iterative work in touch with the people it is for: sprints, reviews and retrospectives; interviews with end users; feedback on every iteration; and the signals that show when a project drifts."</p>
            <div class="card-grid">
                <a class="card link-card" href="/projects"><h2>"Projects"</h2><p>"Sprints, reviews, retrospectives, readiness and data quality."</p></a>
                <a class="card link-card" href="/stakeholders"><h2>"Stakeholders"</h2><p>"Who gives input, and from which function."</p></a>
                <a class="card link-card" href="/interviews"><h2>"Interviews"</h2><p>"Upcoming conversations with end users."</p></a>
                <a class="card link-card" href="/reports"><h2>"Reports"</h2><p>"End-user contact, cadence, diversity and the risk scorecard."</p></a>
            </div>
        </section>
    }
}
