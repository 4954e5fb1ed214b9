//! Server functions for retrospectives: the board, its items and votes, and the health check.

use super::*;

/// The retro page: earlier open action items first, then this sprint's retro if started.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/get")]
pub async fn get_retro(key: String, number: String) -> Result<RetroPageData, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, sprint) = load_sprint(&repo, access.key(), &number).await?;
    let earlier_open = repo
        .open_actions_before(access.key(), n)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let retro = match repo.retro(access.key(), n).await? {
        None => None,
        Some(r) => Some(retro_view(&repo, access.key(), n, &user, r).await?),
    };
    let users = crate::projects::api::list_user_choices().await?;
    let sprint: Sprint = sprint.into();
    Ok(RetroPageData {
        sprint: (&sprint).into(),
        access: access.level,
        retro,
        earlier_open,
        users,
        today: today(&state).await?,
    })
}

#[cfg(feature = "ssr")]
async fn retro_view(
    repo: &SprintRepo,
    key: &str,
    n: u32,
    user: &CurrentUser,
    r: super::repo::RetroRecord,
) -> Result<Retro, AppError> {
    let format = r.format();
    let items = repo.items(key, n).await?;
    let my_votes = repo.my_votes(key, n, &user.id).await?;
    let my_answers = repo.my_answers(key, n, &user.id).await?;
    let me = rid("user", &user.id);
    let columns = format
        .columns()
        .iter()
        .map(|c| RetroColumnView {
            column: *c,
            items: items
                .iter()
                .filter(|i| i.column() == *c)
                .map(|i| RetroItem {
                    id: key_of(&i.id),
                    column: *c,
                    text: i.text.clone(),
                    votes: u32::try_from(i.votes).unwrap_or(0),
                    my_votes: u32::try_from(my_votes.iter().filter(|v| **v == i.id).count())
                        .unwrap_or(0),
                    mine: i.created_by == me,
                })
                .collect(),
        })
        .collect();
    let health = r
        .health
        .iter()
        .enumerate()
        .map(|(i, q)| HealthResult {
            index: u32::try_from(i).unwrap_or(0),
            question: q.question.clone(),
            count: u32::try_from(q.scores.len()).unwrap_or(0),
            average: average(&q.scores),
            answered: my_answers.contains(&i64::try_from(i).unwrap_or(-1)),
        })
        .collect();
    let action_items = repo
        .actions_of_retro(key, n)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let used = u32::try_from(my_votes.len()).unwrap_or(VOTES_PER_RETRO);
    Ok(Retro {
        held_on: r.held_on,
        format,
        columns,
        health,
        action_items,
        votes_left: VOTES_PER_RETRO.saturating_sub(used),
    })
}

/// Starts a sprint's retro or changes its day and format (members).
#[server(prefix = "/api/fn", endpoint = "sprints/retro/put")]
pub async fn put_retro(
    key: String,
    number: String,
    held_on: Option<String>,
    format: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "record retro").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_sprint(&repo, access.key(), &number).await?;
    let (held_on, format) = validate_retro(
        held_on.as_deref().unwrap_or_default(),
        format.as_deref().unwrap_or_default(),
    )?;
    let created = repo.put_retro(access.key(), n, held_on, format).await?;
    let action = if created {
        "retro.create"
    } else {
        "retro.update"
    };
    audit(
        &state,
        Some(&user),
        &ctx,
        action,
        &target(access.key(), n),
        format.as_str(),
    )
    .await;
    Ok(())
}

/// Deletes a sprint's retro with its board (project leads). A retro with action items is kept.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/delete")]
pub async fn delete_retro(key: String, number: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete retro").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_sprint(&repo, access.key(), &number).await?;
    if repo.retro(access.key(), n).await?.is_none() {
        return Err(AppError::not_found("Retrospective"));
    }
    repo.delete_retro(access.key(), n).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro.delete",
        &target(access.key(), n),
        "",
    )
    .await;
    Ok(())
}

/// The retro of sprint `number`, which must have been started.
#[cfg(feature = "ssr")]
pub(super) async fn load_retro(
    repo: &SprintRepo,
    key: &str,
    number: &str,
) -> Result<(u32, super::repo::RetroRecord), AppError> {
    let (n, _) = load_sprint(repo, key, number).await?;
    let retro = repo
        .retro(key, n)
        .await?
        .ok_or_else(|| AppError::not_found("Retrospective"))?;
    Ok((n, retro))
}

/// Adds an item to a retro column (members).
#[server(prefix = "/api/fn", endpoint = "sprints/retro/items/add")]
pub async fn add_retro_item(
    key: String,
    number: String,
    column: String,
    text: String,
) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "add retro item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, retro) = load_retro(&repo, access.key(), &number).await?;
    let (column, text) = validate_retro_item(retro.format(), &column, &text)?;
    let id = repo
        .add_item(access.key(), n, column, &text, &user.id)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro_item.create",
        &target(access.key(), n),
        &id,
    )
    .await;
    Ok(id)
}

