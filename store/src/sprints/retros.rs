//! Retrospectives: the retro of a sprint, its items, votes and health-check answers.

use super::*;

impl SprintRepo {
    /// The retro of a sprint.
    pub async fn retro(&self, key: &str, number: u32) -> AppResult<Option<RetroRecord>> {
        let mut res = self
            .db
            .query("SELECT held_on, format, health FROM ONLY $id")
            .bind(("id", retro_id(key, number)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Creates the retro of a sprint or changes its day and format. A format whose columns do
    /// not hold every existing item is refused (a field error on `format`). Returns whether the
    /// retro was new.
    pub async fn put_retro(
        &self,
        key: &str,
        number: u32,
        held_on: Option<NaiveDate>,
        format: RetroFormat,
    ) -> AppResult<bool> {
        let columns: Vec<String> = format
            .columns()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $existed = record::exists($id);
                 IF count(SELECT VALUE id FROM retro_item WHERE retro = $id AND column NOTINSIDE $columns) > 0 {
                    THROW 'items outside the format'
                 };
                 UPSERT $id MERGE { project: $project, sprint: $sprint, held_on: $held_on, format: $format,
                    created_at: (SELECT VALUE created_at FROM ONLY $id) ?? time::now(), updated_at: time::now() };
                 RETURN $existed;
                 COMMIT TRANSACTION;",
            )
            .bind(("id", retro_id(key, number)))
            .bind(("project", rid("project", key)))
            .bind(("sprint", sprint_id(key, number)))
            .bind(("held_on", held_on))
            .bind(("format", format.as_str().to_string()))
            .bind(("columns", columns))
            .await?;
        let mut res = check_guarded(
            res,
            AppError::field(
                "format",
                "Some items are in columns this format does not have; keep the current format or delete them first.",
            ),
        )?;
        let last = before_commit(&res);
        let existed: Option<bool> = res.take(last)?;
        Ok(!existed.unwrap_or(false))
    }

    /// Deletes a retro with its items, votes and health answers. A retro with action items is
    /// refused (a conflict): they are tracked across sprints.
    pub async fn delete_retro(&self, key: &str, number: u32) -> AppResult<()> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF count(SELECT VALUE id FROM action_item WHERE retro = $id) > 0 { THROW 'retro has action items' };
                 DELETE retro_vote WHERE retro = $id;
                 DELETE retro_health_answer WHERE retro = $id;
                 DELETE retro_item WHERE retro = $id;
                 DELETE $id;
                 COMMIT TRANSACTION;",
            )
            .bind(("id", retro_id(key, number)))
            .await?;
        check_guarded(
            res,
            AppError::Conflict(
                "This retrospective has action items; delete them first (they are tracked across sprints).".into(),
            ),
        )?;
        Ok(())
    }

