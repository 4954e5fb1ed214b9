//! Fixtures for tests, here and in the crates above (`testing` feature): a small seeded
//! database in memory.

use crate::db::Db;

/// A migrated in-memory database `name` with two projects (`alpha` with two sprints and a
/// member `u1`, `beta` with one sprint) and one end-user stakeholder, `ana`.
pub async fn seeded(name: &str) -> Db {
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
         CREATE sprint:['alpha', 1] CONTENT { project: project:alpha, number: 1, name: 'One', goal: 'Ship the list',
            start_on: d'2026-01-05', end_on: d'2026-01-18', created_at: time::now(), updated_at: time::now() };
         CREATE sprint:['alpha', 2] CONTENT { project: project:alpha, number: 2, name: 'Two', goal: 'Scores',
            start_on: d'2026-01-19', end_on: d'2026-02-01', created_at: time::now(), updated_at: time::now() };
         CREATE sprint:['beta', 1] CONTENT { project: project:beta, number: 1, name: 'B1', goal: 'Beta goal',
            start_on: d'2026-01-05', end_on: d'2026-01-18', created_at: time::now(), updated_at: time::now() };
         CREATE stakeholder:ana CONTENT { name: 'Ana', function: 'end_user', created_at: time::now(), updated_at: time::now() };
         CREATE user:u1 CONTENT { email: 'u1@example.org', name: 'Uma', role: 'member', active: true };
         CREATE membership:['alpha', 'u1'] CONTENT { project: project:alpha, user: user:u1, role: 'member', created_at: time::now() };",
    )
    .await
    .expect("seed")
    .check()
    .expect("seed ok");
    db
}
