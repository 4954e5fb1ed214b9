//! The mail sender of one app instance. Messages wait in the database (`mail_outbox`), so a
//! restart loses none and any instance may send any of them: the sender claims due messages
//! with a lease, hands each to the SMTP server (lettre: TLS or STARTTLS as the URL says, with
//! authentication) and records the answer. A message the server did not accept for now (a 4xx
//! answer, or no answer) is tried again after a doubling wait for 24 hours; one it refused for
//! good (5xx) is given up. The `Message-ID` is the same on every attempt.

use std::time::Duration;

use chrono::Utc;
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use app::mail::repo::{ClaimedMail, MailRepo};
use app::state::AppState;

/// How long a claimed message is held before another worker may take it over: longer than
/// one attempt may take.
const LEASE_SECS: i64 = 45;
/// How long one attempt may take (connection, TLS, the whole SMTP conversation).
const TIMEOUT: Duration = Duration::from_secs(30);
/// How often the sender looks for due messages when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);
/// Messages claimed in one go (sent one after another over the pooled connection).
const BATCH: usize = 10;

/// Checks a `TOUCHPOINT_SMTP_URL`. The error names no part of the URL (it may hold a
/// password).
pub fn check_url(url: &str) -> Result<(), String> {
    builder(url).map(|_| ())
}

fn builder(url: &str) -> Result<lettre::transport::smtp::AsyncSmtpTransportBuilder, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|_| {
        "not an SMTP URL: use smtps://user:pass@host:465, smtp://user:pass@host:587?tls=required \
         or smtp://host:25"
            .to_string()
    })
}

/// The SMTP transport of a `TOUCHPOINT_SMTP_URL` (inside the runtime: it keeps a pool).
fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    builder(url).map(|b| b.timeout(Some(TIMEOUT)).build())
}

/// Starts the sender, when email is configured.
pub fn spawn(
    state: AppState,
    url: Option<String>,
    from: Option<String>,
    retry_base: chrono::Duration,
) -> Option<tokio::task::JoinHandle<()>> {
    let (url, from) = (url?, from?);
    let mailer = match transport(&url) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!("the mail sender could not start: {e}");
            return None;
        }
    };
    let from: Mailbox = match from.parse() {
        Ok(f) => f,
        Err(_) => {
            tracing::error!(
                "the mail sender could not start: TOUCHPOINT_MAIL_FROM is not an address"
            );
            return None;
        }
    };
    tokio::spawn(digests(state.clone()));
    Some(tokio::spawn(run(state, mailer, from, retry_base)))
}

/// How often the digest loop looks for members whose digest is due.
const DIGEST_CHECK: Duration = Duration::from_secs(60);

/// Sends members their digests when due (08:00 in the workspace's time zone). Every instance
/// runs this loop; recording a digest is a transaction only one of them wins.
async fn digests(state: AppState) {
    loop {
        tokio::time::sleep(DIGEST_CHECK).await;
        let users = match app::mail::repo::MailRepo::new(state.db.clone())
            .digest_users()
            .await
        {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(error = %e, "listing digest readers failed");
                continue;
            }
        };
        if users.is_empty() {
            continue;
        }
        let tz = match app::workspace::repo::WorkspaceRepo::new(state.db.clone())
            .time_zone()
            .await
        {
            Ok(tz) => tz,
            Err(e) => {
                tracing::warn!(error = %e, "reading the workspace's time zone failed");
                continue;
            }
        };
        for user in users {
            if let Err(e) = app::mail::digest::run(&state, &user, tz, Utc::now(), false).await {
                tracing::warn!(error = %e, "a digest failed");
            }
        }
    }
}

async fn run(
    state: AppState,
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    retry_base: chrono::Duration,
) {
    let repo = MailRepo::new(state.db.clone());
    loop {
        let claimed = match repo.claim_due(BATCH, LEASE_SECS).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "claiming due messages failed");
                Vec::new()
            }
        };
        let idle = claimed.is_empty();
        for mail in claimed {
            send_one(&repo, &mailer, &from, mail, retry_base).await;
        }
        if idle {
            tokio::select! {
                () = state.mail_wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

async fn send_one(
    repo: &MailRepo,
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: ClaimedMail,
    retry_base: chrono::Duration,
) {
    let outcome = match build(from, &mail) {
        Ok(message) => mailer.send(message).await.map(|_| ()).map_err(|e| {
            let permanent = e.is_permanent();
            // The server's answer (code and text) or the kind of failure; never the URL.
            let text = match e.status() {
                Some(code) => format!("{code} {e}"),
                None if e.is_timeout() => "no answer in time".to_string(),
                None => "the mail server could not be reached".to_string(),
            };
            (permanent, text)
        }),
        Err(e) => Err((true, e)),
    };
    let recorded = match outcome {
        Ok(()) => repo.sent(&mail.id).await,
        Err((permanent, error)) => {
            let attempts = u32::try_from(mail.attempts + 1).unwrap_or(u32::MAX);
            let next = if permanent {
                None
            } else {
                app::mail::next_attempt(retry_base, attempts, mail.created_at, Utc::now())
            };
            tracing::info!(
                attempts,
                given_up = next.is_none(),
                "a message was not accepted: {error}"
            );
            repo.failed(&mail.id, &error, next).await
        }
    };
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "recording a mail attempt failed");
    }
}

/// The message: `multipart/alternative` (text, then HTML), inside `multipart/mixed` with an
/// `invite.ics` for invitations, with `Message-ID`, `Date`, `Reply-To` and, for
/// stakeholders, one-click unsubscribe (RFC 8058).
fn build(from: &Mailbox, mail: &ClaimedMail) -> Result<Message, String> {
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|_| "the recipient is not an address".to_string())?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .date_now();
    if let Some(reply_to) = mail.reply_to.as_deref().and_then(|r| r.parse().ok()) {
        builder = builder.reply_to(reply_to);
    }
    if let Some(url) = &mail.unsubscribe {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
    }
    let body = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
    let body = match (&mail.ics, mail.ics_method.as_deref()) {
        // An invitation: the calendar entry as an attachment (`invite.ics`), which every
        // client offers to add, with the iTIP method in its content type.
        (Some(ics), Some(method)) => {
            let kind =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| format!("the calendar part could not be built: {e}"))?;
            MultiPart::mixed()
                .multipart(body)
                .singlepart(Attachment::new("invite.ics".to_string()).body(ics.clone(), kind))
        }
        _ => body,
    };
    builder
        .multipart(body)
        .map_err(|e| format!("the message could not be built: {e}"))
}
