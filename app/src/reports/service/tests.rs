//! The portfolio's stored lines and pages, against a seeded database.

use super::*;
use crate::auth::Role;

async fn state(name: &str) -> AppState {
    instance(store::testing::seeded(name).await)
}

/// An app instance on `db` (a new one has an empty cache and has checked no line).
fn instance(db: crate::db::Db) -> AppState {
    AppState::new(
        db,
        crate::state::Settings::default(),
        leptos::config::LeptosOptions::builder()
            .output_name("touchpoint")
            .build(),
    )
}

fn user(id: &str, role: Role) -> CurrentUser {
    CurrentUser {
        id: id.into(),
        email: format!("{id}@example.org"),
        name: id.into(),
        role,
        must_change_password: false,
        has_password: true,
    }
}

async fn lines(state: &AppState) -> Vec<String> {
    let mut r = state
        .db
        .query("SELECT VALUE key FROM project_summary ORDER BY key")
        .await
        .expect("q");
    r.take(0).expect("keys")
}

async fn dirty(state: &AppState) -> Vec<String> {
    super::super::summary::dirty(&state.db)
        .await
        .expect("dirty")
}

fn keys(p: &Portfolio) -> Vec<&str> {
    p.rows.iter().map(|r| r.key.as_str()).collect()
}

#[tokio::test]
async fn a_page_by_name_computes_only_its_own_lines_and_follows_renamed_projects() {
    let state = state("summary_name_pages").await;
    let admin = user("admin", Role::Admin);
    let one = |after: Option<String>| PortfolioQuery {
        limit: 1,
        after,
        ..PortfolioQuery::default()
    };
    let write = |sql: &'static str| {
        let db = state.db.clone();
        async move {
            db.query(sql).await.expect("q").check().expect("written");
        }
    };
    let first = portfolio_page(&state, &admin, None, &one(None))
        .await
        .expect("page 1");
    assert_eq!(keys(&first), ["alpha"]);

    // A write to a project on another page waits for that page (or the background).
    write("UPDATE project:beta SET ml_needed = 'no', baseline_considered = 'Rules'").await;
    let again = portfolio_page(&state, &admin, None, &one(None))
        .await
        .expect("page 1 again");
    assert_eq!(keys(&again), ["alpha"]);
    assert_eq!(dirty(&state).await, ["beta"], "not computed for page 1");
    let second = portfolio_page(&state, &admin, None, &one(first.next.clone()))
        .await
        .expect("page 2");
    assert_eq!(keys(&second), ["beta"]);
    assert_eq!(
        second.rows[0].signals.scorecard.m5_beyond_ml.level,
        crate::signals::Level::Green,
        "page 2 shows the write"
    );
    assert!(dirty(&state).await.is_empty());

    // A renamed project moves to the page its new name belongs on.
    write("UPDATE project:beta SET name = 'Aardvark'").await;
    let moved = portfolio_page(&state, &admin, None, &one(None))
        .await
        .expect("page 1 after the rename");
    assert_eq!(keys(&moved), ["beta"]);
    assert_eq!(moved.rows[0].name, "Aardvark");
    let next = portfolio_page(&state, &admin, None, &one(moved.next.clone()))
        .await
        .expect("page 2 after the rename");
    assert_eq!(keys(&next), ["alpha"]);
    assert_eq!(next.next, None);
}

