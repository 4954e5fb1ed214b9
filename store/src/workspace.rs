//! SurrealQL for workspace settings (one record, `setting:workspace`).

use crate::db::Db;
use surrealdb::types::SurrealValue;

use domain::error::AppResult;
use domain::workspace::WorkspaceSettings;

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Row {
    time_zone: String,
}

/// Reads and writes workspace settings.
#[derive(Clone)]
pub struct WorkspaceRepo {
    db: Db,
}

impl WorkspaceRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The settings, or the defaults when none were saved.
    pub async fn get(&self) -> AppResult<WorkspaceSettings> {
        let mut res = self
            .db
            .query("SELECT time_zone FROM ONLY setting:workspace")
            .await?
            .check()?;
        let row: Option<Row> = res.take(0)?;
        Ok(
            row.map_or_else(WorkspaceSettings::default, |r| WorkspaceSettings {
                time_zone: r.time_zone,
            }),
        )
    }

    /// Saves the settings.
    pub async fn set(&self, s: &WorkspaceSettings) -> AppResult<()> {
        self.db
            .query("UPSERT setting:workspace CONTENT { time_zone: $tz, updated_at: time::now() }")
            .bind(("tz", s.time_zone.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// The workspace time zone (UTC when unset or unreadable).
    pub async fn time_zone(&self) -> AppResult<chrono_tz::Tz> {
        Ok(self
            .get()
            .await?
            .time_zone
            .parse()
            .unwrap_or(chrono_tz::UTC))
    }
}

/// Today in the workspace time zone.
pub async fn today(db: &Db) -> AppResult<chrono::NaiveDate> {
    let tz = WorkspaceRepo::new(db.clone()).time_zone().await?;
    Ok(chrono::Utc::now().with_timezone(&tz).date_naive())
}
