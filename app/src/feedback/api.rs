//! Server functions for feedback. The team's functions check who is asking and their access
//! to the project; the two public ones (`/f/api/…`) take only an invite token, reach only that
//! link's project (and sprint), and are rate-limited.

use leptos::prelude::*;

use super::{Inbox, InviteList, LinkPage, NewInvite};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::{Author, FeedbackRepo};
    pub use super::super::service::{
        CLOSED_LINK, browser_cookie, browser_id, check_scope, rate_limit, resolve,
    };
    pub use super::super::{
        INBOX_MAX_PAGE, INBOX_PAGE, InboxFilter, InviteState, OpenLink, OwnFeedback,
        parse_expiry_days, parse_given_on, parse_sprint_number, parse_team_channel,
        validate_author, validate_content, validate_triage,
    };
    pub use crate::auth::service::{audit, hash_token, new_token, request_ctx, require_user};
    pub use crate::forms::{base_url, plain_form_post, redirect_plain_form};
    pub use crate::interviews::plausible_id;
    pub use crate::interviews::repo::InterviewRepo;
    pub use crate::projects::service::{project_access, require_manage, require_write};
    pub use crate::state::AppState;
    pub use chrono::{Duration, NaiveTime, Utc};
}
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
async fn load(
    state: &AppState,
    key: &str,
    id: &str,
) -> Result<super::repo::FeedbackRecord, AppError> {
    if !plausible_id(id) {
        return Err(AppError::not_found("Feedback"));
    }
    FeedbackRepo::new(state.db.clone())
        .get(key, id)
        .await?
        .ok_or_else(|| AppError::not_found("Feedback"))
}

#[cfg(feature = "ssr")]
async fn live_stakeholder(state: &AppState, field: &str, id: &str) -> Result<String, AppError> {
    let id = id.trim();
    let found = if plausible_id(id) {
        InterviewRepo::new(state.db.clone())
            .live_stakeholders(&[id.to_string()])
            .await?
    } else {
        Vec::new()
    };
    found
        .into_iter()
        .next()
        .ok_or_else(|| AppError::field(field, "Choose someone from the directory."))
}

/// A project's feedback inbox, filtered by sprint (a number or `none`), status, category,
/// rating (1–5 or `none`) and function; one page of `limit` items (default 50, at most 500),
/// latest first, starting after the item `after` names (the previous page's `next_after`).
#[server(prefix = "/api/fn", endpoint = "feedback/inbox")]
#[allow(clippy::too_many_arguments)]
pub async fn feedback_inbox(
    key: String,
    sprint: Option<String>,
    status: Option<String>,
    category: Option<String>,
    rating: Option<String>,
    function: Option<String>,
    after: Option<String>,
    limit: Option<String>,
) -> Result<Inbox, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let filter = InboxFilter {
        sprint,
        status,
        category,
        rating,
        function,
    }
    .validate()?;
    let after = after.filter(|a| !a.trim().is_empty());
    if after.as_deref().is_some_and(|a| !plausible_id(a)) {
        return Err(AppError::field("after", "This page link is not valid."));
    }
    let page = match limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => INBOX_PAGE,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=INBOX_MAX_PAGE).contains(n))
            .ok_or_else(|| {
                AppError::field(
                    "limit",
                    format!("Ask for between 1 and {INBOX_MAX_PAGE} items."),
                )
            })?,
    };
    // The sprint names come from the snapshot the access check read (current for this
    // request's stamp) rather than from each row's sprint record. The newest page without a
    // filter, which most readers ask for, is read once per snapshot.
    let repo = FeedbackRepo::new(state.db.clone());
    let snapshot = &access.snapshot;
    let read = repo.inbox(
        access.key(),
        &filter,
        after.as_deref(),
        page,
        &snapshot.sprints,
    );
    let mut rows = if filter == Default::default() && after.is_none() && page == INBOX_PAGE {
        snapshot.newest_feedback(read).await?.as_ref().clone()
    } else {
        read.await?
    };
    let next_after = crate::db::keyset_page(&mut rows, page, |r| &r.id);
    let items: Vec<super::FeedbackItem> = rows
        .into_iter()
        .map(Into::into)
        .filter(|i| filter.matches(i))
        .collect();
    // The sprints and the count of new items come from the snapshot the access check read
    // (current for this request's stamp), not from two more queries.
    let today = snapshot.today();
    Ok(Inbox {
        items,
        next_after,
        continued: after.is_some(),
        sprints: snapshot
            .sprints
            .iter()
            .filter_map(|s| {
                Some(super::SprintChoice {
                    number: u32::try_from(s.number).ok()?,
                    name: s.name.clone(),
                    current: s.start_on <= today && today <= s.end_on,
                })
            })
            .collect(),
        new_count: snapshot.new_feedback,
    })
}