#[tokio::test]
async fn the_portfolio_is_paged_from_stored_lines_that_follow_every_write() {
    let state = state("summary_pages").await;
    let admin = user("admin", Role::Admin);
    let q = |after: Option<String>, before: Option<String>| PortfolioQuery {
        limit: 1,
        after,
        before,
        ..PortfolioQuery::default()
    };
    let first = portfolio_page(&state, &admin, None, &q(None, None))
        .await
        .expect("page 1");
    assert_eq!(keys(&first), ["alpha"]);
    assert_eq!(first.prev, None);
    let second = portfolio_page(&state, &admin, None, &q(first.next.clone(), None))
        .await
        .expect("page 2");
    assert_eq!(keys(&second), ["beta"]);
    assert_eq!(second.next, None, "the last page");
    let back = portfolio_page(&state, &admin, None, &q(None, second.prev.clone()))
        .await
        .expect("back");
    assert_eq!(keys(&back), ["alpha"]);
    assert_eq!(
        lines(&state).await,
        ["alpha", "beta"],
        "one stored line each"
    );
    assert!(
        dirty(&state).await.is_empty(),
        "computed lines clear the flags"
    );

    // A write marks the project; the next portfolio shows it and stores the new line.
    let all = PortfolioQuery {
        limit: 50,
        ..PortfolioQuery::default()
    };
    let before = portfolio_page(&state, &admin, None, &all).await.expect("p");
    assert_ne!(
        before.rows[0].signals.scorecard.m5_beyond_ml.level,
        crate::signals::Level::Green
    );
    state
        .db
        .query("UPDATE project:alpha SET ml_needed = 'no', baseline_considered = 'A spreadsheet'")
        .await
        .expect("q")
        .check()
        .expect("framed");
    assert_eq!(dirty(&state).await, ["alpha"]);
    let after = portfolio_page(&state, &admin, None, &all).await.expect("p");
    assert_eq!(
        after.rows[0].signals.scorecard.m5_beyond_ml.level,
        crate::signals::Level::Green
    );
    assert!(dirty(&state).await.is_empty());

    // Filters and sorts are the stored ones; a member sees their projects only.
    let at_risk = PortfolioQuery {
        at_risk: true,
        ..all.clone()
    };
    let risky = portfolio_page(&state, &admin, None, &at_risk)
        .await
        .expect("p");
    assert!(risky.rows.iter().all(|r| r.signals.scorecard.at_risk));
    let member = user("u1", Role::Member);
    let mine = portfolio_page(&state, &member, None, &all)
        .await
        .expect("p");
    assert_eq!(keys(&mine), ["alpha"]);

    // Another day is computed from the projects, paged the same way.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("day");
    let past = portfolio_page(&state, &admin, Some(day), &q(None, None))
        .await
        .expect("past");
    assert_eq!(keys(&past), ["alpha"]);
    assert_eq!(past.as_of, day);
    assert!(past.next.is_some());

    // A deleted project leaves the portfolio and its line goes.
    state
        .db
        .query("DELETE project:beta")
        .await
        .expect("q")
        .check()
        .expect("deleted");
    let left = portfolio_page(&state, &admin, None, &all).await.expect("p");
    assert_eq!(keys(&left), ["alpha"]);
    assert_eq!(lines(&state).await, ["alpha"]);
}

#[tokio::test]
async fn the_project_list_reads_stored_lines_that_follow_every_write() {
    let state = state("summary_listings").await;
    let keys = vec!["beta".to_string(), "alpha".to_string()];
    let first = project_listings(&state, &keys).await.expect("list");
    assert_eq!(
        first.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
        ["beta", "alpha"],
        "in the order asked"
    );
    // Each line is the one the project itself gives.
    for (listed, key) in first.iter().zip(&keys) {
        let s = state
            .cache
            .project(&state.db, key)
            .await
            .expect("load")
            .expect("project");
        assert_eq!(*listed, super::super::summary::listing(&s));
    }

    // Once stored, a list loads no project.
    let fresh = instance(state.db.clone());
    let again = project_listings(&fresh, &keys).await.expect("list");
    assert_eq!(again, first);
    assert_eq!(fresh.cache.loads(), 0, "no project was loaded");

    // A write shows in the next list.
    state
        .db
        .query("UPDATE project:alpha SET name = 'Alpha renamed'")
        .await
        .expect("q")
        .check()
        .expect("renamed");
    let after = project_listings(&fresh, &keys).await.expect("list");
    assert_eq!(after[1].name, "Alpha renamed");
    assert_eq!(after[0], first[0]);
    // A line without its list part (stored by an older version) is computed again.
    state
        .db
        .query("UPDATE project_summary:beta SET listing = NONE")
        .await
        .expect("q")
        .check()
        .expect("old");
    let newer = instance(state.db.clone());
    let listed = project_listings(&newer, &keys).await.expect("list");
    assert_eq!(listed[0], first[0]);
    let mut r = newer
        .db
        .query("SELECT VALUE listing != NONE FROM ONLY project_summary:beta")
        .await
        .expect("q");
    let stored: Option<bool> = r.take(0).expect("listing");
    assert_eq!(stored, Some(true), "stored again");
}

