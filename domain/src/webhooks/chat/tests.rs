use super::*;

fn event(kind: &str, data: Value, url: &str) -> Value {
    json!({
        "id": "evt_1",
        "type": kind,
        "created_at": "2026-12-07T10:00:00Z",
        "project": { "key": "churn", "name": "Churn <model> & co", "url": url },
        "data": data,
    })
}

fn feedback(url: &str) -> Value {
    event(
        "feedback.created",
        json!({ "feedback_id": "f1", "sprint": 3, "channel": "link", "category": "usability",
                "rating": 4, "body": "The export is <slow> & confusing" }),
        url,
    )
}

#[test]
fn each_event_type_reads_as_a_sentence() {
    let sum = summary(&feedback("https://tp.example.org/projects/churn"));
    assert_eq!(sum.title, "New feedback in Churn <model> & co");
    assert_eq!(
        sum.text,
        "rated 4/5, usability via link about sprint 3: “The export is <slow> & confusing”"
    );
    let review = summary(&event(
        "sprint.review_held",
        json!({ "sprint": 4, "held_on": "2026-12-01", "outcome": "accepted" }),
        "/projects/churn",
    ));
    assert_eq!(review.title, "Sprint 4 review held in Churn <model> & co");
    assert_eq!(review.text, "Held on 2026-12-01. Outcome: accepted");
    let item = summary(&event(
        "retro.action_item.changed",
        json!({ "action_item_id": "a", "change": "deleted", "sprint": 2, "text": "", "status": "", "due_sprint": 0 }),
        "/projects/churn",
    ));
    assert_eq!(
        item.text,
        "An action item from the sprint 2 retro was deleted."
    );
    let interview = summary(&event(
        "interview.scheduled",
        json!({ "interview_id": "i", "kind": "usability", "scheduled_at": "2026-12-09T09:00:00Z", "participants": 1 }),
        "/projects/churn",
    ));
    assert_eq!(
        interview.text,
        "A usability interview at 2026-12-09T09:00:00Z with 1 participant."
    );
    let signals = summary(&event(
        "signal.changed",
        json!({ "changed": ["m2_end_users", "at_risk"], "after": { "at_risk": true } }),
        "/projects/churn",
    ));
    assert_eq!(
        signals.text,
        "Changed: m2_end_users, at_risk. The project is at risk."
    );
    assert_eq!(
        summary(&event("ping", json!({ "message": "x" }), "/")).title,
        "Test event from Touchpoint"
    );
}

#[test]
fn long_text_is_cut_with_an_ellipsis() {
    let long = "word ".repeat(200);
    let sum = summary(&event(
        "feedback.created",
        json!({ "channel": "team", "category": "other", "body": long }),
        "/",
    ));
    assert!(sum.text.ends_with("…”"), "{}", sum.text);
    assert!(sum.text.chars().count() < 320);
}

#[test]
fn slack_messages_have_text_and_a_section_block_with_escaped_mrkdwn() {
    let msg = slack(&feedback("https://tp.example.org/projects/churn"));
    // Slack's incoming webhooks: `text` is required as the fallback; blocks carry the layout.
    assert!(
        msg["text"]
            .as_str()
            .is_some_and(|t| t.contains("&lt;slow&gt; &amp; confusing"))
    );
    let block = &msg["blocks"][0];
    assert_eq!(block["type"], "section");
    assert_eq!(block["text"]["type"], "mrkdwn");
    assert!(
        block["text"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("*New feedback in Churn &lt;model&gt; &amp; co*\n"))
    );
    assert_eq!(block["accessory"]["type"], "button");
    assert_eq!(block["accessory"]["text"]["type"], "plain_text");
    assert_eq!(
        block["accessory"]["url"],
        "https://tp.example.org/projects/churn"
    );
    // Without an absolute address (no public URL), no button: Slack needs an absolute one.
    let msg = slack(&feedback("/projects/churn"));
    assert!(msg["blocks"][0].get("accessory").is_none());
}

#[test]
fn teams_messages_carry_one_adaptive_card() {
    let msg = teams(&feedback("https://tp.example.org/projects/churn"));
    assert_eq!(msg["type"], "message");
    let attachment = &msg["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.4");
    assert_eq!(card["body"][0]["type"], "TextBlock");
    assert_eq!(
        card["body"][0]["text"],
        "New feedback in Churn <model> & co"
    );
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(
        card["actions"][0]["url"],
        "https://tp.example.org/projects/churn"
    );
    assert!(
        teams(&feedback("/x"))["attachments"][0]["content"]
            .get("actions")
            .is_none()
    );
}

#[test]
fn the_signed_json_goes_out_unchanged() {
    let raw = feedback("/x").to_string();
    assert_eq!(body_for(WebhookFormat::Json, &raw), raw);
    let slack_body: Value =
        serde_json::from_str(&body_for(WebhookFormat::Slack, &raw)).expect("json");
    assert!(slack_body.get("blocks").is_some());
    assert_eq!(body_for(WebhookFormat::Teams, "not json"), "not json");
}

#[test]
fn formats_parse_from_forms_and_storage() {
    assert_eq!(WebhookFormat::parse(""), Ok(WebhookFormat::Json));
    assert_eq!(WebhookFormat::parse(" slack "), Ok(WebhookFormat::Slack));
    assert_eq!(
        WebhookFormat::parse("discord")
            .expect_err("unknown")
            .field_name(),
        Some("format")
    );
    assert_eq!(WebhookFormat::stored(None), WebhookFormat::Json);
    assert_eq!(WebhookFormat::stored(Some("teams")), WebhookFormat::Teams);
}