/// How many feedback items are still `new` across the projects the caller is a member of
/// (for the navigation badge).
/// The directory entries a project's writer can pick as a feedback author or invitee: the
/// project's own stakeholders (a whole directory of thousands would make an unusable list and
/// a heavy page); empty for those who may only read the project.
#[server(prefix = "/api/fn", endpoint = "feedback/people")]
pub async fn feedback_people(
    key: String,
) -> Result<Vec<crate::interviews::StakeholderChoice>, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    if !access.level.can_write() {
        return Ok(Vec::new());
    }
    // Read once per snapshot (current for this request's stamp): links and the names they
    // show move the project's counter.
    let repo = crate::stakeholders::repo::StakeholderRepo::new(state.db.clone());
    let people = access
        .snapshot
        .people(repo.choices(Some(access.key())))
        .await?;
    Ok(people
        .iter()
        .map(
            |(id, name, function)| crate::interviews::StakeholderChoice {
                id: id.clone(),
                name: name.clone(),
                function: function.parse().unwrap_or(super::Function::Other),
            },
        )
        .collect())
}

#[server(prefix = "/api/fn", endpoint = "feedback/count-new")]
pub async fn count_new_feedback() -> Result<u64, AppError> {
    let (state, user, _) = require_user().await?;
    let prefetched = crate::request::prefetched();
    let (catalog, _) = state
        .cache
        .catalog(&state.db, prefetched.as_deref())
        .await?;
    let keys = catalog.member_of.get(&user.id).cloned().unwrap_or_default();
    if keys.is_empty() {
        return Ok(0);
    }
    let (snapshots, _) = state
        .cache
        .projects_with(&state.db, &keys, prefetched.as_deref())
        .await?;
    Ok(snapshots.iter().map(|s| s.new_feedback).sum())
}

