use chrono::Duration;

use super::*;
use domain::feedback::{InboxFilter, InviteState, validate_content};

use crate::testing::seeded;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
}

#[tokio::test]
async fn sprints_are_found_by_number_and_by_day() {
    let repo = FeedbackRepo::new(seeded("feedback_repo_1").await);
    let list = repo
        .sprints("alpha", day("2026-01-19"))
        .await
        .expect("sprints");
    assert_eq!(
        list.iter()
            .map(|s| (s.number, s.current))
            .collect::<Vec<_>>(),
        vec![(2, true), (1, false)]
    );
    assert_eq!(
        repo.sprint("alpha", 2)
            .await
            .expect("s")
            .expect("found")
            .info
            .goal,
        "Scores"
    );
    assert!(repo.sprint("beta", 2).await.expect("s").is_none());
    // Inclusive at both ends.
    assert_eq!(
        repo.running_sprint("alpha", day("2026-01-18"))
            .await
            .expect("r")
            .expect("one")
            .info
            .number,
        1
    );
    assert_eq!(
        repo.running_sprint("alpha", day("2026-02-01"))
            .await
            .expect("r")
            .expect("two")
            .info
            .number,
        2
    );
    assert!(
        repo.running_sprint("alpha", day("2026-02-02"))
            .await
            .expect("r")
            .is_none()
    );
    assert!(
        repo.running_sprint("alpha", day("2026-01-04"))
            .await
            .expect("r")
            .is_none()
    );
}

