//! Server functions of the outbox page (admins).

use leptos::prelude::*;

use super::Outbox;
use crate::error::AppError;

/// Whether mail is on, and the latest 50 messages, newest first (admins).
#[server(prefix = "/api/fn", endpoint = "admin/outbox")]
pub async fn get_outbox() -> Result<Outbox, AppError> {
    let (state, _, _) = crate::auth::service::require_admin("read the outbox").await?;
    let entries = super::repo::MailRepo::new(state.db.clone())
        .latest(50)
        .await?;
    Ok(Outbox {
        from: state.settings.mail_from.clone(),
        entries,
    })
}

/// Queues a test message to `to` (admins).
#[server(prefix = "/api/fn", endpoint = "admin/outbox/test")]
pub async fn send_test_mail(to: String) -> Result<(), AppError> {
    let (state, admin, ctx) = crate::auth::service::require_admin("send a test message").await?;
    if state.settings.mail_from.is_none() {
        return Err(super::service::off());
    }
    let to = crate::auth::validate_email(&to)
        .map_err(|_| AppError::field("to", "Enter an email address such as name@example.org."))?;
    let mail = super::service::test_message(&state, &to, &admin.name)?;
    super::service::enqueue(&state, &mail).await?;
    crate::auth::service::audit(&state, Some(&admin), &ctx, "mail.test", &to, "").await;
    Ok(())
}
