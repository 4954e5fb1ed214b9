//! The stored lines' sort keys, pages and filters, against hand-made rows and a database.

use super::*;
use domain::reports::PortfolioSort;
use domain::signals::ProjectInput;

fn page_rank(level: Level) -> u8 {
    match level {
        Level::Red => 0,
        Level::Amber => 1,
        Level::InsufficientData => 2,
        Level::Green => 3,
    }
}

/// How the portfolio sorted and filtered its rows in memory before the lines were stored:
/// the order the stored keys must give.
fn arrange(
    mut rows: Vec<PortfolioRow>,
    sort: &str,
    lacking: bool,
    at_risk: bool,
) -> Vec<PortfolioRow> {
    rows.retain(|r| {
        (!lacking || r.signals.end_user_contact.lacking)
            && (!at_risk || r.signals.scorecard.at_risk)
    });
    let level = |r: &PortfolioRow, i: usize| page_rank(r.signals.scorecard.entries()[i].1.level);
    match sort {
        "m1" | "m2" | "m3" | "m4" | "m5" => {
            let i = usize::from(sort.as_bytes()[1] - b'1');
            rows.sort_by(|a, b| {
                level(a, i)
                    .cmp(&level(b, i))
                    .then_with(|| a.name.cmp(&b.name))
            });
        }
        "risk" => rows.sort_by(|a, b| {
            b.signals
                .scorecard
                .at_risk
                .cmp(&a.signals.scorecard.at_risk)
                .then_with(|| {
                    let reds = |r: &PortfolioRow| {
                        r.signals
                            .scorecard
                            .entries()
                            .iter()
                            .filter(|(_, s)| s.level == Level::Red)
                            .count()
                    };
                    reds(b).cmp(&reds(a)).then_with(|| a.name.cmp(&b.name))
                })
        }),
        "contact" => rows.sort_by(|a, b| {
            a.signals
                .end_user_contact
                .last_contact_on
                .cmp(&b.signals.end_user_contact.last_contact_on)
                .then_with(|| a.name.cmp(&b.name))
        }),
        _ => rows.sort_by_key(|r| r.name.to_lowercase()),
    }
    rows
}

fn row(key: &str, name: &str, started: &str, as_of: &str) -> PortfolioRow {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
    let mut input = ProjectInput::new(key.to_string(), name.to_string(), day(started));
    input.readiness_total = 8;
    input.readiness_done = (key.len() % 9) as u32;
    input.ml_needed = if key.len().is_multiple_of(2) {
        domain::format::MlNeeded::Yes
    } else {
        domain::format::MlNeeded::Unknown
    };
    input.baseline_considered = if name.len().is_multiple_of(3) {
        "rules".into()
    } else {
        String::new()
    };
    PortfolioRow {
        key: key.into(),
        name: name.into(),
        status: input.status,
        signals: domain::signals::compute(&input, day(as_of)),
    }
}

#[test]
fn the_stored_keys_sort_as_the_portfolio_always_has() {
    let rows: Vec<PortfolioRow> = [
        ("alpha", "alpha", "2026-02-20"),
        ("beta", "Beta", "2025-01-05"),
        ("gamma", "gamma ray", "2026-01-05"),
        ("delta", "Delta", "2026-03-01"),
        ("eps", "Epsilon", "2025-06-01"),
        ("zeta", "zeta", "2026-02-28"),
        ("eta", "Éta", "2024-01-01"),
        ("theta", "Theta", "2026-01-20"),
    ]
    .iter()
    .map(|(k, n, s)| row(k, n, s, "2026-03-01"))
    .collect();
    for sort in PortfolioSort::ALL {
        for (lacking, at_risk) in [(false, false), (true, false), (false, true)] {
            let expected: Vec<String> = arrange(rows.clone(), sort.as_str(), lacking, at_risk)
                .into_iter()
                .map(|r| r.key)
                .collect();
            let index = PortfolioSort::ALL
                .iter()
                .position(|s| *s == sort)
                .expect("a sort");
            let mut stored: Vec<(String, &PortfolioRow)> = rows
                .iter()
                .filter(|r| {
                    (!lacking || r.signals.end_user_contact.lacking)
                        && (!at_risk || r.signals.scorecard.at_risk)
                })
                .map(|r| (sort_keys(r)[index].clone(), r))
                .collect();
            stored.sort_by(|a, b| a.0.cmp(&b.0));
            let got: Vec<String> = stored.into_iter().map(|(_, r)| r.key.clone()).collect();
            assert_eq!(
                got, expected,
                "{sort:?} lacking={lacking} at_risk={at_risk}"
            );
        }
    }
}

