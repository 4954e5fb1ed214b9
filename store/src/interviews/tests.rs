use chrono::TimeZone as _;

use super::*;
use domain::interviews::{InterviewForm, to_utc};

async fn db(name: &str) -> Db {
    let db = crate::db::connect_isolated("mem://", name)
        .await
        .expect("connect");
    crate::db::migrate(&db).await.expect("migrate");
    db.query(
        "CREATE project:alpha CONTENT { key: 'alpha', name: 'Alpha', status: 'active', started_on: d'2026-01-05',
            target_iteration_days: 14, contact_threshold_days: 30, ml_needed: 'unknown',
            created_at: time::now(), updated_at: time::now() };
         CREATE project:beta CONTENT { key: 'beta', name: 'Beta', status: 'active', started_on: d'2026-01-05',
            target_iteration_days: 14, contact_threshold_days: 30, ml_needed: 'unknown',
            created_at: time::now(), updated_at: time::now() };
         CREATE stakeholder:ana CONTENT { name: 'Ana', function: 'end_user', created_at: time::now(), updated_at: time::now() };
         CREATE stakeholder:ben CONTENT { name: 'Ben', function: 'product', created_at: time::now(), updated_at: time::now() };
         CREATE stakeholder:gone CONTENT { name: '', function: 'other', erased_at: time::now(), created_at: time::now(), updated_at: time::now() };
         CREATE user:u1 CONTENT { email: 'u1@example.org', name: 'Uma', role: 'member', active: true };
         CREATE user:u2 CONTENT { email: 'u2@example.org', name: 'Old', role: 'member', active: false };",
    )
    .await
    .expect("seed")
    .check()
    .expect("seed ok");
    db
}

fn valid(participants: &[&str], local: &str, status: &str) -> ValidInterview {
    InterviewForm {
        participants: participants.iter().map(|s| s.to_string()).collect(),
        interviewers: vec!["u1".into()],
        scheduled_local: local.into(),
        time_zone: "Europe/Berlin".into(),
        status: status.into(),
        notes: "<script>x</script>\n\n**done**".into(),
        ..InterviewForm::default()
    }
    .validate(false)
    .expect("valid")
}

