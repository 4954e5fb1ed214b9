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
        ..NewMail::default()
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

mod closing_the_loop {
    use super::*;
    use crate::feedback::{Author, FeedbackRepo};
    use crate::stakeholders::StakeholderRepo;
    use crate::testing::seeded;
    use domain::error::AppError;
    use domain::feedback::validate_content;
    use domain::mail::digest::{DigestFrequency, FeedbackAlert, MailPreferences};

    fn answer(feedback: &str, hash: &str) -> MailBinding {
        let mail = NewMail {
            kind: MailKind::FeedbackResponse,
            recipient: "ana@example.org".into(),
            subject: "The Alpha team responded".into(),
            text: "Planned".into(),
            html: "<p>Planned</p>".into(),
            unsubscribe: Some(format!("https://tp.example.org/unsubscribe/{hash}")),
            stakeholder: Some("ana".into()),
            feedback: Some(feedback.into()),
            ..NewMail::default()
        };
        mail_binding(&mail, &format!("<{hash}@example.org>"), Some(hash.into()))
    }

    async fn consented(db: &Db, hash: &str) -> String {
        let repo = FeedbackRepo::new(db.clone());
        repo.create_invite(
            "alpha",
            None,
            Some("ana"),
            hash,
            Utc::now() + Duration::days(14),
            "u1",
        )
        .await
        .expect("invite");
        let invite = repo
            .invite_by_hash(hash)
            .await
            .expect("find")
            .expect("found");
        let author = Author {
            stakeholder: Some("ana".into()),
            notify_email: Some("ana@example.org".into()),
            notify_link: Some("the-link-token".into()),
            ..Author::default()
        };
        repo.submit_via_invite(
            &invite,
            None,
            &author,
            &validate_content("4", "Please add exports", "").expect("content"),
            Vec::new(),
            AppError::not_found("Link"),
        )
        .await
        .expect("submit")
    }

    async fn pending_to(db: &Db, to: &str) -> usize {
        let mut res = db
            .query("SELECT VALUE id FROM mail_outbox WHERE recipient = $to AND status = 'pending'")
            .bind(("to", to.to_string()))
            .await
            .expect("query");
        let ids: Vec<RecordId> = res.take(0).expect("ids");
        ids.len()
    }

    #[tokio::test]
    async fn consent_is_kept_until_one_click_unsubscribe_withdraws_it() {
        let db = seeded("mail_consent").await;
        let feedback = FeedbackRepo::new(db.clone());
        let mail = MailRepo::new(db.clone());
        let f = consented(&db, "inv1").await;
        assert_eq!(
            feedback.notify_target(&f).await.expect("target"),
            Some((
                "ana@example.org".to_string(),
                Some("the-link-token".to_string())
            ))
        );
        let t = domain::feedback::validate_triage("planned", "", "Next sprint").expect("t");
        feedback
            .triage(&f, &t, None, Some(Utc::now()), vec![answer(&f, "h1")])
            .await
            .expect("triage");
        assert_eq!(pending_to(&db, "ana@example.org").await, 1);
        let target = mail
            .unsubscribe_target("h1")
            .await
            .expect("target")
            .expect("known");
        assert_eq!(target.email, "ana@example.org");
        assert!(!target.used);
        mail.unsubscribe("h1").await.expect("unsubscribe");
        assert_eq!(pending_to(&db, "ana@example.org").await, 0, "dropped");
        assert_eq!(feedback.notify_target(&f).await.expect("target"), None);
        assert!(
            mail.unsubscribe_target("h1")
                .await
                .expect("t")
                .expect("k")
                .used
        );
        mail.unsubscribe("h1")
            .await
            .expect("a second time changes nothing");
        assert_eq!(
            mail.unsubscribe("unknown")
                .await
                .expect_err("unknown")
                .code(),
            "not_found"
        );
    }

    #[tokio::test]
    async fn erasing_a_stakeholder_removes_their_address_and_waiting_messages() {
        let db = seeded("mail_erase").await;
        let feedback = FeedbackRepo::new(db.clone());
        let mail = MailRepo::new(db.clone());
        let f = consented(&db, "inv2").await;
        let t = domain::feedback::validate_triage("planned", "", "Soon").expect("t");
        feedback
            .triage(&f, &t, None, Some(Utc::now()), vec![answer(&f, "h2")])
            .await
            .expect("triage");
        let sent = mail.claim_due(10, 60).await.expect("claim");
        mail.sent(&sent[0].id).await.expect("sent");
        let t = domain::feedback::validate_triage("addressed", "", "Done").expect("t");
        feedback
            .triage(&f, &t, None, Some(Utc::now()), vec![answer(&f, "h3")])
            .await
            .expect("triage");
        assert_eq!(pending_to(&db, "ana@example.org").await, 1);
        StakeholderRepo::new(db.clone())
            .erase("ana")
            .await
            .expect("erase");
        assert_eq!(pending_to(&db, "ana@example.org").await, 0);
        let listed = mail.latest(50).await.expect("latest");
        assert_eq!(listed.len(), 1, "the sent one stays, blanked: {listed:?}");
        assert!(!listed[0].recipient.contains('@'), "{listed:?}");
        assert_eq!(feedback.notify_target(&f).await.expect("target"), None);
        assert!(mail.unsubscribe_target("h2").await.expect("t").is_none());
    }

    #[tokio::test]
    async fn a_digest_is_recorded_once_and_preferences_round_trip() {
        let db = seeded("mail_digest").await;
        let mail = MailRepo::new(db.clone());
        let before = mail.digest_user("u1").await.expect("user").expect("found");
        assert_eq!(before.preferences, MailPreferences::default());
        assert_eq!(before.since, None);
        let chosen = MailPreferences {
            feedback: FeedbackAlert::Digest,
            digest: DigestFrequency::Daily,
        };
        mail.set_preferences("u1", chosen).await.expect("save");
        let user = mail.digest_user("u1").await.expect("user").expect("found");
        assert_eq!(user.preferences, chosen);
        let since = user.since.expect("choosing a frequency starts it");
        assert_eq!(mail.digest_users().await.expect("readers").len(), 1);
        // Saving the same frequency keeps the start.
        mail.set_preferences("u1", chosen).await.expect("save");
        let again = mail.digest_user("u1").await.expect("user").expect("found");
        assert_eq!(again.since, Some(since));

        let digest = |n: &str| {
            let m = NewMail {
                kind: MailKind::Digest,
                recipient: "u1@example.org".into(),
                ..NewMail::default()
            };
            mail_binding(&m, n, None)
        };
        assert!(
            mail.record_digest("u1", Some(since), Some("{}".into()), vec![digest("<d1@x>")])
                .await
                .expect("record")
        );
        // Another instance with the same view loses, and queues nothing.
        assert!(
            !mail
                .record_digest("u1", Some(since), Some("{}".into()), vec![digest("<d2@x>")])
                .await
                .expect("record")
        );
        assert_eq!(pending_to(&db, "u1@example.org").await, 1);
        let after = mail.digest_user("u1").await.expect("user").expect("found");
        assert!(after.since > Some(since));
        assert_eq!(after.state.as_deref(), Some("{}"));
        assert_eq!(
            mail.member_projects("u1").await.expect("projects"),
            vec!["alpha".to_string()]
        );
    }
}
