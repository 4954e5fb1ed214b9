//! Action items: decided at a retro, carried from sprint to sprint until done.

use super::*;

impl SprintRepo {
    /// The action items decided at a retro, oldest first.
    pub async fn actions_of_retro(&self, key: &str, number: u32) -> AppResult<Vec<ActionRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {ACTION_FIELDS} FROM action_item WHERE retro = $retro ORDER BY created_at ASC"
            ))
            .bind(("retro", retro_id(key, number)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Still-open action items from retros of sprints numbered below `number`, oldest first.
    pub async fn open_actions_before(
        &self,
        key: &str,
        number: u32,
    ) -> AppResult<Vec<ActionRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {ACTION_FIELDS} FROM action_item
                 WHERE project = $project AND status = 'open' AND sprint_number < $number
                 ORDER BY sprint_number ASC, created_at ASC"
            ))
            .bind(("project", rid("project", key)))
            .bind(("number", i64::from(number)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// A project's action items, optionally with one status, by sprint.
    pub async fn actions(
        &self,
        key: &str,
        status: Option<ActionStatus>,
    ) -> AppResult<Vec<ActionRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {ACTION_FIELDS} FROM action_item
                 WHERE project = $project AND ($status = NONE OR status = $status)
                 ORDER BY sprint_number ASC, created_at ASC"
            ))
            .bind(("project", rid("project", key)))
            .bind(("status", status.map(|s| s.as_str().to_string())))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// One action item of a project (none if it belongs to another project).
    pub async fn action(&self, key: &str, id: &str) -> AppResult<Option<ActionRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {ACTION_FIELDS} FROM ONLY $id"))
            .bind(("id", rid("action_item", id)))
            .await?
            .check()?;
        let row: Option<ActionRecord> = res.take(0)?;
        Ok(row.filter(|r| r.project == rid("project", key)))
    }

    /// Adds an action item to the retro of sprint `number`; returns its id.
    pub async fn add_action(&self, key: &str, number: u32, v: &ValidAction) -> AppResult<String> {
        let mut res = self
            .db
            .query(
                "CREATE ONLY action_item CONTENT { project: $project, retro: $retro, sprint_number: $number,
                    text: $text, owner: $owner, due_sprint: $due, status: 'open', closed_on: NONE,
                    created_at: time::now(), updated_at: time::now() } RETURN VALUE id",
            )
            .bind(("project", rid("project", key)))
            .bind(("retro", retro_id(key, number)))
            .bind(("number", i64::from(number)))
            .bind(("text", v.text.clone()))
            .bind(("owner", v.owner.as_deref().map(|o| rid("user", o))))
            .bind(("due", i64::from(v.due_sprint)))
            .await?
            .check()?;
        let id: Option<RecordId> = res.take(0)?;
        id.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// Changes an action item's text, owner and due sprint.
    pub async fn update_action(&self, id: &RecordId, v: &ValidAction) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET text = $text, owner = $owner, due_sprint = $due, updated_at = time::now()")
            .bind(("id", id.clone()))
            .bind(("text", v.text.clone()))
            .bind(("owner", v.owner.as_deref().map(|o| rid("user", o))))
            .bind(("due", i64::from(v.due_sprint)))
            .await?
            .check()?;
        Ok(())
    }

    /// Sets an action item's status and `closed_on` (set when closed, cleared when reopened).
    pub async fn set_action_status(
        &self,
        id: &RecordId,
        status: ActionStatus,
        closed_on: Option<NaiveDate>,
    ) -> AppResult<()> {
        self.db
            .query(
                "UPDATE $id SET status = $status, closed_on = $closed_on, updated_at = time::now()",
            )
            .bind(("id", id.clone()))
            .bind(("status", status.as_str().to_string()))
            .bind(("closed_on", closed_on))
            .await?
            .check()?;
        Ok(())
    }

    /// Moves an action item's due sprint (carrying it on).
    pub async fn set_action_due(&self, id: &RecordId, due: u32) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET due_sprint = $due, updated_at = time::now()")
            .bind(("id", id.clone()))
            .bind(("due", i64::from(due)))
            .await?
            .check()?;
        Ok(())
    }

    /// Deletes an action item.
    pub async fn delete_action(&self, id: &RecordId) -> AppResult<()> {
        self.db
            .query("DELETE $id")
            .bind(("id", id.clone()))
            .await?
            .check()?;
        Ok(())
    }
}
