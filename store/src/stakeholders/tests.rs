use super::*;
use domain::stakeholders::{Function, StakeholderForm};

async fn repo(name: &str) -> StakeholderRepo {
    let db = crate::db::connect_isolated("mem://", name)
        .await
        .expect("connect");
    crate::db::migrate(&db).await.expect("migrate");
    StakeholderRepo::new(db)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
}

fn valid(name: &str, email: Option<&str>) -> ValidStakeholder {
    StakeholderForm {
        name: name.into(),
        email: email.map(str::to_string),
        organization: "Northwind Clinic".into(),
        title: "Nurse".into(),
        function: "end_user".into(),
        notes: "Met at the kickoff.".into(),
        ..StakeholderForm::default()
    }
    .validate(false, today())
    .expect("valid")
}

fn with_consent(mut v: ValidStakeholder) -> ValidStakeholder {
    v.consented_on = Some(Some(today()));
    v.attributes = Some(BTreeMap::from([(
        "gender".to_string(),
        "woman".to_string(),
    )]));
    v
}

#[tokio::test]
async fn emails_are_unique_whatever_their_case() {
    let repo = repo("stakeholders_email").await;
    let a = repo
        .create(&valid("Robin", Some("robin@example.org")), &[])
        .await
        .expect("first");
    // No email at all may repeat.
    repo.create(&valid("No email 1", None), &[])
        .await
        .expect("none 1");
    repo.create(&valid("No email 2", None), &[])
        .await
        .expect("none 2");

    let mut dup = valid("Robin again", None);
    dup.email = Some(Some("ROBIN@Example.org".into()));
    let e = repo.create(&dup, &[]).await.expect_err("duplicate");
    assert_eq!(e.field_name(), Some("email"));

    let b = repo
        .create(&valid("Sam", Some("sam@example.org")), &[])
        .await
        .expect("second");
    let mut edit = valid("Sam", None);
    edit.email = Some(Some("Robin@EXAMPLE.org".into()));
    let e = repo.update(&b, &edit).await.expect_err("taken by a");
    assert_eq!(e.field_name(), Some("email"));
    assert_eq!(
        repo.get(&b)
            .await
            .expect("get")
            .expect("b")
            .email
            .as_deref(),
        Some("sam@example.org"),
        "the refused write changed nothing"
    );
    // Keeping one's own email is fine, in any case.
    let mut own = valid("Robin R.", None);
    own.email = Some(Some("ROBIN@example.org".into()));
    repo.update(&a, &own).await.expect("own email");
    let a_row = repo.get(&a).await.expect("get").expect("a");
    assert_eq!(a_row.name, "Robin R.");
    assert_eq!(a_row.email.as_deref(), Some("robin@example.org"));
}

#[tokio::test]
async fn attributes_are_kept_only_with_consent() {
    let repo = repo("stakeholders_consent").await;
    // Without a consent date the repository stores no attributes, even if given some.
    let mut v = valid("Robin", None);
    v.attributes = Some(BTreeMap::from([(
        "gender".to_string(),
        "woman".to_string(),
    )]));
    let a = repo.create(&v, &[]).await.expect("create");
    assert!(
        repo.get(&a)
            .await
            .expect("get")
            .expect("a")
            .attributes
            .is_empty()
    );

    let b = repo
        .create(&with_consent(valid("Sam", None)), &[])
        .await
        .expect("create");
    let row = repo.get(&b).await.expect("get").expect("b");
    assert_eq!(row.consented_on, Some(today()));
    assert_eq!(
        row.attributes.get("gender").map(String::as_str),
        Some("woman")
    );

    // An edit that keeps consent keeps the attributes.
    repo.update(&b, &valid("Sam S.", None)).await.expect("edit");
    let row = repo.get(&b).await.expect("get").expect("b");
    assert_eq!(row.attributes.len(), 1);

    // Clearing the date (a withdrawal, as validated) deletes them in the same write.
    let withdrawal = StakeholderForm {
        name: "Sam S.".into(),
        function: "end_user".into(),
        attributes: Some("gender: woman".into()),
        consented_on: Some(String::new()),
        ..StakeholderForm::default()
    }
    .validate(true, today())
    .expect("valid");
    assert!(withdrawal.withdraws_consent);
    repo.update(&b, &withdrawal).await.expect("withdraw");
    let row = repo.get(&b).await.expect("get").expect("b");
    assert_eq!(row.consented_on, None);
    assert!(row.attributes.is_empty());

    // Even a raw edit that clears only the date loses the attributes.
    let c = repo
        .create(&with_consent(valid("Kim", None)), &[])
        .await
        .expect("create");
    let mut clear = valid("Kim", None);
    clear.consented_on = Some(None);
    repo.update(&c, &clear).await.expect("clear");
    assert!(
        repo.get(&c)
            .await
            .expect("get")
            .expect("c")
            .attributes
            .is_empty()
    );

    let d = repo
        .create(&with_consent(valid("Lee", None)), &[])
        .await
        .expect("create");
    repo.withdraw_consent(&d).await.expect("withdraw");
    let row = repo.get(&d).await.expect("get").expect("d");
    assert!(row.attributes.is_empty() && row.consented_on.is_none());
}