#[tokio::test]
async fn interviews_round_trip_with_people_insights_and_project_scope() {
    let db = db("interviews_repo_1").await;
    let repo = InterviewRepo::new(db);
    let v = valid(&["ana", "ben"], "2026-03-10T14:00", "");
    let (utc, _) = to_utc(v.local_start, &v.time_zone).expect("utc");
    let id = repo
        .create(
            "alpha",
            &crate::secrets::new_record_key(),
            &v,
            utc,
            "Europe/Berlin",
            &["u1".into()],
            Some(&NewPerson {
                name: "Cleo".into(),
                function: Function::EndUser,
            }),
            false,
            Vec::new(),
        )
        .await
        .expect("create");
    let got: Interview = repo
        .get("alpha", &id)
        .await
        .expect("get")
        .expect("found")
        .into();
    assert_eq!(got.participants.len(), 3, "two chosen plus the new person");
    assert_eq!(got.participants[0].name, "Ana");
    assert_eq!(got.participants[2].name, "Cleo");
    assert_eq!(got.participants[2].function, Function::EndUser);
    assert!(got.with_end_user());
    assert_eq!(got.interviewers[0].name, "Uma");
    assert_eq!(
        got.scheduled_at,
        Utc.with_ymd_and_hms(2026, 3, 10, 13, 0, 0)
            .single()
            .expect("t")
    );
    assert_eq!(got.local_start, "2026-03-10 14:00");
    assert!(!got.notes_html.contains("<script"), "{}", got.notes_html);
    assert!(got.notes_html.contains("<strong>done</strong>"));
    assert_eq!(
        got.notes, "<script>x</script>\n\n**done**",
        "source kept as typed"
    );

    // Scoped to its project.
    assert!(repo.get("beta", &id).await.expect("get").is_none());

    repo.add_insight(
        &id,
        &Insight {
            text: "Prints the list".into(),
            tags: vec!["workflow".into()],
        },
    )
    .await
    .expect("insight");
    repo.add_insight(
        &id,
        &Insight {
            text: "Distrusts scores".into(),
            tags: vec!["trust".into(), "workflow".into()],
        },
    )
    .await
    .expect("insight");
    let got: Interview = repo
        .get("alpha", &id)
        .await
        .expect("get")
        .expect("found")
        .into();
    assert_eq!(got.insights.len(), 2);
    assert_eq!(
        got.insights[1].tags,
        vec!["trust".to_string(), "workflow".to_string()]
    );

    repo.set_status(&id, InterviewStatus::Cancelled, 1, Vec::new())
        .await
        .expect("status");
    let all = repo.list_project("alpha").await.expect("list");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, "cancelled");
    assert!(repo.list_project("beta").await.expect("list").is_empty());

    // Upcoming lists only scheduled ones in the given projects.
    let v2 = valid(&["ben"], "2026-04-01T09:30", "");
    let (utc2, _) = to_utc(v2.local_start, "Europe/Berlin").expect("utc");
    let id2 = repo
        .create(
            "beta",
            &crate::secrets::new_record_key(),
            &v2,
            utc2,
            "Europe/Berlin",
            &["u1".into()],
            None,
            false,
            Vec::new(),
        )
        .await
        .expect("create");
    let before = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("t");
    let up = repo
        .upcoming(Some(&["alpha".into(), "beta".into()]), before, None, 10)
        .await
        .expect("up");
    assert_eq!(
        up.iter().map(|r| key_of(&r.id)).collect::<Vec<_>>(),
        vec![id2.clone()]
    );
    assert!(
        repo.upcoming(Some(&["alpha".into()]), before, None, 10)
            .await
            .expect("up")
            .is_empty()
    );
    assert_eq!(
        repo.upcoming(None, before, None, 10)
            .await
            .expect("up")
            .len(),
        1
    );
    // Pages: one per page, the second starting after the first.
    let v3 = valid(&["ben"], "2026-04-02T09:30", "");
    let (utc3, _) = to_utc(v3.local_start, "Europe/Berlin").expect("utc");
    let id3 = repo
        .create(
            "beta",
            &crate::secrets::new_record_key(),
            &v3,
            utc3,
            "Europe/Berlin",
            &["u1".into()],
            None,
            false,
            Vec::new(),
        )
        .await
        .expect("create");
    let page1 = repo.upcoming(None, before, None, 1).await.expect("page 1");
    assert_eq!(
        page1.iter().map(|r| key_of(&r.id)).collect::<Vec<_>>(),
        vec![id2.clone(), id3.clone()],
        "one more than the limit tells that more follow"
    );
    let page2 = repo
        .upcoming(None, before, Some(&id2), 1)
        .await
        .expect("page 2");
    assert_eq!(
        page2.iter().map(|r| key_of(&r.id)).collect::<Vec<_>>(),
        vec![id3.clone()]
    );
    assert!(
        repo.upcoming(None, before, Some(&id3), 1)
            .await
            .expect("page 3")
            .is_empty()
    );
    let after = Utc
        .with_ymd_and_hms(2026, 5, 1, 0, 0, 0)
        .single()
        .expect("t");
    assert!(
        repo.upcoming(None, after, None, 10)
            .await
            .expect("up")
            .is_empty()
    );
}

#[tokio::test]
async fn people_are_checked_against_the_directory_and_users() {
    let db = db("interviews_repo_2").await;
    let repo = InterviewRepo::new(db);
    let live = repo
        .live_stakeholders(&["ana".into(), "gone".into(), "nobody".into()])
        .await
        .expect("live");
    assert_eq!(live, vec!["ana".to_string()]);
    let users = repo
        .active_users(&["u1".into(), "u2".into(), "u3".into()])
        .await
        .expect("users");
    assert_eq!(users, vec!["u1".to_string()]);
    let choices = repo.stakeholder_choices().await.expect("choices");
    assert_eq!(
        choices.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        vec!["Ana", "Ben"]
    );
}

#[tokio::test]
async fn calendar_tokens_rotate_and_revoke() {
    let db = db("interviews_repo_3").await;
    let repo = InterviewRepo::new(db);
    assert!(repo.feed_since("alpha").await.expect("since").is_none());
    repo.rotate_feed("alpha", "hash-one").await.expect("rotate");
    assert_eq!(
        repo.project_for_feed("hash-one")
            .await
            .expect("find")
            .as_deref(),
        Some("alpha")
    );
    repo.rotate_feed("alpha", "hash-two").await.expect("rotate");
    assert!(
        repo.project_for_feed("hash-one")
            .await
            .expect("find")
            .is_none(),
        "old token stops working"
    );
    assert_eq!(
        repo.project_for_feed("hash-two")
            .await
            .expect("find")
            .as_deref(),
        Some("alpha")
    );
    assert!(repo.feed_since("alpha").await.expect("since").is_some());
    // The same hash cannot serve two projects.
    assert!(repo.rotate_feed("beta", "hash-two").await.is_err());
    repo.revoke_feed("alpha").await.expect("revoke");
    assert!(
        repo.project_for_feed("hash-two")
            .await
            .expect("find")
            .is_none()
    );
}