/// Deletes a retro item (its author or a project lead); its votes go back to their voters.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/items/delete")]
pub async fn delete_retro_item(
    key: String,
    number: String,
    item_id: String,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "delete retro item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_retro(&repo, access.key(), &number).await?;
    let item = load_item(&repo, access.key(), n, &item_id).await?;
    if item.created_by != rid("user", &user.id) && !access.level.can_manage() {
        deny(
            &state,
            &user,
            &ctx,
            &format!("delete retro item in {}", access.key()),
        )
        .await;
        return Err(AppError::Forbidden(
            "Only the item's author or a project lead can delete it.".into(),
        ));
    }
    repo.delete_item(&item.id).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro_item.delete",
        &target(access.key(), n),
        &item_id,
    )
    .await;
    Ok(())
}

#[cfg(feature = "ssr")]
async fn load_item(
    repo: &SprintRepo,
    key: &str,
    n: u32,
    item_id: &str,
) -> Result<super::repo::RetroItemRecord, AppError> {
    if !is_safe_id(item_id) {
        return Err(AppError::not_found("Retro item"));
    }
    repo.item(key, n, item_id)
        .await?
        .ok_or_else(|| AppError::not_found("Retro item"))
}

/// Gives one of the caller's votes to a retro item (members; 3 per retro), or with
/// `take_back=true` takes one back. Returns the votes the caller has left.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/vote")]
pub async fn vote_retro_item(
    key: String,
    number: String,
    item_id: String,
    take_back: Option<String>,
) -> Result<u32, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "vote").await?;
    let take_back = match take_back.as_deref().map(str::trim) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::field("take_back", "Expected true or false.")),
    };
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_retro(&repo, access.key(), &number).await?;
    let item = load_item(&repo, access.key(), n, &item_id).await?;
    if take_back {
        if !repo.unvote(access.key(), n, &item.id, &user.id).await? {
            return Err(AppError::Conflict(
                "You have no vote on this item to take back.".into(),
            ));
        }
        audit(
            &state,
            Some(&user),
            &ctx,
            "retro_item.unvote",
            &target(access.key(), n),
            &item_id,
        )
        .await;
    } else {
        if let Err(e) = repo.vote(access.key(), n, &item.id, &user.id).await {
            // The guard also fires when the item vanished meanwhile: tell which.
            load_item(&repo, access.key(), n, &item_id).await?;
            return Err(e);
        }
        audit(
            &state,
            Some(&user),
            &ctx,
            "retro_item.vote",
            &target(access.key(), n),
            &item_id,
        )
        .await;
    }
    votes_left(&repo, access.key(), n, &user).await
}

#[cfg(feature = "ssr")]
async fn votes_left(
    repo: &SprintRepo,
    key: &str,
    n: u32,
    user: &CurrentUser,
) -> Result<u32, AppError> {
    let used = repo.my_votes(key, n, &user.id).await?.len();
    Ok(VOTES_PER_RETRO.saturating_sub(u32::try_from(used).unwrap_or(VOTES_PER_RETRO)))
}

/// Adds a question to a retro's anonymous health check (members).
#[server(prefix = "/api/fn", endpoint = "sprints/retro/health/add")]
pub async fn add_health_question(
    key: String,
    number: String,
    question: String,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "add health question").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, retro) = load_retro(&repo, access.key(), &number).await?;
    let question = validate_question(&question)?;
    if retro.health.len() >= MAX_HEALTH_QUESTIONS {
        return Err(AppError::field(
            "question",
            format!("A health check has at most {MAX_HEALTH_QUESTIONS} questions."),
        ));
    }
    repo.add_question(access.key(), n, &question).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro.health_question",
        &target(access.key(), n),
        &question,
    )
    .await;
    Ok(())
}

/// Adds the caller's anonymous score (1–5) to a health question (members, once each). The
/// score is stored without the caller's name, and the audit event names no one.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/health/answer")]
pub async fn answer_health_question(
    key: String,
    number: String,
    index: String,
    score: String,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "answer health check").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, retro) = load_retro(&repo, access.key(), &number).await?;
    let index: u32 = index
        .trim()
        .parse()
        .ok()
        .filter(|i| usize::try_from(*i).is_ok_and(|i| i < retro.health.len()))
        .ok_or_else(|| AppError::field("index", "Choose a question of this health check."))?;
    let score = parse_score(&score)?;
    repo.answer(access.key(), n, index, &user.id, score).await?;
    audit(
        &state,
        None,
        &ctx,
        "retro.health_answer",
        &target(access.key(), n),
        "",
    )
    .await;
    Ok(())
}
