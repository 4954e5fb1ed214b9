//! One-click unsubscribe for stakeholders who asked to be told when the team responds.

use surrealdb::types::SurrealValue;

use super::MailRepo;
use crate::db::check_guarded;
use domain::error::{AppError, AppResult};

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct TargetRow {
    email: String,
    used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The address behind an unsubscribe token, and whether it was used already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsubscribeTarget {
    /// The address.
    pub email: String,
    /// Whether the token was used before.
    pub used: bool,
}

impl MailRepo {
    /// What an unsubscribe token (by its hash) stands for; `None` when it is unknown.
    pub async fn unsubscribe_target(&self, hash: &str) -> AppResult<Option<UnsubscribeTarget>> {
        let mut res = self
            .db
            .query("SELECT email, used_at FROM mail_unsubscribe WHERE token_hash = $hash LIMIT 1")
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        let rows: Vec<TargetRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(|r| UnsubscribeTarget {
            email: r.email,
            used: r.used_at.is_some(),
        }))
    }

    /// Withdraws the consent of the address behind a token, on every feedback item it was
    /// given for, and drops the messages to it that still wait, in one transaction. Using a
    /// token again changes nothing. `NotFound` for an unknown token.
    pub async fn unsubscribe(&self, hash: &str) -> AppResult<()> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $u = (SELECT email FROM mail_unsubscribe WHERE token_hash = $hash LIMIT 1)[0];
                 IF $u = NONE { THROW 'unknown token' };
                 UPDATE feedback SET notify_email = NONE, notify_consented_at = NONE, notify_link = NONE
                    WHERE notify_email = $u.email RETURN NONE;
                 DELETE mail_outbox WHERE recipient = $u.email AND status = 'pending'
                    AND unsubscribe != NONE RETURN NONE;
                 UPDATE mail_unsubscribe SET used_at = used_at ?? time::now()
                    WHERE email = $u.email RETURN NONE;
                 COMMIT TRANSACTION;",
            )
            .bind(("hash", hash.to_string()))
            .await?;
        check_guarded(
            res,
            AppError::NotFound("This unsubscribe link is not known.".into()),
        )?;
        Ok(())
    }
}
