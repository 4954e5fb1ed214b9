//! Rendering messages from their templates (every value escaped in the HTML part) and queueing
//! them. Templates live in `templates/`, a `.txt` and a `.html` of each message.

use minijinja::Environment;
use serde::Serialize;

use super::repo::MailRepo;
use super::{MailKind, NewMail};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The templates, loaded once. Names ending in `.html` are escaped for HTML (minijinja's
/// default), `.txt` ones are not.
fn templates() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in [
            ("test.txt", include_str!("templates/test.txt")),
            ("test.html", include_str!("templates/test.html")),
            (
                "feedback_response.txt",
                include_str!("templates/feedback_response.txt"),
            ),
            (
                "feedback_response.html",
                include_str!("templates/feedback_response.html"),
            ),
            (
                "new_feedback.txt",
                include_str!("templates/new_feedback.txt"),
            ),
            (
                "new_feedback.html",
                include_str!("templates/new_feedback.html"),
            ),
            ("interview.txt", include_str!("templates/interview.txt")),
            ("interview.html", include_str!("templates/interview.html")),
            ("digest.txt", include_str!("templates/digest.txt")),
            ("digest.html", include_str!("templates/digest.html")),
        ] {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(error = %e, name, "a mail template does not parse");
            }
        }
        env
    })
}

/// Renders `<name>.txt` and `<name>.html` with `values`.
pub fn render(name: &str, values: &impl Serialize) -> AppResult<(String, String)> {
    let env = templates();
    let one = |ext: &str| {
        env.get_template(&format!("{name}.{ext}"))
            .and_then(|t| t.render(values))
            .map_err(|e| {
                tracing::error!(error = %e, name, "a mail template did not render");
                AppError::internal()
            })
    };
    Ok((one("txt")?, one("html")?))
}

/// A new `Message-ID` in the sender's domain, the same on every attempt.
pub fn message_id(from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
        .unwrap_or("touchpoint.invalid");
    format!("<{}@{domain}>", store::secrets::new_token())
}

/// What the test message's templates read.
#[derive(Serialize)]
struct TestValues<'a> {
    sender: &'a str,
    link: Option<&'a str>,
}

/// The test message an admin sends from the outbox page.
pub fn test_message(state: &AppState, to: &str, sender: &str) -> AppResult<NewMail> {
    let (text, html) = render(
        "test",
        &TestValues {
            sender,
            link: state.settings.public_url.as_deref(),
        },
    )?;
    Ok(NewMail {
        kind: MailKind::Test,
        recipient: to.to_string(),
        subject: "Touchpoint test message".into(),
        text,
        html,
        ..NewMail::default()
    })
}

/// Queues `mail` on its own and wakes this instance's sender. Mail must be on.
pub async fn enqueue(state: &AppState, mail: &NewMail) -> AppResult<()> {
    let from = state.settings.mail_from.as_deref().ok_or_else(off)?;
    MailRepo::new(state.db.clone())
        .enqueue(mail, &message_id(from))
        .await?;
    wake(state, true);
    Ok(())
}

/// Wakes this instance's sender after a change queued messages.
pub fn wake(state: &AppState, queued: bool) {
    if queued {
        state.mail_wake.notify_one();
    }
}

/// The error when mail is off.
pub fn off() -> AppError {
    AppError::Conflict(
        "Email is off: set TOUCHPOINT_SMTP_URL and TOUCHPOINT_MAIL_FROM to turn it on.".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_in_html_and_kept_in_text() {
        let (text, html) = render(
            "test",
            &TestValues {
                sender: "<b>Ana</b> & \"co\"",
                link: Some("https://touchpoint.example.org"),
            },
        )
        .expect("render");
        assert!(text.contains("sent by <b>Ana</b> & \"co\""));
        assert!(
            html.contains("&lt;b&gt;Ana&lt;&#x2f;b&gt; &amp; &quot;co&quot;"),
            "{html}"
        );
        assert!(!html.contains("<b>Ana</b>"));
        assert!(
            html.contains("href=\"https:&#x2f;&#x2f;touchpoint.example.org\"")
                || html.contains("href=\"https://touchpoint.example.org\"")
        );
    }

    #[test]
    fn every_template_parses_and_renders() {
        for name in [
            "test",
            "feedback_response",
            "new_feedback",
            "interview",
            "digest",
        ] {
            let (text, html) = render(name, &serde_json::json!({})).expect(name);
            assert!(!text.trim().is_empty(), "{name}");
            assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
        }
    }

    #[test]
    fn message_ids_are_unique_and_in_the_senders_domain() {
        let a = message_id("Touchpoint <touchpoint@example.org>");
        let b = message_id("touchpoint@example.org");
        assert!(a.starts_with('<') && a.ends_with("@example.org>"), "{a}");
        assert_ne!(a, b);
        assert!(message_id("nobody").ends_with("@touchpoint.invalid>"));
    }
}