#[tokio::test]
async fn erasing_keeps_function_and_links_and_reaches_merged_duplicates() {
    let repo = repo("stakeholders_erase").await;
    let mut v = with_consent(valid("Robin", Some("robin@example.org")));
    v.function = Function::DomainExpert;
    let a = repo
        .create(&v, &["alpha".into(), "beta".into()])
        .await
        .expect("create");
    let dup = repo
        .create(&valid("R. Example", None), &["gamma".into()])
        .await
        .expect("dup");
    repo.merge(&a, &dup).await.expect("merge");

    repo.erase(&a).await.expect("erase");
    let row = repo.get(&a).await.expect("get").expect("a");
    assert_eq!(row.name, ERASED_NAME);
    assert_eq!(row.email, None);
    assert_eq!(row.organization, "");
    assert_eq!(row.title, "");
    assert_eq!(row.notes, "");
    assert!(row.attributes.is_empty());
    assert_eq!(row.consented_on, None);
    assert!(row.erased_at.is_some());
    assert_eq!(row.function, "domain_expert");
    assert_eq!(row.project_keys(), vec!["alpha", "beta", "gamma"]);

    let dup_row = repo.get(&dup).await.expect("get").expect("dup");
    assert_eq!(dup_row.name, ERASED_NAME);
    assert_eq!(dup_row.organization, "");
    assert!(dup_row.erased_at.is_some());

    // Erased entries leave the directory unless asked for, and never appear as choices.
    let q = DirectoryQuery {
        limit: 50,
        ..DirectoryQuery::default()
    };
    assert!(
        repo.list(&q, &EmailScope::default())
            .await
            .expect("list")
            .is_empty()
    );
    let all = DirectoryQuery {
        include_erased: true,
        ..q
    };
    let listed = repo.list(&all, &EmailScope::default()).await.expect("list");
    assert_eq!(listed.len(), 1, "the merged duplicate stays hidden");
    assert!(repo.choices(None).await.expect("choices").is_empty());

    let first = row.erased_at;
    repo.erase(&a).await.expect("again");
    assert_eq!(
        repo.get(&a).await.expect("get").expect("a").erased_at,
        first
    );
    assert!(matches!(
        repo.erase("missing").await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(repo.erase(&dup).await, Err(AppError::NotFound(_))));
}

#[tokio::test]
async fn merging_moves_review_attendees_and_unites_projects() {
    let repo = repo("stakeholders_merge").await;
    let keep = repo
        .create(
            &with_consent(valid("Robin Example", None)),
            &["alpha".into()],
        )
        .await
        .expect("keep");
    let dup = repo
        .create(
            &valid("R. Example", Some("r.example@example.org")),
            &["beta".into()],
        )
        .await
        .expect("dup");
    let other = repo
        .create(&valid("Sam", None), &["alpha".into()])
        .await
        .expect("other");
    let older = repo
        .create(&valid("Robin E.", None), &[])
        .await
        .expect("older");
    repo.merge(&dup, &older).await.expect("older into dup");

    // Rows as the sprints and quality modules store them, inserted raw.
    let review_sql = "CREATE review:['alpha', 3] SET project = project:alpha, sprint = sprint:['alpha', 3],
            held_on = d'2026-11-20T00:00:00Z', attendee_stakeholders = [$dup, $other], outcome = 'accepted',
            created_at = time::now(), updated_at = time::now();
         CREATE review:['beta', 1] SET project = project:beta, sprint = sprint:['beta', 1],
            held_on = d'2026-11-21T00:00:00Z', attendee_stakeholders = [$dup, $keep], outcome = 'no_decision',
            created_at = time::now(), updated_at = time::now();
         CREATE dq_issue:q1 SET project = project:alpha, dataset = 'admissions', severity = 'low',
            reporter = user:someone, source_owner = $dup, opened_on = d'2026-11-01T00:00:00Z', status = 'open',
            created_at = time::now(), updated_at = time::now();";
    repo.db
        .query(review_sql)
        .bind(("dup", rid("stakeholder", &dup)))
        .bind(("keep", rid("stakeholder", &keep)))
        .bind(("other", rid("stakeholder", &other)))
        .await
        .expect("insert")
        .check()
        .expect("inserted");

    repo.merge(&keep, &dup).await.expect("merge");

    let kept = repo.get(&keep).await.expect("get").expect("keep");
    assert_eq!(kept.name, "Robin Example");
    assert_eq!(kept.project_keys(), vec!["alpha", "beta"]);
    assert_eq!(
        kept.email.as_deref(),
        Some("r.example@example.org"),
        "the email moves over"
    );
    assert_eq!(
        kept.attributes.len(),
        1,
        "the kept entry's consent and attributes stay"
    );
    let gone = repo.get(&dup).await.expect("get").expect("dup");
    assert_eq!(gone.merged_into.as_ref().map(key_of), Some(keep.clone()));
    assert_eq!(gone.email, None);
    let older_row = repo.get(&older).await.expect("get").expect("older");
    assert_eq!(
        older_row.merged_into.as_ref().map(key_of),
        Some(keep.clone()),
        "chains collapse"
    );

    let mut res = repo
        .db
        .query("SELECT VALUE attendee_stakeholders FROM review ORDER BY id")
        .await
        .expect("select")
        .check()
        .expect("ok");
    let attendees: Vec<Vec<RecordId>> = res.take(0).expect("rows");
    let keys: Vec<Vec<String>> = attendees
        .iter()
        .map(|a| a.iter().map(key_of).collect())
        .collect();
    assert_eq!(
        keys,
        vec![vec![other.clone(), keep.clone()], vec![keep.clone()]]
    );
    let mut res = repo
        .db
        .query("SELECT VALUE source_owner FROM ONLY dq_issue:q1")
        .await
        .expect("select")
        .check()
        .expect("ok");
    let owner: Option<RecordId> = res.take(0).expect("owner");
    assert_eq!(owner.as_ref().map(key_of), Some(keep.clone()));

    let reviews = repo
        .attended_reviews(&keep, true, &[])
        .await
        .expect("reviews");
    assert_eq!(reviews.len(), 2);
    assert_eq!((reviews[0].0.as_str(), reviews[0].2), ("beta", 1));
    assert_eq!(
        reviews[0].3,
        NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
    );
    let only_alpha = repo
        .attended_reviews(&keep, false, &["alpha".to_string()])
        .await
        .expect("reviews");
    assert_eq!(only_alpha.len(), 1);
    assert_eq!((only_alpha[0].0.as_str(), only_alpha[0].2), ("alpha", 3));
    assert!(
        repo.attended_reviews(&dup, true, &[])
            .await
            .expect("none")
            .is_empty()
    );

    // Merged entries leave the directory and the choices; merging them again is refused.
    let q = DirectoryQuery {
        limit: 50,
        ..DirectoryQuery::default()
    };
    let listed: Vec<String> = repo
        .list(&q, &EmailScope::default())
        .await
        .expect("list")
        .iter()
        .map(StakeholderRecord::key)
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&keep) && listed.contains(&other));
    assert!(matches!(
        repo.merge(&keep, &dup).await,
        Err(AppError::Conflict(_))
    ));
    assert!(repo.merge(&keep, &keep).await.is_err());
}