#[tokio::test]
async fn a_new_day_or_a_missing_line_is_computed_once_per_instance() {
    let state = state("summary_days").await;
    let admin = user("admin", Role::Admin);
    let all = PortfolioQuery {
        limit: 50,
        ..PortfolioQuery::default()
    };
    portfolio_page(&state, &admin, None, &all).await.expect("p");
    // Lines of another day (as after midnight), and a line lost: computed again.
    state
        .db
        .query("UPDATE project_summary SET day = '2000-01-01|UTC'; DELETE project_summary:beta;")
        .await
        .expect("q")
        .check()
        .expect("aged");
    let fresh = instance(state.db.clone());
    let p = portfolio_page(&fresh, &admin, None, &all).await.expect("p");
    assert_eq!(keys(&p), ["alpha", "beta"]);
    let mut r = fresh
        .db
        .query("SELECT VALUE day FROM project_summary")
        .await
        .expect("q");
    let days: Vec<String> = r.take(0).expect("days");
    assert_eq!(days.len(), 2);
    assert!(days.iter().all(|d| d != "2000-01-01|UTC"), "{days:?}");
    // The CSV has every project, from the same lines.
    let (_, parts) = portfolio_csv_parts(&fresh, &admin, None)
        .await
        .expect("csv");
    use futures::StreamExt as _;
    let text: Vec<String> = parts.map(|p| p.expect("part")).collect().await;
    let text = text.concat();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.starts_with("key,name,status,as_of"));
}

#[tokio::test]
async fn a_page_by_name_reuses_the_lines_it_read_until_their_projects_are_written() {
    let state = state("summary_line_cache").await;
    let admin = user("admin", Role::Admin);
    let all = PortfolioQuery {
        limit: 50,
        ..PortfolioQuery::default()
    };
    let first = portfolio_page(&state, &admin, None, &all)
        .await
        .expect("page");
    assert_eq!(keys(&first), ["alpha", "beta"]);
    let name = first.rows[0].name.clone();

    // The stored line changes behind the counter's back (no write to the project): an
    // instance that read it before answers from what it read; a new instance reads the store.
    state
        .db
        .query(
            "UPDATE project_summary:alpha
             SET row = string::replace(row, $from, '\"name\":\"Changed behind\"')",
        )
        .bind(("from", format!("\"name\":{}", serde_json::json!(name))))
        .await
        .expect("q")
        .check()
        .expect("changed");
    let again = portfolio_page(&state, &admin, None, &all)
        .await
        .expect("again");
    assert_eq!(again.rows[0].name, name, "taken from the lines read before");
    let other = instance(state.db.clone());
    let fresh = portfolio_page(&other, &admin, None, &all)
        .await
        .expect("other instance");
    assert_eq!(fresh.rows[0].name, "Changed behind", "read from the store");

    // A write moves the counter: the line is computed again and read, on both instances.
    state
        .db
        .query("UPDATE project:alpha SET ml_needed = 'no', baseline_considered = 'Rules'")
        .await
        .expect("q")
        .check()
        .expect("written");
    for s in [&state, &other] {
        let after = portfolio_page(s, &admin, None, &all).await.expect("after");
        assert_eq!(after.rows[0].name, name);
        assert_eq!(
            after.rows[0].signals.scorecard.m5_beyond_ml.level,
            crate::signals::Level::Green,
            "the write shows"
        );
    }
    assert!(dirty(&state).await.is_empty());
}
