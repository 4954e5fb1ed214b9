use super::*;
use crate::auth::{AuthRepo, NewUser};
use crate::projects::ProjectRepo;
use domain::auth::Role;
use domain::projects::{MlNeeded, ProjectStatus, ValidProject};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

async fn setup(name: &str) -> (SprintRepo, String, String) {
    let db = crate::db::connect_isolated("mem://", name)
        .await
        .expect("connect");
    crate::db::migrate(&db).await.expect("migrate");
    let auth = AuthRepo::new(db.clone());
    let mut ids = Vec::new();
    for email in ["lead@example.org", "member@example.org"] {
        let u = auth
            .create_user(NewUser {
                email,
                name: email,
                password_hash: None,
                role: Role::Member,
                must_change_password: false,
            })
            .await
            .expect("user");
        ids.push(u.key());
    }
    let project = ValidProject {
        name: "Churn model".into(),
        problem_statement: String::new(),
        end_users: String::new(),
        status: ProjectStatus::Active,
        lead: None,
        started_on: d(2026, 1, 5),
        target_iteration_days: 14,
        contact_threshold_days: 30,
        ml_needed: MlNeeded::Unknown,
        baseline_considered: String::new(),
    };
    ProjectRepo::new(db.clone())
        .create("churn", &project, &ids[0])
        .await
        .expect("project");
    let second = ids.pop().expect("member");
    let first = ids.pop().expect("lead");
    (SprintRepo::new(db), first, second)
}

async fn sprint(repo: &SprintRepo, start: NaiveDate) -> SprintRecord {
    repo.create("churn", None, "", start, start + chrono::Duration::days(13))
        .await
        .expect("create sprint")
}

#[tokio::test]
async fn numbers_are_sequential_and_never_reused_after_a_delete() {
    let (repo, _, _) = setup("sprints_numbers").await;
    assert_eq!(repo.next_number("churn").await.expect("next"), 1);
    let s1 = sprint(&repo, d(2026, 1, 5)).await;
    let s2 = sprint(&repo, d(2026, 1, 19)).await;
    assert_eq!((s1.number(), s2.number()), (1, 2));
    assert_eq!(s1.name, "Sprint 1");
    assert_eq!(s2.start_on, d(2026, 1, 19));
    assert_eq!(key_of(&s2.project), "churn");
    repo.delete("churn", 2).await.expect("delete");
    assert!(repo.get("churn", 2).await.expect("get").is_none());
    assert_eq!(repo.next_number("churn").await.expect("next"), 3);
    let s3 = repo
        .create(
            "churn",
            Some("Discovery wrap-up"),
            "Ship it",
            d(2026, 2, 2),
            d(2026, 2, 15),
        )
        .await
        .expect("create");
    assert_eq!(s3.number(), 3);
    assert_eq!(s3.name, "Discovery wrap-up");
    let numbers: Vec<u32> = repo
        .list("churn")
        .await
        .expect("list")
        .iter()
        .map(SprintRecord::number)
        .collect();
    assert_eq!(numbers, vec![3, 1]);
}

#[tokio::test]
async fn updates_keep_counts_and_dates() {
    let (repo, _, _) = setup("sprints_update").await;
    sprint(&repo, d(2026, 1, 5)).await;
    let v = ValidSprint {
        name: "Sprint one".into(),
        goal: "Baseline".into(),
        start_on: d(2026, 1, 6),
        end_on: d(2026, 1, 20),
        committed: Some(5),
        completed: Some(0),
        notes: "n".into(),
    };
    let s = repo
        .update("churn", 1, &v)
        .await
        .expect("update")
        .expect("exists");
    assert_eq!((s.committed, s.completed), (Some(5), Some(0)));
    assert_eq!((s.start_on, s.end_on), (d(2026, 1, 6), d(2026, 1, 20)));
    let dto: Sprint = s.into();
    assert_eq!(dto.length_days, 15);
    assert!(repo.update("churn", 9, &v).await.expect("update").is_none());
}