#[tokio::test]
async fn the_directory_searches_filters_and_limits() {
    let repo = repo("stakeholders_search").await;
    let mut a = valid("Robin Example", Some("robin@example.org"));
    a.organization = "Northwind Clinic".into();
    let a = repo.create(&a, &["alpha".into()]).await.expect("a");
    let mut b = valid("Sam Sample", Some("sam@contoso.example"));
    b.organization = "Contoso".into();
    b.function = Function::DataOwner;
    let b = repo.create(&b, &["beta".into()]).await.expect("b");
    let limit = 50;
    let run = |q: &str, f: Option<Function>, p: Option<&str>, emails: EmailScope| {
        let filter = DirectoryQuery {
            q: q.to_lowercase(),
            function: f,
            project: p.map(str::to_string),
            include_erased: false,
            limit,
            after: None,
        };
        let repo = repo.clone();
        async move {
            repo.list(&filter, &emails)
                .await
                .expect("list")
                .iter()
                .map(StakeholderRecord::key)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        run("", None, None, EmailScope::default()).await,
        vec![a.clone(), b.clone()]
    );
    assert_eq!(
        run("NORTHWIND", None, None, EmailScope::default()).await,
        vec![a.clone()]
    );
    assert_eq!(
        run("", Some(Function::DataOwner), None, EmailScope::default()).await,
        vec![b.clone()]
    );
    assert_eq!(
        run("", None, Some("alpha"), EmailScope::default()).await,
        vec![a.clone()]
    );
    // Emails are searched only where the caller may see them.
    assert!(
        run("contoso.example", None, None, EmailScope::default())
            .await
            .is_empty()
    );
    let all = EmailScope {
        all: true,
        projects: vec![],
    };
    assert_eq!(
        run("contoso.example", None, None, all).await,
        vec![b.clone()]
    );
    let lead_alpha = EmailScope {
        all: false,
        projects: vec!["alpha".into()],
    };
    assert!(
        run("contoso.example", None, None, lead_alpha.clone())
            .await
            .is_empty()
    );
    assert_eq!(run("robin@", None, None, lead_alpha).await, vec![a.clone()]);

    let one = DirectoryQuery {
        limit: 1,
        ..DirectoryQuery::default()
    };
    assert_eq!(
        repo.list(&one, &EmailScope::default())
            .await
            .expect("list")
            .len(),
        2,
        "limit + 1"
    );
    let choices = repo.choices(Some("beta")).await.expect("choices");
    assert_eq!(
        choices,
        vec![(
            b.clone(),
            "Sam Sample".to_string(),
            "data_owner".to_string()
        )]
    );
}

/// A project's choices as a scan of every stakeholder's `projects` finds them.
async fn scanned(repo: &StakeholderRepo, project: &str) -> Vec<ChoiceRecord> {
    let mut res = repo
        .db
        .query(
            "SELECT id, name, `function`, string::lowercase(name) AS sort_name FROM stakeholder
             WHERE merged_into = NONE AND erased_at = NONE AND projects CONTAINS $project
             ORDER BY sort_name ASC, id ASC",
        )
        .bind(("project", rid("project", project)))
        .await
        .expect("scan")
        .check()
        .expect("scanned");
    let rows: Vec<ChoiceRow> = res.take(0).expect("rows");
    rows.into_iter()
        .map(|r| (key_of(&r.id), r.name, r.function))
        .collect()
}

#[tokio::test]
async fn a_projects_people_follow_every_change_of_their_links() {
    let repo = repo("stakeholders_links").await;
    let projects = ["alpha", "beta", "gamma"];
    let same = |what: &'static str| {
        let repo = &repo;
        async move {
            let mut linked = 0;
            for p in projects {
                let got = repo.choices(Some(p)).await.expect("choices");
                assert_eq!(got, scanned(repo, p).await, "{what}: {p}");
                linked += got.len();
            }
            linked
        }
    };
    let a = repo
        .create(&valid("Ada", None), &["alpha".into(), "beta".into()])
        .await
        .expect("a");
    let b = repo
        .create(&valid("Bo", None), &["beta".into()])
        .await
        .expect("b");
    let c = repo.create(&valid("Cy", None), &[]).await.expect("c");
    assert_eq!(same("created").await, 3);
    repo.link(&c, "gamma").await.expect("link");
    repo.link(&c, "gamma").await.expect("link twice");
    assert_eq!(same("linked").await, 4);
    repo.unlink(&a, "beta").await.expect("unlink");
    assert_eq!(same("unlinked").await, 3);
    repo.merge(&b, &c).await.expect("merge");
    assert_eq!(
        same("merged").await,
        3,
        "Bo in beta and gamma, Ada in alpha"
    );
    repo.erase(&a).await.expect("erase");
    assert_eq!(same("erased").await, 2);
    repo.db
        .query("DELETE $id")
        .bind(("id", rid("stakeholder", &b)))
        .await
        .expect("delete")
        .check()
        .expect("deleted");
    assert_eq!(same("deleted").await, 0);
    let mut res = repo
        .db
        .query("RETURN count(SELECT id FROM stakeholder_link)")
        .await
        .expect("count")
        .check()
        .expect("counted");
    let links: Vec<i64> = res.take(0).expect("links");
    assert_eq!(
        links,
        vec![2],
        "the erased entry and the merged duplicate keep theirs"
    );
}