/// Records feedback the team heard in person (channel review, interview or team), from a
/// directory `stakeholder` or from `author_name` with an optional `author_function`.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "feedback/create")]
pub async fn create_feedback(
    key: String,
    channel: String,
    sprint: Option<String>,
    stakeholder: Option<String>,
    author_name: Option<String>,
    author_function: Option<String>,
    given_on: Option<String>,
    rating: Option<String>,
    body: Option<String>,
    category: Option<String>,
) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "record feedback").await?;
    let channel = parse_team_channel(&channel)?;
    let author = match stakeholder
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Author {
            stakeholder: Some(live_stakeholder(&state, "stakeholder", s).await?),
            ..Author::default()
        },
        None => {
            let (name, function) = validate_author(
                &author_name.unwrap_or_default(),
                &author_function.unwrap_or_default(),
            )?;
            if name.is_none() {
                return Err(AppError::field(
                    "stakeholder",
                    "Choose someone from the directory, or enter a name.",
                ));
            }
            Author {
                name,
                function,
                ..Author::default()
            }
        }
    };
    let content = validate_content(
        &rating.unwrap_or_default(),
        &body.unwrap_or_default(),
        &category.unwrap_or_default(),
    )?;
    let repo = FeedbackRepo::new(state.db.clone());
    let sprint = match parse_sprint_number("sprint", &sprint.unwrap_or_default())? {
        Some(n) => Some(
            repo.sprint(access.key(), n)
                .await?
                .ok_or_else(|| AppError::field("sprint", "Choose a sprint of this project."))?
                .id,
        ),
        None => None,
    };
    let today = crate::feedback::service::workspace_today(&state).await;
    let given_on = parse_given_on(&given_on.unwrap_or_default(), today)?;
    let submitted_at = if given_on == today {
        Utc::now()
    } else {
        // Midday UTC keeps the calendar day in almost every time zone.
        given_on
            .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
            .and_utc()
    };
    let mails = crate::mail::notify::tell_members(
        &state,
        access.key(),
        &access.project.name,
        author.name.as_deref(),
        &content,
        Some(&user.id),
    )
    .await?;
    let id = crate::db::retry_conflicts(|| {
        repo.create(
            access.key(),
            sprint.clone(),
            &author,
            channel,
            submitted_at,
            &content,
            mails.clone(),
        )
    })
    .await?;
    crate::mail::service::wake(&state, !mails.is_empty());
    audit(
        &state,
        Some(&user),
        &ctx,
        "feedback.create",
        &format!("{}/{id}", access.key()),
        channel.as_str(),
    )
    .await;
    crate::webhooks::service::feedback_created(
        &state,
        access.key(),
        &id,
        sprint.as_ref(),
        channel.as_str(),
        &content,
    )
    .await;
    Ok(id)
}

/// Triage: sets the status, the sprint that addressed it (with `planned` or `addressed`) and
/// the response the author will see.
#[server(prefix = "/api/fn", endpoint = "feedback/triage")]
pub async fn triage_feedback(
    key: String,
    id: String,
    status: String,
    addressed_in: Option<String>,
    response: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "triage feedback").await?;
    let current = load(&state, access.key(), &id).await?;
    let t = validate_triage(
        &status,
        &addressed_in.unwrap_or_default(),
        &response.unwrap_or_default(),
    )?;
    let repo = FeedbackRepo::new(state.db.clone());
    let addressed = match t.addressed_in {
        Some(n) => Some(
            repo.sprint(access.key(), n)
                .await?
                .ok_or_else(|| AppError::field("addressed_in", "Choose a sprint of this project."))?
                .id,
        ),
        None => None,
    };
    let responded_at = if t.response == current.response {
        current.responded_at
    } else {
        t.response.as_ref().map(|_| Utc::now())
    };
    let fid = crate::db::key_of(&current.id);
    let mut mails = Vec::new();
    let before_status = current.status.parse().unwrap_or_default();
    if crate::mail::tells_stakeholder(
        (before_status, current.response.as_deref()),
        (t.status, t.response.as_deref()),
    ) && let Some((to, link)) = repo.notify_target(&fid).await?
    {
        let stakeholder = current.stakeholder.as_ref().map(crate::db::key_of);
        let answer = crate::mail::notify::Answer {
            project: &access.project.name,
            feedback: &fid,
            stakeholder: stakeholder.as_deref(),
            sent_at: current.submitted_at,
            body: &current.body,
            status: t.status,
            sprint: t.addressed_in,
            response: t.response.as_deref(),
            link_token: link.as_deref(),
        };
        mails.extend(crate::mail::notify::answer(&state, &to, &answer)?);
    }
    let told = !mails.is_empty();
    repo.triage(&fid, &t, addressed, responded_at, mails)
        .await?;
    crate::mail::service::wake(&state, told);
    audit(
        &state,
        Some(&user),
        &ctx,
        "feedback.triage",
        &format!("{}/{fid}", access.key()),
        t.status.as_str(),
    )
    .await;
    Ok(())
}

