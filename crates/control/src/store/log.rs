//! The Raft log and vote: openraft's [`RaftLogStorage`] over the `log` and `meta` tables.

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};

use openraft::storage::{LogFlushed, LogState, RaftLogStorage};
use openraft::{
    Entry, ErrorSubject, ErrorVerb, LogId, OptionalSend, RaftLogReader, StorageError, Vote,
};
use sqlx::{Row, SqlitePool};

use super::{DbError, get_meta, idx, put_meta, sto_err};
use crate::types::TypeConfig;

const VOTE: &str = "vote";
const COMMITTED: &str = "committed";
const LAST_PURGED: &str = "last_purged";

/// The durable log store. Cheap to clone: it is a handle on the shared SQLite pool, and a clone
/// serves as the [`RaftLogReader`] of the replication tasks.
///
/// Contract kept for openraft: every write is one SQLite transaction that is committed (and
/// so fsynced, `synchronous=FULL`) before the method returns, and `append` calls its callback
/// only after that commit; `purge` records the purge point in the same transaction that deletes
/// the entries, so the log never has a hole.
#[derive(Clone)]
pub struct LogStore {
    db: SqlitePool,
}

impl LogStore {
    /// A log store over an opened `raft.db`.
    pub(crate) fn new(db: SqlitePool) -> Self {
        Self { db }
    }

    async fn read_range(
        &self,
        start: u64,
        end: Option<u64>,
    ) -> Result<Vec<Entry<TypeConfig>>, DbError> {
        let end = match end {
            Some(e) => idx(e)?,
            None => i64::MAX,
        };
        let rows = sqlx::query("SELECT entry FROM log WHERE idx >= ? AND idx < ? ORDER BY idx")
            .bind(idx(start)?)
            .bind(end)
            .fetch_all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let text: String = row.try_get(0)?;
            out.push(serde_json::from_str(&text)?);
        }
        Ok(out)
    }

    async fn log_state(&self) -> Result<LogState<TypeConfig>, DbError> {
        let mut conn = self.db.acquire().await?;
        let last_purged: Option<LogId<u64>> = get_meta(&mut conn, LAST_PURGED).await?;
        let row = sqlx::query("SELECT entry FROM log ORDER BY idx DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
        let last = match row {
            Some(row) => {
                let text: String = row.try_get(0)?;
                let entry: Entry<TypeConfig> = serde_json::from_str(&text)?;
                Some(entry.log_id)
            }
            None => None,
        };
        Ok(LogState {
            last_log_id: last.or(last_purged),
            last_purged_log_id: last_purged,
        })
    }

    pub(super) async fn append_all(&self, entries: Vec<Entry<TypeConfig>>) -> Result<(), DbError> {
        let mut tx = self.db.begin().await?;
        for entry in &entries {
            let text = serde_json::to_string(entry)?;
            sqlx::query("INSERT OR REPLACE INTO log (idx, entry) VALUES (?, ?)")
                .bind(idx(entry.log_id.index)?)
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn purge_upto(&self, log_id: &LogId<u64>) -> Result<(), DbError> {
        let mut tx = self.db.begin().await?;
        put_meta(&mut tx, LAST_PURGED, log_id).await?;
        sqlx::query("DELETE FROM log WHERE idx <= ?")
            .bind(idx(log_id.index)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn meta<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, DbError> {
        let mut conn = self.db.acquire().await?;
        get_meta(&mut conn, key).await
    }

    async fn set_meta<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<(), DbError> {
        let mut conn = self.db.acquire().await?;
        put_meta(&mut conn, key, value).await
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry<TypeConfig>>, StorageError<u64>> {
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => Some(e.saturating_add(1)),
            Bound::Excluded(&e) => Some(e),
            Bound::Unbounded => None,
        };
        self.read_range(start, end)
            .await
            .map_err(sto_err(ErrorSubject::Logs, ErrorVerb::Read))
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError<u64>> {
        self.log_state()
            .await
            .map_err(sto_err(ErrorSubject::Logs, ErrorVerb::Read))
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<u64>) -> Result<(), StorageError<u64>> {
        self.set_meta(VOTE, vote)
            .await
            .map_err(sto_err(ErrorSubject::Vote, ErrorVerb::Write))
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<u64>>, StorageError<u64>> {
        self.meta(VOTE)
            .await
            .map_err(sto_err(ErrorSubject::Vote, ErrorVerb::Read))
    }

    async fn save_committed(
        &mut self,
        committed: Option<LogId<u64>>,
    ) -> Result<(), StorageError<u64>> {
        self.set_meta(COMMITTED, &committed)
            .await
            .map_err(sto_err(ErrorSubject::Store, ErrorVerb::Write))
    }

    async fn read_committed(&mut self) -> Result<Option<LogId<u64>>, StorageError<u64>> {
        let committed: Option<Option<LogId<u64>>> = self
            .meta(COMMITTED)
            .await
            .map_err(sto_err(ErrorSubject::Store, ErrorVerb::Read))?;
        Ok(committed.flatten())
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError<u64>>
    where
        I: IntoIterator<Item = Entry<TypeConfig>> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let entries: Vec<_> = entries.into_iter().collect();
        match self.append_all(entries).await {
            Ok(()) => {
                callback.log_io_completed(Ok(()));
                Ok(())
            }
            Err(e) => {
                callback.log_io_completed(Err(std::io::Error::other(e.to_string())));
                Err(sto_err(ErrorSubject::Logs, ErrorVerb::Write)(e))
            }
        }
    }

    async fn truncate(&mut self, log_id: LogId<u64>) -> Result<(), StorageError<u64>> {
        let res: Result<(), DbError> = async {
            sqlx::query("DELETE FROM log WHERE idx >= ?")
                .bind(idx(log_id.index)?)
                .execute(&self.db)
                .await?;
            Ok(())
        }
        .await;
        res.map_err(sto_err(ErrorSubject::Logs, ErrorVerb::Delete))
    }

    async fn purge(&mut self, log_id: LogId<u64>) -> Result<(), StorageError<u64>> {
        self.purge_upto(&log_id)
            .await
            .map_err(sto_err(ErrorSubject::Logs, ErrorVerb::Delete))
    }
}
