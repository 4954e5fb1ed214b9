use super::*;

async fn revision(db: &Db, key: &str) -> i64 {
    let mut res = db
        .query("RETURN type::record('revision', $key).n ?? 0")
        .bind(("key", key.to_string()))
        .await
        .expect("query")
        .check()
        .expect("ok");
    res.take::<Option<i64>>(0).expect("take").unwrap_or(0)
}

async fn run(db: &Db, sql: &str) {
    db.query(sql.to_string())
        .await
        .expect("query")
        .check()
        .expect("statement");
}

#[tokio::test]
async fn writes_raise_the_revision_of_their_project_only() {
    let db = crate::testing::seeded("cache_revisions").await;
    let (alpha, beta) = (revision(&db, "alpha").await, revision(&db, "beta").await);
    assert!(alpha > 0 && beta > 0, "creating records counts");
    let directory = revision(&db, "~directory").await;
    let catalog = revision(&db, "~catalog").await;

    run(&db, "CREATE feedback CONTENT { project: project:alpha, channel: 'team', submitted_at: time::now(),
                body: 'x', category: 'other', status: 'new', created_at: time::now(), updated_at: time::now() }").await;
    assert_eq!(revision(&db, "alpha").await, alpha + 1);
    assert_eq!(
        revision(&db, "beta").await,
        beta,
        "another project is untouched"
    );
    run(&db, "DELETE feedback WHERE project = project:alpha").await;
    assert_eq!(revision(&db, "alpha").await, alpha + 2, "deletes count");
    assert_eq!(
        revision(&db, "~catalog").await,
        catalog,
        "no project or member changed"
    );

    run(&db, "UPDATE stakeholder:ana SET notes = 'met at the ward'").await;
    assert_eq!(
        revision(&db, "~directory").await,
        directory,
        "notes change no report"
    );
    run(
        &db,
        "UPDATE stakeholder:ana SET `function` = 'domain_expert'",
    )
    .await;
    assert_eq!(revision(&db, "~directory").await, directory + 1);
    run(
        &db,
        "UPSERT setting:workspace CONTENT { time_zone: 'Europe/Oslo', updated_at: time::now() }",
    )
    .await;
    assert_eq!(revision(&db, "~directory").await, directory + 2);

    run(&db, "UPDATE project:beta SET name = 'Beta 2'").await;
    assert_eq!(revision(&db, "beta").await, beta + 1);
    assert_eq!(revision(&db, "~catalog").await, catalog + 1);
}

#[tokio::test]
async fn a_snapshot_is_reused_until_a_write_and_costs_one_round_trip() {
    let db = crate::testing::seeded("cache_snapshots").await;
    let cache = Cache::default();
    let first = cache
        .project(&db, "alpha")
        .await
        .expect("load")
        .expect("alpha");
    assert_eq!(first.sprints.len(), 2);
    assert_eq!(first.input.feedback.len(), 0);
    assert_eq!(cache.loads(), 1);

    let before = db.queries_sent();
    let again = cache
        .project(&db, "alpha")
        .await
        .expect("check")
        .expect("alpha");
    assert_eq!(
        db.queries_sent() - before,
        1,
        "a current snapshot costs one round trip"
    );
    assert_eq!(cache.loads(), 1);
    assert!(Arc::ptr_eq(&first, &again));

    // A write to another project leaves this one cached.
    run(&db, "UPDATE sprint:['beta', 1] SET goal = 'Other'").await;
    cache.project(&db, "alpha").await.expect("check");
    assert_eq!(cache.loads(), 1);

    // A write to this project is seen by the next request.
    run(&db, "CREATE feedback CONTENT { project: project:alpha, sprint: sprint:['alpha', 1], stakeholder: stakeholder:ana,
                channel: 'team', submitted_at: d'2026-01-10T10:00:00Z', body: 'x', category: 'other', status: 'new',
                created_at: time::now(), updated_at: time::now() }").await;
    let fresh = cache
        .project(&db, "alpha")
        .await
        .expect("reload")
        .expect("alpha");
    assert_eq!(cache.loads(), 2);
    assert_eq!(fresh.input.feedback.len(), 1);
    assert_eq!(fresh.new_feedback, 1);
    assert!(fresh.input.feedback[0].from_end_user());

    // So is a change of a stakeholder's function (the directory), and of the time zone.
    run(&db, "UPDATE stakeholder:ana SET `function` = 'product'").await;
    let fresh = cache
        .project(&db, "alpha")
        .await
        .expect("reload")
        .expect("alpha");
    assert!(!fresh.input.feedback[0].from_end_user());
    run(&db, "UPSERT setting:workspace CONTENT { time_zone: 'Pacific/Auckland', updated_at: time::now() }").await;
    let fresh = cache
        .project(&db, "alpha")
        .await
        .expect("reload")
        .expect("alpha");
    assert_eq!(fresh.time_zone, chrono_tz::Pacific::Auckland);
    assert_eq!(cache.loads(), 4);

    // A deleted project is gone at once.
    run(&db, "DELETE project:alpha").await;
    assert!(cache.project(&db, "alpha").await.expect("check").is_none());
}