#[tokio::test]
async fn inbox_filters_counts_and_triage() {
    let db = seeded("feedback_repo_2").await;
    let repo = FeedbackRepo::new(db.clone());
    let s2 = repo.sprint("alpha", 2).await.expect("s").expect("two").id;
    let now = Utc::now();
    let ana = Author {
        stakeholder: Some("ana".into()),
        ..Author::default()
    };
    let kim = Author {
        name: Some("Kim".into()),
        function: Some(Function::DataOwner),
        ..Author::default()
    };
    let c1 = validate_content("5", "Great list", "praise").expect("c");
    let c2 = validate_content("", "Scores are wrong", "bug").expect("c");
    let a = repo
        .create(
            "alpha",
            Some(s2.clone()),
            &ana,
            Channel::Review,
            now - Duration::hours(2),
            &c1,
            Vec::new(),
        )
        .await
        .expect("a");
    let b = repo
        .create(
            "alpha",
            None,
            &kim,
            Channel::Team,
            now - Duration::hours(1),
            &c2,
            Vec::new(),
        )
        .await
        .expect("b");
    repo.create("beta", None, &kim, Channel::Team, now, &c2, Vec::new())
        .await
        .expect("other project");

    let all: Vec<FeedbackItem> = repo
        .inbox("alpha", &ValidFilter::default(), None, 10, &[])
        .await
        .expect("inbox")
        .into_iter()
        .map(Into::into)
        .collect();
    assert_eq!(
        all.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        vec![b.clone(), a.clone()],
        "latest first, this project only"
    );
    assert_eq!(
        all[1].function,
        Function::EndUser,
        "the stakeholder's function"
    );
    assert_eq!(all[0].function, Function::DataOwner, "the given function");
    assert_eq!(
        all[1].sprint,
        Some((2, "Two".into())),
        "a sprint the caller did not pass is read"
    );
    // The names the caller read (its snapshot) are used as they are.
    let mut sprints = crate::sprints::SprintRepo::new(db.clone())
        .list("alpha")
        .await
        .expect("sprints");
    for s in &mut sprints {
        s.name = format!("As read: {}", s.name);
    }
    let named = repo
        .inbox("alpha", &ValidFilter::default(), None, 10, &sprints)
        .await
        .expect("inbox");
    assert_eq!(
        FeedbackItem::from(named[1].clone()).sprint,
        Some((2, "As read: Two".into())),
        "the caller's sprint names"
    );

    let by = |f: InboxFilter| {
        let repo = repo.clone();
        async move {
            let v = f.validate().expect("filter");
            repo.inbox("alpha", &v, None, 10, &[])
                .await
                .expect("inbox")
                .into_iter()
                .map(|r| key_of(&r.id))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by(InboxFilter {
            sprint: Some("2".into()),
            ..Default::default()
        })
        .await,
        vec![a.clone()]
    );
    assert_eq!(
        by(InboxFilter {
            sprint: Some("none".into()),
            ..Default::default()
        })
        .await,
        vec![b.clone()]
    );
    assert_eq!(
        by(InboxFilter {
            rating: Some("5".into()),
            ..Default::default()
        })
        .await,
        vec![a.clone()]
    );
    assert_eq!(
        by(InboxFilter {
            rating: Some("none".into()),
            ..Default::default()
        })
        .await,
        vec![b.clone()]
    );
    assert_eq!(
        by(InboxFilter {
            category: Some("bug".into()),
            ..Default::default()
        })
        .await,
        vec![b.clone()]
    );
    assert_eq!(
        by(InboxFilter {
            function: Some("end_user".into()),
            ..Default::default()
        })
        .await,
        vec![a.clone()]
    );
    assert_eq!(
        by(InboxFilter {
            function: Some("data_owner".into()),
            ..Default::default()
        })
        .await,
        vec![b.clone()]
    );
    assert_eq!(
        repo.inbox("alpha", &ValidFilter::default(), None, 1, &[])
            .await
            .expect("limit")
            .len(),
        2,
        "limit + 1"
    );
    // The next page starts after the last item shown.
    let next: Vec<String> = repo
        .inbox("alpha", &ValidFilter::default(), Some(&b), 1, &[])
        .await
        .expect("page 2")
        .into_iter()
        .map(|r| key_of(&r.id))
        .collect();
    assert_eq!(next, vec![a.clone()]);
    assert!(
        repo.inbox("alpha", &ValidFilter::default(), Some(&a), 1, &[])
            .await
            .expect("page 3")
            .is_empty()
    );

    assert_eq!(repo.new_count("alpha").await.expect("count"), 2);
    assert_eq!(
        repo.new_count_for_member("u1").await.expect("count"),
        2,
        "only projects u1 belongs to"
    );
    let t = domain::feedback::validate_triage("addressed", "2", "Done in sprint 2").expect("t");
    repo.triage(&a, &t, Some(s2), Some(now), Vec::new())
        .await
        .expect("triage");
    let item: FeedbackItem = repo
        .get("alpha", &a)
        .await
        .expect("get")
        .expect("found")
        .into();
    assert_eq!(item.status, FeedbackStatus::Addressed);
    assert_eq!(item.addressed_in, Some(2));
    assert_eq!(item.response.as_deref(), Some("Done in sprint 2"));
    assert!(
        repo.get("beta", &a).await.expect("get").is_none(),
        "scoped to its project"
    );
    assert_eq!(
        repo.by_stakeholder("alpha", &rid("stakeholder", "ana"))
            .await
            .expect("own")
            .len(),
        1
    );
    assert!(
        repo.by_stakeholder("beta", &rid("stakeholder", "ana"))
            .await
            .expect("own")
            .is_empty()
    );
    assert_eq!(repo.new_count("alpha").await.expect("count"), 1);

    // A named link author joins the directory; the item now points at them.
    let s = repo
        .add_author_to_directory(&b, AppError::Conflict("no".into()))
        .await
        .expect("added");
    let item: FeedbackItem = repo
        .get("alpha", &b)
        .await
        .expect("get")
        .expect("found")
        .into();
    assert_eq!(item.stakeholder, Some((s.clone(), "Kim".into())));
    assert_eq!(item.function, Function::DataOwner);
    let again = repo
        .add_author_to_directory(&b, AppError::Conflict("no".into()))
        .await;
    assert_eq!(again.expect_err("twice").code(), "conflict");
}

#[tokio::test]
async fn invites_revoke_and_close_submission() {
    let repo = FeedbackRepo::new(seeded("feedback_repo_3").await);
    let now = Utc::now();
    let id = repo
        .create_invite(
            "alpha",
            None,
            Some("ana"),
            "h1",
            now + Duration::days(14),
            "u1",
        )
        .await
        .expect("invite");
    let inv = repo
        .invite_by_hash("h1")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(inv.project_key(), "alpha");
    assert_eq!(inv.project_name.as_deref(), Some("Alpha"));
    assert!(repo.invite_by_hash("h2").await.expect("find").is_none());
    assert!(
        repo.create_invite("beta", None, None, "h1", now, "u1")
            .await
            .is_err(),
        "hash is unique"
    );

    let content = validate_content("4", "ok", "").expect("c");
    let author = Author {
        stakeholder: Some("ana".into()),
        ..Author::default()
    };
    let f = repo
        .submit_via_invite(
            &inv,
            None,
            &author,
            &content,
            Vec::new(),
            AppError::not_found("Link"),
        )
        .await
        .expect("submit");
    let list = repo.invites("alpha", now).await.expect("list");
    assert_eq!(list[0].use_count, 1);
    assert_eq!(list[0].state, InviteState::Active);
    let item: FeedbackItem = repo
        .get("alpha", &f)
        .await
        .expect("get")
        .expect("found")
        .into();
    assert!(item.via_invite);
    assert_eq!(item.channel, Channel::Link);

    assert!(
        !repo
            .revoke_invite("beta", &id)
            .await
            .expect("other project"),
        "scoped to its project"
    );
    assert!(repo.revoke_invite("alpha", &id).await.expect("revoke"));
    let closed = repo
        .submit_via_invite(
            &inv,
            None,
            &author,
            &content,
            Vec::new(),
            AppError::not_found("Link"),
        )
        .await;
    assert_eq!(closed.expect_err("revoked").code(), "not_found");
    assert_eq!(
        repo.invites("alpha", now).await.expect("list")[0].state,
        InviteState::Revoked
    );
    assert_eq!(
        repo.invites("alpha", now).await.expect("list")[0].use_count,
        1,
        "no half-written use"
    );
}

#[tokio::test]
async fn rate_windows_count_per_key_and_window() {
    let repo = FeedbackRepo::new(seeded("feedback_repo_4").await);
    let w1 = Utc::now() - Duration::hours(1);
    let w2 = Utc::now();
    assert_eq!(repo.hit("link:a", w1).await.expect("hit"), 1);
    assert_eq!(repo.hit("link:a", w1).await.expect("hit"), 2);
    assert_eq!(
        repo.hit("addr:x", w1).await.expect("hit"),
        1,
        "keys are separate"
    );
    assert_eq!(
        repo.hit("link:a", w2).await.expect("hit"),
        1,
        "a new window starts at zero"
    );
}
