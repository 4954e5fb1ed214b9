//! The outbox's rules, on an in-memory database.

use chrono::Duration;

use super::*;

async fn fresh(name: &str) -> Db {
    let db = crate::db::connect_isolated("mem://", name)
        .await
        .expect("connect");
    crate::db::migrate(&db).await.expect("migrate");
    db
}

fn mail(to: &str) -> NewMail {
    NewMail {
        kind: MailKind::Test,
        recipient: to.into(),
        subject: "Hello".into(),
        text: "Hello".into(),
        html: "<p>Hello</p>".into(),
        reply_to: None,
        unsubscribe: None,
    }
}

#[tokio::test]
async fn a_message_is_claimed_by_one_worker_until_its_lease_ends() {
    let repo = MailRepo::new(fresh("mail_claim").await);
    repo.enqueue(&mail("a@example.org"), "<1@example.org>")
        .await
        .expect("enqueue");
    let first = repo.claim_due(10, 60).await.expect("claim");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].message_id, "<1@example.org>");
    // Held: nobody else gets it.
    assert!(repo.claim_due(10, 60).await.expect("claim").is_empty());
    // A failed attempt due now is claimed again, with the same Message-ID.
    repo.failed(&first[0].id, "451 try later", Some(Utc::now()))
        .await
        .expect("failed");
    let again = repo.claim_due(10, 60).await.expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    assert_eq!(again[0].message_id, "<1@example.org>");
    repo.sent(&again[0].id).await.expect("sent");
    assert!(repo.claim_due(10, 60).await.expect("claim").is_empty());
    let listed = repo.latest(50).await.expect("latest");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, MailStatus::Sent);
    assert_eq!(listed[0].attempts, 2);
    assert_eq!(listed[0].last_error, None);
}

#[tokio::test]
async fn a_lease_that_ran_out_lets_another_worker_take_the_message() {
    let repo = MailRepo::new(fresh("mail_lease").await);
    repo.enqueue(&mail("a@example.org"), "<2@example.org>")
        .await
        .expect("enqueue");
    assert_eq!(repo.claim_due(10, 1).await.expect("claim").len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(repo.claim_due(10, 60).await.expect("claim").len(), 1);
}

#[tokio::test]
async fn a_message_given_up_stays_failed_with_its_error() {
    let repo = MailRepo::new(fresh("mail_failed").await);
    repo.enqueue(&mail("a@example.org"), "<3@example.org>")
        .await
        .expect("enqueue");
    let claimed = repo.claim_due(10, 60).await.expect("claim");
    repo.failed(&claimed[0].id, "550 no such user", None)
        .await
        .expect("failed");
    assert!(repo.claim_due(10, 60).await.expect("claim").is_empty());
    let listed = repo.latest(50).await.expect("latest");
    assert_eq!(listed[0].status, MailStatus::Failed);
    assert_eq!(listed[0].last_error.as_deref(), Some("550 no such user"));
    // Not due yet: a retry in the future is not claimed now.
    repo.enqueue(&mail("b@example.org"), "<4@example.org>")
        .await
        .expect("enqueue");
    let claimed = repo.claim_due(10, 60).await.expect("claim");
    repo.failed(
        &claimed[0].id,
        "451",
        Some(Utc::now() + Duration::minutes(5)),
    )
    .await
    .expect("failed");
    assert!(repo.claim_due(10, 60).await.expect("claim").is_empty());
}