#[tokio::test]
async fn reports_are_computed_once_per_date() {
    let db = crate::testing::seeded("cache_memo").await;
    let cache = Cache::default();
    let s = cache
        .project(&db, "alpha")
        .await
        .expect("load")
        .expect("alpha");
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("day");
    let a = s.report(day);
    let b = s.report(day);
    assert!(Arc::ptr_eq(&a, &b));
    let other = s.report(NaiveDate::from_ymd_opt(2026, 2, 1).expect("day"));
    assert_eq!(other.signals.as_of.to_string(), "2026-02-01");
    assert_eq!(*s.signals(day), a.signals, "report and signals agree");
}

#[tokio::test]
async fn an_import_moves_the_counters_of_what_it_wrote() {
    let db = crate::testing::seeded("cache_import").await;
    let cache = Cache::default();
    let (before, _) = cache.catalog(&db, None).await.expect("catalog");
    let catalog = revision(&db, "~catalog").await;
    let directory = revision(&db, "~directory").await;
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("day");
    let ws = crate::transfer::demo_workspace(day);
    crate::transfer::import(&db, &ws, false)
        .await
        .expect("import");
    let key = ws.projects[0].key.clone();
    let n = revision(&db, &key).await;
    assert!(n > 0, "the imported project has a counter");
    assert!(revision(&db, "~catalog").await > catalog);
    assert!(revision(&db, "~directory").await > directory);
    let (after, _) = cache.catalog(&db, None).await.expect("catalog");
    assert_eq!(
        after.projects.len(),
        before.projects.len() + ws.projects.len()
    );
    let snapshot = cache
        .project(&db, &key)
        .await
        .expect("load")
        .expect("imported");
    assert_eq!(snapshot.record.name, ws.projects[0].name);

    // `$bulk_import` lives in the import's query only: later writes count again.
    db.query("UPDATE type::record('project', $key) SET name = 'Renamed'")
        .bind(("key", key.clone()))
        .await
        .expect("query")
        .check()
        .expect("rename");
    assert_eq!(revision(&db, &key).await, n + 1);
    let snapshot = cache
        .project(&db, &key)
        .await
        .expect("load")
        .expect("imported");
    assert_eq!(snapshot.record.name, "Renamed");
}

#[tokio::test]
async fn the_least_recently_used_snapshot_goes_past_the_capacity() {
    let db = crate::testing::seeded("cache_lru").await;
    run(&db, "CREATE project:gamma CONTENT { key: 'gamma', name: 'Gamma', status: 'active', started_on: d'2026-01-05',
                target_iteration_days: 14, contact_threshold_days: 30, ml_needed: 'unknown',
                created_at: time::now(), updated_at: time::now() }").await;
    let cache = Cache::with_capacity(2);
    cache.project(&db, "alpha").await.expect("alpha");
    cache.project(&db, "beta").await.expect("beta");
    // alpha is used again, so beta is the least recently used.
    cache.project(&db, "alpha").await.expect("alpha again");
    cache.project(&db, "gamma").await.expect("gamma");
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.loads(), 3);
    cache.project(&db, "alpha").await.expect("alpha kept");
    assert_eq!(cache.loads(), 3, "alpha was kept");
    cache.project(&db, "beta").await.expect("beta again");
    assert_eq!(cache.loads(), 4, "beta was dropped and loads again");
    assert_eq!(cache.len(), 2);
}