#[tokio::test]
async fn a_referenced_sprint_cannot_be_deleted() {
    let (repo, lead, _) = setup("sprints_refs").await;
    sprint(&repo, d(2026, 1, 5)).await;
    sprint(&repo, d(2026, 1, 19)).await;
    sprint(&repo, d(2026, 2, 2)).await;
    assert!(repo.references("churn", 1).await.expect("refs").is_empty());

    // A review refers to sprint 1.
    let review = ValidReview {
        held_on: d(2026, 1, 18),
        attendee_users: vec![lead.clone()],
        attendee_stakeholders: vec![],
        summary: "Demo".into(),
        decisions: String::new(),
        outcome: ReviewOutcome::Accepted,
    };
    assert!(
        repo.put_review("churn", 1, &review).await.expect("review"),
        "new review"
    );
    assert!(
        !repo.put_review("churn", 1, &review).await.expect("review"),
        "replaced"
    );
    assert_eq!(
        repo.references("churn", 1).await.expect("refs"),
        vec!["its review".to_string()]
    );
    let e = repo.delete("churn", 1).await.expect_err("referenced");
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    assert!(repo.get("churn", 1).await.expect("get").is_some());

    // A retro of sprint 2 with an action item due in sprint 3: both 2 and 3 are referenced.
    repo.put_retro(
        "churn",
        2,
        Some(d(2026, 2, 1)),
        RetroFormat::StartStopContinue,
    )
    .await
    .expect("retro");
    let action = ValidAction {
        text: "Automate export".into(),
        owner: None,
        due_sprint: 3,
    };
    repo.add_action("churn", 2, &action).await.expect("action");
    let refs2 = repo.references("churn", 2).await.expect("refs");
    assert_eq!(refs2, vec!["its retrospective".to_string()]);
    let refs3 = repo.references("churn", 3).await.expect("refs");
    assert_eq!(refs3, vec!["1 action item due in it".to_string()]);
    assert!(matches!(
        repo.delete("churn", 3).await,
        Err(AppError::Conflict(_))
    ));
    // The retro keeps its action items.
    assert!(matches!(
        repo.delete_retro("churn", 2).await,
        Err(AppError::Conflict(_))
    ));

    // Once the review is gone, sprint 1 can be deleted.
    assert!(repo.delete_review("churn", 1).await.expect("delete review"));
    assert!(!repo.delete_review("churn", 1).await.expect("again"));
    repo.delete("churn", 1).await.expect("delete");
    assert!(repo.get("churn", 1).await.expect("get").is_none());
}

