//! Webhook formats for chat tools: a Slack incoming-webhook message (`text` and `blocks`) or a
//! Microsoft Teams Adaptive Card (for a Workflows webhook), made from the signed JSON event.
//! Each is a short human summary with a link; the delivery machinery, the retries and the log
//! are the same for every format.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What a webhook sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum WebhookFormat {
    /// The signed JSON event (see the README).
    #[default]
    Json,
    /// A Slack incoming-webhook message.
    Slack,
    /// A Microsoft Teams Adaptive Card, for a Workflows webhook.
    Teams,
}

impl WebhookFormat {
    /// Every format.
    pub const ALL: [WebhookFormat; 3] = [
        WebhookFormat::Json,
        WebhookFormat::Slack,
        WebhookFormat::Teams,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Json => "json",
            WebhookFormat::Slack => "slack",
            WebhookFormat::Teams => "teams",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            WebhookFormat::Json => "Signed JSON",
            WebhookFormat::Slack => "Slack",
            WebhookFormat::Teams => "Microsoft Teams",
        }
    }

    /// Parses a form or API value; empty is the signed JSON.
    pub fn parse(s: &str) -> Result<WebhookFormat, crate::error::AppError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(WebhookFormat::Json);
        }
        WebhookFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| crate::error::AppError::field("format", "Choose json, slack or teams."))
    }

    /// Parses a stored value; an unknown or missing one is the signed JSON.
    pub fn stored(s: Option<&str>) -> WebhookFormat {
        Self::parse(s.unwrap_or_default()).unwrap_or_default()
    }
}

/// An event told in a few words: a title, a line or two, and its project's page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// One line.
    pub title: String,
    /// What happened, in a sentence or two.
    pub text: String,
    /// The project's page (absolute when the public URL is configured).
    pub url: String,
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn n(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// At most `max` characters of `text`, with an ellipsis when cut.
fn short(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The summary of a signed JSON event (as the delivery stored it).
pub fn summary(event: &Value) -> Summary {
    let project = event.get("project").cloned().unwrap_or(Value::Null);
    let name = s(&project, "name");
    let data = event.get("data").cloned().unwrap_or(Value::Null);
    let (title, text) = match s(event, "type") {
        "feedback.created" => {
            let rating = n(&data, "rating")
                .map(|r| format!("rated {r}/5, "))
                .unwrap_or_default();
            let sprint = n(&data, "sprint")
                .map(|n| format!(" about sprint {n}"))
                .unwrap_or_default();
            (
                format!("New feedback in {name}"),
                format!(
                    "{rating}{} via {}{sprint}: “{}”",
                    s(&data, "category"),
                    s(&data, "channel"),
                    short(s(&data, "body"), 280)
                ),
            )
        }
        "sprint.review_held" => (
            format!(
                "Sprint {} review held in {name}",
                n(&data, "sprint").unwrap_or_default()
            ),
            format!(
                "Held on {}. Outcome: {}",
                s(&data, "held_on"),
                short(s(&data, "outcome"), 280)
            ),
        ),
        "retro.action_item.changed" => {
            let change = s(&data, "change");
            let text = if change == "deleted" {
                format!(
                    "An action item from the sprint {} retro was deleted.",
                    n(&data, "sprint").unwrap_or_default()
                )
            } else {
                format!(
                    "“{}”: {}, due in sprint {}.",
                    short(s(&data, "text"), 200),
                    s(&data, "status"),
                    n(&data, "due_sprint").unwrap_or_default()
                )
            };
            (format!("Action item {change} in {name}"), text)
        }
        "interview.scheduled" => {
            let people = n(&data, "participants").unwrap_or_default();
            (
                format!("Interview scheduled in {name}"),
                format!(
                    "A {} interview at {} with {people} participant{}.",
                    s(&data, "kind"),
                    s(&data, "scheduled_at"),
                    if people == 1 { "" } else { "s" }
                ),
            )
        }
        "signal.changed" => {
            let changed: Vec<&str> = data
                .get("changed")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let at_risk = data
                .get("after")
                .and_then(|a| a.get("at_risk"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            (
                format!("Signals changed in {name}"),
                format!(
                    "Changed: {}.{}",
                    changed.join(", "),
                    if at_risk {
                        " The project is at risk."
                    } else {
                        ""
                    }
                ),
            )
        }
        "ping" => (
            "Test event from Touchpoint".to_string(),
            format!("The webhook of {name} works."),
        ),
        other => (format!("{other} in {name}"), String::new()),
    };
    Summary {
        title,
        text,
        url: s(&project, "url").to_string(),
    }
}

/// Escapes text for Slack's `mrkdwn` (`&`, `<`, `>`).
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn absolute(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// A Slack incoming-webhook message: `text` (the notification's fallback) and `blocks`.
pub fn slack(event: &Value) -> Value {
    let sum = summary(event);
    let mut section = json!({
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": format!("*{}*\n{}", slack_escape(&sum.title), slack_escape(&sum.text)),
        },
    });
    if absolute(&sum.url) {
        section["accessory"] = json!({
            "type": "button",
            "text": { "type": "plain_text", "text": "Open in Touchpoint" },
            "url": sum.url,
        });
    }
    json!({
        "text": format!("{}: {}", slack_escape(&sum.title), slack_escape(&sum.text)),
        "blocks": [section],
    })
}

/// A Microsoft Teams message with one Adaptive Card (version 1.4), as a Workflows webhook
/// ("When a Teams webhook request is received") takes it.
pub fn teams(event: &Value) -> Value {
    let sum = summary(event);
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            { "type": "TextBlock", "text": sum.title, "weight": "Bolder", "size": "Medium", "wrap": true },
            { "type": "TextBlock", "text": sum.text, "wrap": true },
        ],
    });
    if absolute(&sum.url) {
        card["actions"] = json!([
            { "type": "Action.OpenUrl", "title": "Open in Touchpoint", "url": sum.url }
        ]);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// The body a webhook of `format` sends for the signed JSON `event` the delivery stored. A
/// body that is not JSON (never written by Touchpoint) goes out as it is.
pub fn body_for(format: WebhookFormat, event: &str) -> String {
    if format == WebhookFormat::Json {
        return event.to_string();
    }
    let Ok(value) = serde_json::from_str::<Value>(event) else {
        return event.to_string();
    };
    let out = match format {
        WebhookFormat::Slack => slack(&value),
        WebhookFormat::Teams => teams(&value),
        WebhookFormat::Json => value,
    };
    out.to_string()
}

#[cfg(test)]
mod tests;
