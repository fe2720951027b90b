//! openraft's storage conformance suite run against the SQLite log store and state machine.

use openraft::StorageError;
use openraft::testing::{StoreBuilder, Suite};
use tempfile::TempDir;
use tokio::sync::watch;

use super::{LogStore, StateMachine, open};
use crate::types::TypeConfig;

/// Each suite case gets a fresh temp dir holding its own `raft.db`; the guard deletes it.
struct SqliteBuilder;

impl StoreBuilder<TypeConfig, LogStore, StateMachine, TempDir> for SqliteBuilder {
    async fn build(&self) -> Result<(TempDir, LogStore, StateMachine), StorageError<u64>> {
        let io = |e: &dyn std::fmt::Display| {
            StorageError::from(openraft::StorageIOError::<u64>::write(
                openraft::AnyError::error(e.to_string()),
            ))
        };
        let dir = tempfile::tempdir().map_err(|e| io(&e))?;
        let db = open(dir.path()).await.map_err(|e| io(&e))?;
        let (tx, _rx) = watch::channel(Default::default());
        let sm = StateMachine::open(db.clone(), tx)
            .await
            .map_err(|e| io(&e))?;
        Ok((dir, LogStore::new(db), sm))
    }
}

#[test]
fn openraft_storage_suite() -> Result<(), Box<StorageError<u64>>> {
    Suite::test_all(SqliteBuilder).map_err(Box::new)
}

/// What was written survives closing and reopening the database (a restart).
#[test]
fn log_vote_and_state_survive_reopen() -> Result<(), Box<dyn std::error::Error>> {
    use openraft::storage::{RaftLogStorage, RaftStateMachine};
    use openraft::testing::log_id;
    use openraft::{Entry, EntryPayload, RaftLogReader, Vote};

    use crate::types::Command;

    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        let entries: Vec<Entry<TypeConfig>> = (1..=3)
            .map(|i| Entry {
                log_id: log_id(1, 1, i),
                payload: EntryPayload::Normal(Command::SetSetting {
                    key: format!("k{i}"),
                    value: format!("v{i}"),
                }),
            })
            .collect();
        {
            let db = open(dir.path()).await?;
            let mut log = LogStore::new(db.clone());
            let (tx, _rx) = watch::channel(Default::default());
            let mut sm = StateMachine::open(db.clone(), tx).await?;
            log.save_vote(&Vote::new_committed(1, 1)).await?;
            log.append_all(entries.clone()).await?;
            sm.apply(entries[..2].to_vec()).await?;
            log.purge_upto(&log_id(1, 1, 1)).await?;
            db.close().await;
        }
        let db = open(dir.path()).await?;
        let mut log = LogStore::new(db.clone());
        let (tx, rx) = watch::channel(Default::default());
        let mut sm = StateMachine::open(db, tx).await?;
        assert_eq!(log.read_vote().await?, Some(Vote::new_committed(1, 1)));
        let state = log.get_log_state().await?;
        assert_eq!(state.last_purged_log_id, Some(log_id(1, 1, 1)));
        assert_eq!(state.last_log_id, Some(log_id(1, 1, 3)));
        let got = log.try_get_log_entries(0..10).await?;
        assert_eq!(
            got.iter().map(|e| e.log_id.index).collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(sm.applied_state().await?.0, Some(log_id(1, 1, 2)));
        let published = rx.borrow().clone();
        assert_eq!(published.settings.get("k2").map(String::as_str), Some("v2"));
        assert_eq!(published.settings.get("k3"), None);
        Ok(())
    })
}