#[tokio::test]
async fn each_member_has_three_votes_per_retro() {
    let (repo, lead, member) = setup("sprints_votes").await;
    sprint(&repo, d(2026, 1, 5)).await;
    repo.put_retro("churn", 1, None, RetroFormat::WentWellToImprove)
        .await
        .expect("retro");
    let a = repo
        .add_item("churn", 1, RetroColumn::WentWell, "Pairing", &lead)
        .await
        .expect("a");
    let b = repo
        .add_item("churn", 1, RetroColumn::ToImprove, "Flaky CI", &lead)
        .await
        .expect("b");
    let a_id = rid("retro_item", &a);
    let b_id = rid("retro_item", &b);
    repo.vote("churn", 1, &a_id, &lead).await.expect("1");
    repo.vote("churn", 1, &a_id, &lead).await.expect("2");
    repo.vote("churn", 1, &b_id, &lead).await.expect("3");
    let e = repo
        .vote("churn", 1, &b_id, &lead)
        .await
        .expect_err("4th vote");
    match e {
        AppError::Conflict(m) => assert!(m.contains("all 3 of your votes"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Another member still has their own three.
    repo.vote("churn", 1, &b_id, &member)
        .await
        .expect("member votes");
    assert_eq!(
        repo.my_votes("churn", 1, &lead).await.expect("mine").len(),
        3
    );
    let votes = |items: Vec<RetroItemRecord>, id: &RecordId| {
        items
            .iter()
            .find(|i| &i.id == id)
            .map(|i| i.votes)
            .unwrap_or(-1)
    };
    assert_eq!(
        votes(repo.items("churn", 1).await.expect("items"), &a_id),
        2
    );
    assert_eq!(
        votes(repo.items("churn", 1).await.expect("items"), &b_id),
        2
    );

    // Taking one back frees a vote.
    assert!(repo.unvote("churn", 1, &a_id, &lead).await.expect("unvote"));
    assert_eq!(
        votes(repo.items("churn", 1).await.expect("items"), &a_id),
        1
    );
    repo.vote("churn", 1, &b_id, &lead)
        .await
        .expect("vote again");
    assert!(repo.vote("churn", 1, &b_id, &lead).await.is_err());
    // No vote to take back on an item the member did not vote for.
    assert!(
        !repo
            .unvote("churn", 1, &a_id, &member)
            .await
            .expect("nothing")
    );

    // Deleting an item gives its votes back.
    repo.delete_item(&b_id).await.expect("delete item");
    assert_eq!(
        repo.my_votes("churn", 1, &lead).await.expect("mine").len(),
        1
    );
    assert!(
        repo.my_votes("churn", 1, &member)
            .await
            .expect("theirs")
            .is_empty()
    );
    // An item of another retro cannot be voted for through this one.
    sprint(&repo, d(2026, 1, 19)).await;
    repo.put_retro("churn", 2, None, RetroFormat::WentWellToImprove)
        .await
        .expect("retro 2");
    assert!(repo.vote("churn", 2, &a_id, &member).await.is_err());
    assert!(repo.item("churn", 2, &a).await.expect("item").is_none());
    assert!(repo.item("churn", 1, &a).await.expect("item").is_some());
}

#[tokio::test]
async fn format_changes_keep_items_in_their_columns() {
    let (repo, lead, _) = setup("sprints_format").await;
    sprint(&repo, d(2026, 1, 5)).await;
    assert!(
        repo.put_retro("churn", 1, None, RetroFormat::StartStopContinue)
            .await
            .expect("new")
    );
    repo.add_item("churn", 1, RetroColumn::Stop, "Late merges", &lead)
        .await
        .expect("item");
    let e = repo
        .put_retro("churn", 1, None, RetroFormat::FourLs)
        .await
        .expect_err("stop is not a 4Ls column");
    assert_eq!(e.field_name(), Some("format"));
    assert!(
        !repo
            .put_retro(
                "churn",
                1,
                Some(d(2026, 1, 18)),
                RetroFormat::StartStopContinue
            )
            .await
            .expect("same format")
    );
    let r = repo.retro("churn", 1).await.expect("get").expect("retro");
    assert_eq!(
        (r.held_on, r.format()),
        (Some(d(2026, 1, 18)), RetroFormat::StartStopContinue)
    );
    // Deleting the retro removes its board.
    repo.delete_retro("churn", 1).await.expect("delete");
    assert!(repo.retro("churn", 1).await.expect("get").is_none());
    assert!(repo.items("churn", 1).await.expect("items").is_empty());
}

#[tokio::test]
async fn health_scores_are_anonymous_and_once_per_member() {
    let (repo, lead, member) = setup("sprints_health").await;
    sprint(&repo, d(2026, 1, 5)).await;
    repo.put_retro("churn", 1, None, RetroFormat::FourLs)
        .await
        .expect("retro");
    repo.add_question("churn", 1, "Do we ship value?")
        .await
        .expect("q0");
    repo.add_question("churn", 1, "Is the pace sustainable?")
        .await
        .expect("q1");
    repo.answer("churn", 1, 1, &lead, 4)
        .await
        .expect("lead answers");
    repo.answer("churn", 1, 1, &member, 2)
        .await
        .expect("member answers");
    repo.answer("churn", 1, 0, &member, 5)
        .await
        .expect("member answers q0");
    let e = repo
        .answer("churn", 1, 1, &lead, 1)
        .await
        .expect_err("twice");
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    assert!(
        repo.answer("churn", 1, 7, &lead, 1).await.is_err(),
        "no such question"
    );
    let r = repo.retro("churn", 1).await.expect("get").expect("retro");
    assert_eq!(r.health.len(), 2);
    assert_eq!(r.health[0].question, "Do we ship value?");
    assert_eq!(r.health[0].scores, vec![5]);
    // Sorted, so the order says nothing about who answered first.
    assert_eq!(r.health[1].scores, vec![2, 4]);
    assert_eq!(
        repo.my_answers("churn", 1, &lead).await.expect("mine"),
        vec![1]
    );
}

#[tokio::test]
async fn earlier_open_action_items_reach_the_next_retro() {
    let (repo, lead, _) = setup("sprints_actions").await;
    for start in [d(2026, 1, 5), d(2026, 1, 19), d(2026, 2, 2)] {
        sprint(&repo, start).await;
    }
    repo.put_retro("churn", 1, None, RetroFormat::StartStopContinue)
        .await
        .expect("retro 1");
    repo.put_retro("churn", 2, None, RetroFormat::StartStopContinue)
        .await
        .expect("retro 2");
    let a = repo
        .add_action(
            "churn",
            1,
            &ValidAction {
                text: "Write a runbook".into(),
                owner: Some(lead.clone()),
                due_sprint: 2,
            },
        )
        .await
        .expect("a");
    let b = repo
        .add_action(
            "churn",
            1,
            &ValidAction {
                text: "Book user interviews".into(),
                owner: None,
                due_sprint: 2,
            },
        )
        .await
        .expect("b");
    let c = repo
        .add_action(
            "churn",
            2,
            &ValidAction {
                text: "Fix flaky test".into(),
                owner: None,
                due_sprint: 3,
            },
        )
        .await
        .expect("c");
    let texts = |rows: Vec<ActionRecord>| rows.into_iter().map(|r| r.text).collect::<Vec<_>>();
    // Sprint 2's retro sees sprint 1's open items, not its own.
    assert_eq!(
        texts(repo.open_actions_before("churn", 2).await.expect("open")),
        vec![
            "Write a runbook".to_string(),
            "Book user interviews".to_string()
        ]
    );
    assert!(
        repo.open_actions_before("churn", 1)
            .await
            .expect("open")
            .is_empty()
    );
    // Closing one removes it; sprint 3's retro sees the rest, carried or not.
    let a_id = rid("action_item", &a);
    repo.set_action_status(&a_id, ActionStatus::Done, Some(d(2026, 2, 1)))
        .await
        .expect("done");
    repo.set_action_due(&rid("action_item", &b), 3)
        .await
        .expect("carry");
    assert_eq!(
        texts(repo.open_actions_before("churn", 3).await.expect("open")),
        vec![
            "Book user interviews".to_string(),
            "Fix flaky test".to_string()
        ]
    );
    let done = repo.action("churn", &a).await.expect("get").expect("a");
    assert_eq!(
        (done.status.as_str(), done.closed_on),
        ("done", Some(d(2026, 2, 1)))
    );
    assert_eq!(done.owner_name.as_deref(), Some("lead@example.org"));
    // Reopening clears closed_on.
    repo.set_action_status(&a_id, ActionStatus::Open, None)
        .await
        .expect("reopen");
    let open = repo.action("churn", &a).await.expect("get").expect("a");
    assert_eq!((open.status.as_str(), open.closed_on), ("open", None));
    assert_eq!(
        repo.actions("churn", Some(ActionStatus::Open))
            .await
            .expect("list")
            .len(),
        3
    );
    assert_eq!(
        repo.actions_of_retro("churn", 2).await.expect("list").len(),
        1
    );
    // Another project's key does not reach the item.
    assert!(repo.action("other", &c).await.expect("get").is_none());
}

#[tokio::test]
async fn attendee_choices_skip_erased_and_merged_stakeholders() {
    let (repo, _, _) = setup("sprints_stakeholders").await;
    repo.db
        .query(
            "CREATE stakeholder:b CONTENT { name: 'Blake', function: 'end_user', created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:a CONTENT { name: 'Ash', function: 'data_owner', created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:e CONTENT { name: '', function: 'product', erased_at: time::now(), created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:m CONTENT { name: 'Blake B.', function: 'end_user', merged_into: stakeholder:b, created_at: time::now(), updated_at: time::now() };",
        )
        .await
        .expect("insert")
        .check()
        .expect("inserted");
    let choices = repo.stakeholder_choices().await.expect("choices");
    let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["Ash", "Blake"]);
    assert_eq!(choices[1].function, Function::EndUser);
    // Erased attendees stay on a review, shown by function.
    let found = repo
        .stakeholders_by_ids(&[
            rid("stakeholder", "e"),
            rid("stakeholder", "b"),
            rid("stakeholder", "nobody"),
        ])
        .await
        .expect("by ids");
    assert_eq!(found.len(), 2);
    let erased = found.iter().find(|c| c.id == "e").expect("erased");
    assert_eq!(erased.display_name(), "Erased stakeholder (Product)");
}