/// Adds a link author who is not in the directory to it (their name and function, linked to
/// the project) and points the item at the new entry.
#[server(prefix = "/api/fn", endpoint = "feedback/add-to-directory")]
pub async fn add_author_to_directory(key: String, id: String) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(
        &state,
        &user,
        &ctx,
        &key,
        "add feedback author to directory",
    )
    .await?;
    let current = load(&state, access.key(), &id).await?;
    let fid = crate::db::key_of(&current.id);
    let stakeholder = FeedbackRepo::new(state.db.clone())
        .add_author_to_directory(
            &fid,
            AppError::Conflict("This author is already in the directory, or gave no name.".into()),
        )
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "stakeholder.create",
        &stakeholder,
        &format!("author of feedback {}/{fid}", access.key()),
    )
    .await;
    Ok(stakeholder)
}

/// One feedback item of a project (for the REST API's `GET …/feedback/{id}`).
#[server(prefix = "/api/fn", endpoint = "feedback/get")]
pub async fn get_feedback(key: String, id: String) -> Result<super::FeedbackItem, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    Ok(load(&state, access.key(), &id).await?.into())
}

/// Deletes a feedback item (project leads).
#[server(prefix = "/api/fn", endpoint = "feedback/delete")]
pub async fn delete_feedback(key: String, id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete feedback").await?;
    let current = load(&state, access.key(), &id).await?;
    let fid = crate::db::key_of(&current.id);
    FeedbackRepo::new(state.db.clone()).delete(&fid).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "feedback.delete",
        &format!("{}/{fid}", access.key()),
        "",
    )
    .await;
    Ok(())
}

/// A project's invite links (never their tokens).
#[server(prefix = "/api/fn", endpoint = "feedback/invites/list")]
pub async fn list_invites(key: String) -> Result<InviteList, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    // Read once per snapshot (current for this request's stamp): every write to an invite
    // moves the project's counter. Expiry is decided now.
    let repo = FeedbackRepo::new(state.db.clone());
    let rows = access
        .snapshot
        .invites(repo.invite_rows(access.key()))
        .await?;
    let now = Utc::now();
    Ok(InviteList {
        base_url: base_url(&state.settings),
        items: rows.iter().map(|r| r.at(now)).collect(),
    })
}

/// Makes an invite link, optionally for one sprint (number) and one stakeholder, lasting
/// `expires_in_days` (default 14, at most 30). The link is returned once; only its hash is
/// stored. Without JavaScript the page is reloaded showing it.
#[server(prefix = "/api/fn", endpoint = "feedback/invites/create")]
pub async fn create_invite(
    key: String,
    sprint: Option<String>,
    stakeholder: Option<String>,
    expires_in_days: Option<String>,
) -> Result<NewInvite, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "create invite").await?;
    let repo = FeedbackRepo::new(state.db.clone());
    let sprint = match parse_sprint_number("sprint", &sprint.unwrap_or_default())? {
        Some(n) => Some(
            repo.sprint(access.key(), n)
                .await?
                .ok_or_else(|| AppError::field("sprint", "Choose a sprint of this project."))?
                .id,
        ),
        None => None,
    };
    let stakeholder = match stakeholder
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(live_stakeholder(&state, "stakeholder", s).await?),
        None => None,
    };
    let days = parse_expiry_days(&expires_in_days.unwrap_or_default())?;
    let token = new_token();
    let expires_at = Utc::now() + Duration::days(i64::from(days));
    let id = repo
        .create_invite(
            access.key(),
            sprint,
            stakeholder.as_deref(),
            &hash_token(&token),
            expires_at,
            &user.id,
        )
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "invite.create",
        &format!("{}/{id}", access.key()),
        &format!("{days} days"),
    )
    .await;
    if plain_form_post() {
        // The page shows the new link once, from a cookie: never in the address.
        let page = format!("/projects/{}/feedback", access.key());
        crate::flash::hand_over(crate::flash::NEW_LINK, &page, &token);
        leptos_axum::redirect(&format!("{page}#invites"));
    }
    Ok(NewInvite {
        id,
        url: format!("{}/f/{token}", base_url(&state.settings)),
    })
}

