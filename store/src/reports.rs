//! SurrealQL for the reports that read more than the cached project snapshots: the
//! self-described attributes behind the diversity report.

use surrealdb::types::{RecordId, SurrealValue};

use crate::db::{Db, rid};
use domain::error::AppResult;

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct AttributeRow {
    attributes: serde_json::Value,
}

/// Counts each self-described attribute value over consenting, non-erased stakeholders linked
/// to any of the projects; counts below the threshold are suppressed. Returns the counts and
/// how many stakeholders consented.
pub async fn attribute_counts(
    db: &Db,
    keys: &[String],
) -> AppResult<(Vec<domain::reports::AttributeCounts>, u32)> {
    let ids: Vec<RecordId> = keys.iter().map(|k| rid("project", k)).collect();
    let mut res = db
        .query(
            "SELECT attributes FROM stakeholder
             WHERE consented_on != NONE AND erased_at = NONE AND merged_into = NONE
               AND projects CONTAINSANY $ids",
        )
        .bind(("ids", ids))
        .await?
        .check()?;
    let rows: Vec<AttributeRow> = res.take(0)?;
    let consenting = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let mut counts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u32>> =
        std::collections::BTreeMap::new();
    for row in rows {
        if let Some(map) = row.attributes.as_object() {
            for (dimension, value) in map {
                if let Some(value) = value.as_str().map(str::trim).filter(|v| !v.is_empty()) {
                    *counts
                        .entry(dimension.clone())
                        .or_default()
                        .entry(value.to_string())
                        .or_default() += 1;
                }
            }
        }
    }
    Ok((
        counts
            .into_iter()
            .map(|(dimension, values)| domain::reports::AttributeCounts {
                dimension,
                values: values
                    .into_iter()
                    .map(|(v, c)| (v, domain::reports::suppress(c)))
                    .collect(),
            })
            .collect(),
        consenting,
    ))
}