#[tokio::test]
async fn concurrent_readers_after_a_write_share_one_load() {
    let db = crate::testing::seeded("cache_single_flight").await;
    let cache = Arc::new(Cache::default());
    cache.project(&db, "alpha").await.expect("alpha");
    assert_eq!(cache.loads(), 1);
    run(&db, "UPDATE sprint:['alpha', 1] SET goal = 'Moved'").await;
    let readers = (0..20).map(|_| {
        let (cache, db) = (Arc::clone(&cache), db.clone());
        tokio::spawn(async move { cache.project(&db, "alpha").await })
    });
    for r in futures::future::join_all(readers).await {
        let s = r.expect("task").expect("load").expect("alpha");
        assert!(s.sprints.iter().any(|sp| sp.goal == "Moved"));
    }
    assert_eq!(cache.loads(), 2, "one load for twenty readers");
}

#[tokio::test]
async fn a_persons_change_moves_only_the_projects_that_mention_them() {
    let db = crate::testing::seeded("cache_people").await;
    // Ana gave feedback on alpha; nobody mentions Bo.
    run(&db, "CREATE stakeholder:bo CONTENT { name: 'Bo', function: 'domain_expert', created_at: time::now(), updated_at: time::now() };
              CREATE feedback CONTENT { project: project:alpha, stakeholder: stakeholder:ana, channel: 'team',
                submitted_at: d'2026-01-10T10:00:00Z', body: 'x', category: 'other', status: 'new',
                created_at: time::now(), updated_at: time::now() };").await;
    let cache = Cache::default();
    let a = cache
        .project(&db, "alpha")
        .await
        .expect("load")
        .expect("alpha");
    cache.project(&db, "beta").await.expect("beta");
    let (alpha, beta) = (revision(&db, "alpha").await, revision(&db, "beta").await);
    assert!(a.input.feedback[0].from_end_user());

    run(&db, "UPDATE stakeholder:bo SET name = 'Bo B.'").await;
    assert_eq!(revision(&db, "alpha").await, alpha, "Bo is in no project");
    run(&db, "UPDATE stakeholder:ana SET name = 'Ana A.'").await;
    assert_eq!(revision(&db, "alpha").await, alpha + 1);
    assert_eq!(revision(&db, "beta").await, beta, "Ana is not in beta");
    let a = cache
        .project(&db, "alpha")
        .await
        .expect("reload")
        .expect("alpha");
    assert_eq!(a.input.feedback[0].author_display(), "Ana A.");
    let loads = cache.loads();
    cache.project(&db, "beta").await.expect("beta");
    assert_eq!(cache.loads(), loads, "beta stays cached");

    // Interview participants and review attendees count too.
    run(&db, "CREATE interview CONTENT { project: project:beta, participants: [stakeholder:bo], interviewers: [],
                scheduled_at: d'2026-01-12T10:00:00Z', time_zone: 'UTC', duration_min: 30, kind: 'discovery',
                status: 'completed', notes: '', insights: [], created_at: time::now(), updated_at: time::now() };").await;
    let beta = revision(&db, "beta").await;
    run(&db, "UPDATE stakeholder:bo SET `function` = 'end_user'").await;
    assert_eq!(revision(&db, "beta").await, beta + 1);
    let b = cache
        .project(&db, "beta")
        .await
        .expect("reload")
        .expect("beta");
    assert!(
        b.input.interviews[0]
            .participants
            .iter()
            .any(|p| p.function == domain::format::Function::EndUser)
    );
}

#[tokio::test]
async fn the_catalog_follows_projects_and_members() {
    let db = crate::testing::seeded("cache_catalog").await;
    let cache = Cache::default();
    let (c, _) = cache.catalog(&db, None).await.expect("catalog");
    assert_eq!(
        c.projects
            .iter()
            .map(|p| p.key.as_str())
            .collect::<Vec<_>>(),
        vec!["alpha", "beta"]
    );
    assert_eq!(c.member_of.get("u1"), Some(&vec!["alpha".to_string()]));
    run(&db, "CREATE membership:['beta', 'u1'] CONTENT { project: project:beta, user: user:u1, role: 'viewer', created_at: time::now() }").await;
    let (c, _) = cache.catalog(&db, None).await.expect("catalog");
    let mut mine = c.member_of.get("u1").cloned().unwrap_or_default();
    mine.sort();
    assert_eq!(mine, vec!["alpha".to_string(), "beta".to_string()]);
}

/// What a snapshot keeps beside the load (the project's people and invite links) moves the
/// project's counter when it changes: links made and removed, a linked person's name, merge and
/// erasure, every write to an invite, and the name of whoever made one.
#[tokio::test]
async fn people_and_invites_move_the_counter_of_their_project() {
    let db = crate::testing::seeded("cache_people_invites").await;
    let (alpha, beta) = (revision(&db, "alpha").await, revision(&db, "beta").await);

    run(&db, "UPDATE stakeholder:ana SET projects = [project:alpha]").await;
    assert_eq!(revision(&db, "alpha").await, alpha + 1, "a new link");
    assert_eq!(revision(&db, "beta").await, beta, "not linked");
    run(&db, "UPDATE stakeholder:ana SET notes = 'met at the ward'").await;
    assert_eq!(
        revision(&db, "alpha").await,
        alpha + 1,
        "notes show nowhere"
    );
    run(&db, "UPDATE stakeholder:ana SET name = 'Ana B'").await;
    assert_eq!(
        revision(&db, "alpha").await,
        alpha + 2,
        "a rename of someone linked, though nothing mentions them"
    );
    run(
        &db,
        "CREATE stakeholder:bo CONTENT { name: 'Bo', function: 'end_user', created_at: time::now(), updated_at: time::now() }",
    )
    .await;
    assert_eq!(revision(&db, "alpha").await, alpha + 2, "unlinked");
    run(
        &db,
        "UPDATE stakeholder:ana SET merged_into = stakeholder:bo",
    )
    .await;
    assert_eq!(revision(&db, "alpha").await, alpha + 3, "merged away");
    run(&db, "UPDATE stakeholder:ana SET erased_at = time::now()").await;
    assert_eq!(revision(&db, "alpha").await, alpha + 4, "erased");

    run(
        &db,
        "CREATE invite:i1 CONTENT { project: project:beta, stakeholder: stakeholder:bo, token_hash: 'h1',
            expires_at: time::now() + 7d, created_by: user:u1, created_at: time::now(), updated_at: time::now() }",
    )
    .await;
    assert_eq!(revision(&db, "beta").await, beta + 1, "a new invite");
    run(&db, "UPDATE stakeholder:bo SET name = 'Bo B'").await;
    assert_eq!(
        revision(&db, "beta").await,
        beta + 2,
        "the invite shows the stakeholder it names"
    );
    run(&db, "UPDATE user:u1 SET name = 'Uma B'").await;
    assert_eq!(
        revision(&db, "beta").await,
        beta + 3,
        "the invite shows who made it, who is no member of beta"
    );
    assert_eq!(revision(&db, "alpha").await, alpha + 5, "a member of alpha");
    run(&db, "UPDATE invite:i1 SET revoked = true").await;
    assert_eq!(revision(&db, "beta").await, beta + 4, "revoked");

    run(&db, "UPDATE stakeholder:bo SET projects = [project:beta]").await;
    assert_eq!(revision(&db, "beta").await, beta + 5, "linked");
    run(&db, "UPDATE stakeholder:bo SET projects = []").await;
    assert_eq!(revision(&db, "beta").await, beta + 6, "unlinked");
    assert_eq!(revision(&db, "alpha").await, alpha + 5);
}