/// Revokes an invite link of the project; it stops working at once.
#[server(prefix = "/api/fn", endpoint = "feedback/invites/revoke")]
pub async fn revoke_invite(key: String, id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "revoke invite").await?;
    if !plausible_id(&id)
        || !FeedbackRepo::new(state.db.clone())
            .revoke_invite(access.key(), &id)
            .await?
    {
        return Err(AppError::not_found("Invite link"));
    }
    audit(
        &state,
        Some(&user),
        &ctx,
        "invite.revoke",
        &format!("{}/{id}", access.key()),
        "",
    )
    .await;
    Ok(())
}

// ---- public: behind an invite token ---------------------------------------------------------

/// What `/f/{token}` shows: the project's name, the sprint's goal, and the person's own earlier
/// feedback with the team's responses. `project`, when given, must be the link's project.
#[server(prefix = "/f/api", endpoint = "open")]
pub async fn open_feedback_link(
    token: String,
    project: Option<String>,
) -> Result<LinkPage, AppError> {
    let state = crate::state::app_state()?;
    let link = resolve(&state, &token, Utc::now()).await?;
    match link.state {
        InviteState::Expired => return Ok(LinkPage::Expired),
        InviteState::Revoked => return Ok(LinkPage::Revoked),
        InviteState::Active => {}
    }
    let invite = link.invite;
    check_scope(&invite, project.as_deref(), None)?;
    let key = invite.project_key();
    let repo = FeedbackRepo::new(state.db.clone());
    let sprint = match invite.link_sprint() {
        Some(s) => Some(s),
        None => {
            let today = crate::feedback::service::workspace_today(&state).await;
            repo.running_sprint(&key, today).await?.map(|s| s.info)
        }
    };
    let earlier = match &invite.stakeholder {
        Some(s) => repo.by_stakeholder(&key, s).await?,
        None => match own_browser(&state) {
            Some(id) => repo.by_browser(&key, &hash_token(&id)).await?,
            None => Vec::new(),
        },
    };
    Ok(LinkPage::Open(Box::new(OpenLink {
        project_key: key,
        project_name: invite.project_name.clone().unwrap_or_default(),
        names_sprint: invite.sprint.is_some(),
        names_stakeholder: invite.stakeholder.is_some(),
        can_notify: state.settings.mail_from.is_some() && state.settings.public_url.is_some(),
        sprint,
        earlier: earlier.into_iter().map(OwnFeedback::from).collect(),
    })))
}

#[cfg(feature = "ssr")]
fn own_browser(state: &AppState) -> Option<String> {
    use_context::<http::request::Parts>().and_then(|p| browser_id(&state.settings, &p.headers))
}

/// Sends feedback through an invite link: rating (1–5), comment (at most 5,000 characters,
/// stored as typed), category, and, on a link that names nobody, the person's name and
/// function. `project` and `sprint` echo the page; they must match the link. With email on,
/// `notify` (the "Tell me when the team responds" box) and `notify_email` ask for one message
/// when the team answers; the address is kept only with the box ticked.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/f/api", endpoint = "submit")]
pub async fn submit_link_feedback(
    token: String,
    project: Option<String>,
    sprint: Option<String>,
    rating: Option<String>,
    body: Option<String>,
    category: Option<String>,
    author_name: Option<String>,
    author_function: Option<String>,
    notify: Option<String>,
    notify_email: Option<String>,
) -> Result<(), AppError> {
    let page = if crate::interviews::plausible_token(&token) {
        format!("/f/{token}")
    } else {
        "/".to_string()
    };
    let result = submit(
        token,
        project,
        sprint,
        rating,
        body,
        category,
        author_name,
        author_function,
        (notify, notify_email),
    )
    .await;
    match &result {
        Ok(()) => redirect_plain_form(&format!("{page}?sent=1"), "", None),
        Err(e) => redirect_plain_form(
            &page,
            <SubmitLinkFeedback as leptos::server_fn::ServerFn>::PATH,
            Some(e),
        ),
    }
    result
}

