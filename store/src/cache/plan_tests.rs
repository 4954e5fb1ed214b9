use super::*;

/// Every statement that loads a project reads by key or through an index on `project`:
/// the planner never scans a table, so no other project's rows are read.
#[tokio::test]
async fn loading_a_project_never_scans_a_table() {
    let db = crate::testing::seeded("cache_plans").await;
    // The detector itself: a filter on an unindexed field is a table scan.
    let mut res = db
        .query("SELECT * FROM feedback WHERE body = 'x' EXPLAIN")
        .await
        .expect("explain")
        .check()
        .expect("plan");
    let plan: surrealdb::types::Value = res.take(0).expect("take");
    assert!(format!("{plan:?}").contains("TableScan"), "{plan:?}");
    for statement in project_statements() {
        if !statement.starts_with("SELECT") || statement.contains("FROM ONLY") {
            continue;
        }
        let mut res = db
            .query(format!("{statement} EXPLAIN"))
            .bind(("id", crate::db::rid("project", "alpha")))
            .bind(("key", "alpha".to_string()))
            .await
            .expect("explain")
            .check()
            .expect("plan");
        let plan: surrealdb::types::Value = res.take(0).expect("take");
        let plan = format!("{plan:?}");
        assert!(
            plan.contains("IndexScan") && plan.contains("project:alpha"),
            "{statement}\nis not an index read of the one project: {plan}"
        );
        assert!(
            !plan.contains("TableScan"),
            "{statement}\nscans a table: {plan}"
        );
    }
}

/// A project report, checked against a current snapshot, is one round trip; the first
/// load is a fixed number (the snapshot, and the stakeholders it mentions).
#[tokio::test]
async fn a_report_costs_a_fixed_number_of_queries() {
    let db = crate::testing::seeded("cache_report_queries").await;
    let cache = Cache::default();
    let before = db.queries_sent();
    let s = cache
        .project(&db, "alpha")
        .await
        .expect("load")
        .expect("alpha");
    let _ = s.report(s.today());
    assert!(db.queries_sent() - before <= 3, "stamp, load, stakeholders");
    let before = db.queries_sent();
    for _ in 0..5 {
        let s = cache
            .project(&db, "alpha")
            .await
            .expect("check")
            .expect("alpha");
        let _ = s.report(s.today());
    }
    assert_eq!(db.queries_sent() - before, 5);
}
