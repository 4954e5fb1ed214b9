//! The start page: the portfolio of the projects the user can see.

use leptos::prelude::*;

use crate::auth::CurrentUser;

/// `/`: a greeting and the portfolio dashboard (leads and admins see every project, members
/// their own).
#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_context::<CurrentUser>();
    let name = user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    view! {
        <p class="greeting">{format!("Welcome, {name}")}</p>
        <crate::reports::pages::PortfolioPage/>
    }
}