#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
async fn submit(
    token: String,
    project: Option<String>,
    sprint: Option<String>,
    rating: Option<String>,
    body: Option<String>,
    category: Option<String>,
    author_name: Option<String>,
    author_function: Option<String>,
    (notify, notify_email): (Option<String>, Option<String>),
) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let ctx = request_ctx();
    let now = Utc::now();
    let link = resolve(&state, &token, now).await?;
    if link.state != InviteState::Active {
        return Err(AppError::NotFound(CLOSED_LINK.into()));
    }
    let invite = link.invite;
    check_scope(&invite, project.as_deref(), sprint.as_deref())?;
    let content = validate_content(
        &rating.unwrap_or_default(),
        &body.unwrap_or_default(),
        &category.unwrap_or_default(),
    )?;
    // The address is asked for only while email is on; it is kept only with the box ticked.
    let notify_email = if state.settings.mail_from.is_some() {
        let ticked = notify
            .as_deref()
            .map_or(Ok(false), |v| domain::fields::parse_flag("notify", v))?;
        crate::mail::consent(ticked, &notify_email.unwrap_or_default())?
    } else {
        None
    };
    let key = invite.project_key();
    let repo = FeedbackRepo::new(state.db.clone());
    let mut author = match &invite.stakeholder {
        Some(s) => Author {
            stakeholder: Some(crate::db::key_of(s)),
            ..Author::default()
        },
        None => {
            let (name, function) = validate_author(
                &author_name.unwrap_or_default(),
                &author_function.unwrap_or_default(),
            )?;
            Author {
                name,
                function,
                ..Author::default()
            }
        }
    };
    rate_limit(&state, &invite, &ctx.ip, now).await?;
    let sprint = match &invite.sprint {
        Some(s) => Some(s.clone()),
        None => {
            let today = crate::feedback::service::workspace_today(&state).await;
            repo.running_sprint(&key, today).await?.map(|s| s.id)
        }
    };
    if invite.stakeholder.is_none() {
        let id = match own_browser(&state) {
            Some(id) => id,
            None => {
                let id = new_token();
                if let Some(res) = use_context::<leptos_axum::ResponseOptions>()
                    && let Ok(v) =
                        http::HeaderValue::from_str(&browser_cookie(&state.settings, &id))
                {
                    res.append_header(http::header::SET_COOKIE, v);
                }
                id
            }
        };
        author.browser_key = Some(hash_token(&id));
    }
    author.notify_link = notify_email.as_ref().map(|_| token.clone());
    author.notify_email = notify_email;
    let project_name = invite.project_name.clone().unwrap_or_default();
    let mails = crate::mail::notify::tell_members(
        &state,
        &key,
        &project_name,
        author.name.as_deref(),
        &content,
        None,
    )
    .await?;
    let fid = crate::db::retry_conflicts(|| {
        repo.submit_via_invite(
            &invite,
            sprint.clone(),
            &author,
            &content,
            mails.clone(),
            AppError::NotFound(CLOSED_LINK.into()),
        )
    })
    .await?;
    crate::mail::service::wake(&state, !mails.is_empty());
    audit(
        &state,
        None,
        &ctx,
        "feedback.submit",
        &format!("{key}/{fid}"),
        &format!("invite {}", crate::db::key_of(&invite.id)),
    )
    .await;
    crate::webhooks::service::feedback_created(
        &state,
        &key,
        &fid,
        sprint.as_ref(),
        "link",
        &content,
    )
    .await;
    Ok(())
}