/// The people and invite links a snapshot keeps are read once, and read again only for the
/// next snapshot.
#[tokio::test]
async fn a_snapshot_reads_its_people_once() {
    let db = crate::testing::seeded("cache_people_once").await;
    run(&db, "UPDATE stakeholder:ana SET projects = [project:alpha]").await;
    let cache = Cache::default();
    let repo = crate::stakeholders::StakeholderRepo::new(db.clone());
    let snapshot = cache
        .project(&db, "alpha")
        .await
        .expect("load")
        .expect("alpha");
    let first = snapshot
        .people(repo.choices(Some("alpha")))
        .await
        .expect("people");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].1, "Ana");
    let again = snapshot
        .people(async { Err(domain::error::AppError::internal()) })
        .await
        .expect("kept, not read again");
    assert!(Arc::ptr_eq(&first, &again));

    run(&db, "UPDATE stakeholder:ana SET name = 'Ana B'").await;
    let next = cache
        .project(&db, "alpha")
        .await
        .expect("load")
        .expect("alpha");
    assert!(
        !Arc::ptr_eq(&snapshot, &next),
        "a new snapshot after the rename"
    );
    let people = next
        .people(repo.choices(Some("alpha")))
        .await
        .expect("people");
    assert_eq!(people[0].1, "Ana B");
}