    /// The items of a retro, most votes first, then oldest first.
    pub async fn items(&self, key: &str, number: u32) -> AppResult<Vec<RetroItemRecord>> {
        let mut res = self
            .db
            .query(
                "SELECT id, column, text, votes, created_by, created_at FROM retro_item WHERE retro = $retro
                 ORDER BY votes DESC, created_at ASC",
            )
            .bind(("retro", retro_id(key, number)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// One item of a retro (none if it belongs to another retro).
    pub async fn item(
        &self,
        key: &str,
        number: u32,
        item: &str,
    ) -> AppResult<Option<RetroItemRecord>> {
        let mut res = self
            .db
            .query("SELECT id, column, text, votes, created_by, retro FROM ONLY $id")
            .bind(("id", rid("retro_item", item)))
            .await?
            .check()?;
        #[derive(Clone, Debug, SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Row {
            id: RecordId,
            column: String,
            text: String,
            votes: i64,
            created_by: RecordId,
            retro: RecordId,
        }
        let row: Option<Row> = res.take(0)?;
        Ok(row
            .filter(|r| r.retro == retro_id(key, number))
            .map(|r| RetroItemRecord {
                id: r.id,
                column: r.column,
                text: r.text,
                votes: r.votes,
                created_by: r.created_by,
            }))
    }

    /// Adds an item to a retro; returns its id.
    pub async fn add_item(
        &self,
        key: &str,
        number: u32,
        column: RetroColumn,
        text: &str,
        user: &str,
    ) -> AppResult<String> {
        let mut res = self
            .db
            .query(
                "CREATE ONLY retro_item CONTENT { project: $project, retro: $retro, column: $column, text: $text,
                    votes: 0, created_by: $user, created_at: time::now() } RETURN VALUE id",
            )
            .bind(("project", rid("project", key)))
            .bind(("retro", retro_id(key, number)))
            .bind(("column", column.as_str().to_string()))
            .bind(("text", text.to_string()))
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        let id: Option<RecordId> = res.take(0)?;
        id.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// Deletes an item and the votes on it (which go back to their voters).
    pub async fn delete_item(&self, item: &RecordId) -> AppResult<()> {
        self.db
            .query(
                "BEGIN TRANSACTION;
                 DELETE retro_vote WHERE item = $item;
                 DELETE $item;
                 COMMIT TRANSACTION;",
            )
            .bind(("item", item.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// The items the user voted for in a retro, one entry per vote.
    pub async fn my_votes(&self, key: &str, number: u32, user: &str) -> AppResult<Vec<RecordId>> {
        let mut res = self
            .db
            .query("SELECT item FROM retro_vote WHERE retro = $retro AND user = $user")
            .bind(("retro", retro_id(key, number)))
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        let rows: Vec<VoteRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| r.item).collect())
    }

    /// Gives one of the user's votes to an item of the retro. Each vote takes one of three slots
    /// `retro_vote:[key, number, user, slot]`; with none free, the vote is refused (a conflict).
    pub async fn vote(&self, key: &str, number: u32, item: &RecordId, user: &str) -> AppResult<()> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF (SELECT VALUE retro FROM ONLY $item) != $retro { THROW 'no such item' };
                 LET $taken = SELECT VALUE slot FROM retro_vote WHERE retro = $retro AND user = $user;
                 LET $free = array::complement($slots, $taken);
                 IF array::len($free) = 0 { THROW 'no votes left' };
                 CREATE type::record('retro_vote', [$key, $number, $uid, array::first($free)]) CONTENT {
                    project: $project, retro: $retro, item: $item, user: $user, slot: array::first($free) };
                 UPDATE $item SET votes += 1;
                 COMMIT TRANSACTION;",
            )
            .bind(("item", item.clone()))
            .bind(("retro", retro_id(key, number)))
            .bind(("project", rid("project", key)))
            .bind(("key", key.to_string()))
            .bind(("number", i64::from(number)))
            .bind(("uid", user.to_string()))
            .bind(("user", rid("user", user)))
            .bind(("slots", (1..=i64::from(VOTES_PER_RETRO)).collect::<Vec<i64>>()))
            .await?;
        check_guarded(
            res,
            AppError::Conflict(format!(
                "You have used all {VOTES_PER_RETRO} of your votes in this retro. Take one back to vote for something else."
            )),
        )?;
        Ok(())
    }

    /// Takes back one of the user's votes on an item. Returns whether there was one.
    pub async fn unvote(
        &self,
        key: &str,
        number: u32,
        item: &RecordId,
        user: &str,
    ) -> AppResult<bool> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $vote = array::first(SELECT VALUE id FROM retro_vote WHERE retro = $retro AND user = $user AND item = $item);
                 IF $vote = NONE { THROW 'no vote to take back' };
                 DELETE $vote;
                 UPDATE $item SET votes -= 1;
                 COMMIT TRANSACTION;",
            )
            .bind(("item", item.clone()))
            .bind(("retro", retro_id(key, number)))
            .bind(("user", rid("user", user)))
            .await?;
        match check_guarded(res, AppError::Conflict(String::new())) {
            Ok(_) => Ok(true),
            Err(AppError::Conflict(m)) if m.is_empty() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Appends a health-check question.
    pub async fn add_question(&self, key: &str, number: u32, question: &str) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET health += { question: $question, scores: [] }, updated_at = time::now()")
            .bind(("id", retro_id(key, number)))
            .bind(("question", question.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// The health questions the user has answered (indices).
    pub async fn my_answers(&self, key: &str, number: u32, user: &str) -> AppResult<Vec<i64>> {
        let mut res = self
            .db
            .query("SELECT VALUE question FROM retro_health_answer WHERE retro = $retro AND user = $user")
            .bind(("retro", retro_id(key, number)))
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Adds an anonymous score to question `index`. Who answered is kept (once per question and
    /// member) apart from the score, and the scores stay sorted, so no score can be traced to a
    /// person. A second answer is refused (a conflict).
    pub async fn answer(
        &self,
        key: &str,
        number: u32,
        index: u32,
        user: &str,
        score: i64,
    ) -> AppResult<()> {
        let answer_id = RecordId::new(
            "retro_health_answer",
            RecordIdKey::Array(Array::from(vec![
                Value::String(key.to_string()),
                Value::Number(Number::Int(i64::from(number))),
                Value::Number(Number::Int(i64::from(index))),
                Value::String(user.to_string()),
            ])),
        );
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF record::exists($answer) { THROW 'already answered' };
                 LET $health = (SELECT VALUE health FROM ONLY $retro) ?? [];
                 IF $index >= array::len($health) { THROW 'no such question' };
                 CREATE $answer CONTENT { project: $project, retro: $retro, question: $index, user: $user };
                 LET $q = $health[$index];
                 LET $updated = array::concat(array::slice($health, 0, $index),
                    [{ question: $q.question, scores: array::sort(array::append($q.scores, $score)) }],
                    array::slice($health, $index + 1));
                 UPDATE $retro SET health = $updated;
                 COMMIT TRANSACTION;",
            )
            .bind(("answer", answer_id))
            .bind(("retro", retro_id(key, number)))
            .bind(("project", rid("project", key)))
            .bind(("user", rid("user", user)))
            .bind(("index", i64::from(index)))
            .bind(("score", score))
            .await?;
        check_guarded(
            res,
            AppError::Conflict("You have already answered this question.".into()),
        )?;
        Ok(())
    }
}