#[test]
fn sort_keys_end_with_the_key_and_are_unique() {
    let a = row("a1", "Same", "2026-01-05", "2026-03-01");
    let b = row("b2", "Same", "2026-01-05", "2026-03-01");
    for (x, y) in sort_keys(&a).iter().zip(sort_keys(&b).iter()) {
        assert_ne!(x, y);
        assert!(x.ends_with("a1") && y.ends_with("b2"));
    }
    assert_eq!(PortfolioSort::parse("m3"), PortfolioSort::Signal(3));
    for s in PortfolioSort::ALL {
        assert_eq!(PortfolioSort::parse(s.as_str()), s);
    }
    assert_eq!(PortfolioSort::parse("anything"), PortfolioSort::Name);
}

/// Every operator of an `EXPLAIN FULL` plan, as (operator, index, rows it put out).
fn operators(node: &serde_json::Value, out: &mut Vec<(String, String, i64)>) {
    out.push((
        node["operator"].as_str().unwrap_or_default().to_string(),
        node["attributes"]["index"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        node["metrics"]["output_rows"].as_i64().unwrap_or(-1),
    ));
    for child in node["children"].as_array().into_iter().flatten() {
        operators(child, out);
    }
}

#[tokio::test]
async fn a_page_reads_one_index_range_and_stops_at_its_limit() {
    let db = crate::db::connect_isolated("mem://", "summary_page_plan")
        .await
        .expect("connect");
    crate::db::migrate(&db).await.expect("migrate");
    let sort_key = |sort: &str, i: i64| format!("{sort}-{:04}-p{i:03}", (i * 37) % 301);
    for i in 0..300_i64 {
        let mut line = serde_json::json!({
            "key": format!("p{i:03}"), "status": "active", "archived": i % 7 == 0,
            "revision": 1, "day": if i % 11 == 0 { "old" } else { "today" },
            "lacking": i % 3 == 0, "at_risk": i % 5 == 0, "row": "{}",
        });
        for sort in PortfolioSort::ALL {
            line[sort.column()] = sort_key(sort.column(), i).into();
        }
        db.query("CREATE type::record('project_summary', $line.key) CONTENT $line")
            .bind(("line", line))
            .await
            .expect("create")
            .check()
            .expect("created");
    }
    let limit = 10_usize;
    for sort in PortfolioSort::ALL {
        let column = sort.column();
        for (lacking, at_risk) in [(false, false), (true, false), (false, true)] {
            let middle = sort_key(column, 150);
            for (after, before) in [
                (None, None),
                (Some(middle.clone()), None),
                (None, Some(middle.clone())),
            ] {
                let q = PortfolioQuery {
                    sort,
                    lacking,
                    at_risk,
                    after: after.clone(),
                    before: before.clone(),
                    limit,
                };
                let what = format!(
                    "{sort:?} lacking={lacking} at_risk={at_risk} after={after:?} before={before:?}"
                );
                let statement = page_statement(&q, false);
                let cursor = after.clone().or(before.clone()).unwrap_or_default();
                let run = |sql: String| {
                    db.query(sql)
                        .bind(("day", "today"))
                        .bind(("cursor", cursor.clone()))
                        .bind(("limit", (limit + 1) as i64))
                };
                let mut res = run(statement.replace(";", " EXPLAIN FULL;"))
                    .await
                    .expect("explain");
                let plan: surrealdb::types::Value = res.take(0).expect("plan");
                let mut ops = Vec::new();
                operators(&plan.into_json_value(), &mut ops);
                let filter = if lacking {
                    "lacking"
                } else if at_risk {
                    "at_risk"
                } else {
                    "page"
                };
                let index = format!(
                    "project_summary_{filter}_{}",
                    column.trim_start_matches("sort_")
                );
                assert!(
                    ops.iter()
                        .any(|(op, ix, _)| op == "IndexScan" && *ix == index),
                    "{what}: not a scan of {index}: {ops:?}"
                );
                assert!(
                    ops.iter().all(|(_, _, rows)| *rows <= (limit + 1) as i64),
                    "{what}: an operator read more than the page: {ops:?}"
                );
                // And the rows are the page: the lines of today, not archived, filtered,
                // after (or before) the cursor, in order.
                let mut expected: Vec<String> = (0..300_i64)
                    .filter(|i| i % 11 != 0 && i % 7 != 0)
                    .filter(|i| (!lacking || i % 3 == 0) && (!at_risk || i % 5 == 0))
                    .map(|i| sort_key(column, i))
                    .filter(|k| {
                        after.as_ref().is_none_or(|a| k > a)
                            && before.as_ref().is_none_or(|b| k < b)
                    })
                    .collect();
                expected.sort();
                if before.is_some() {
                    expected.reverse();
                }
                expected.truncate(limit + 1);
                let mut res = run(statement.clone()).await.expect("page");
                let got: Vec<PageRow> = res.take(0).expect("rows");
                let got: Vec<String> = got.into_iter().map(|r| r.sort).collect();
                assert_eq!(got, expected, "{what}");
            }
        }
    }
}
