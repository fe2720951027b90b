//! The state machine: openraft's [`RaftStateMachine`] over the `state_machine` and `snapshot`
//! tables, publishing every applied state on a watch channel.

use std::io::Cursor;
use std::time::{SystemTime, UNIX_EPOCH};

use openraft::storage::RaftStateMachine;
use openraft::{
    BasicNode, Entry, EntryPayload, ErrorSubject, ErrorVerb, LogId, OptionalSend,
    RaftSnapshotBuilder, Snapshot, SnapshotMeta, StorageError, StoredMembership,
};
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqlitePool};
use tokio::sync::watch;

use super::{DbError, sto_err};
use crate::state::ClusterState;
use crate::types::{CommandResponse, TypeConfig};

/// What the `state_machine` row holds: the applied state and how far it goes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Applied {
    last_applied: Option<LogId<u64>>,
    membership: StoredMembership<u64, BasicNode>,
    state: ClusterState,
}

/// The durable state machine.
///
/// `apply` writes the new state and its last-applied log id in one transaction before it returns,
/// so after a restart openraft resumes from exactly what was applied (no replay, no
/// double-apply). Snapshots are written to the `snapshot` table when built or installed, so the
/// current one survives a restart and can be sent to a follower that is behind the purged log.
pub struct StateMachine {
    db: SqlitePool,
    applied: Applied,
    publish: watch::Sender<ClusterState>,
}

impl StateMachine {
    /// Loads the applied state from an opened `raft.db` and publishes it on `publish`.
    pub(crate) async fn open(
        db: SqlitePool,
        publish: watch::Sender<ClusterState>,
    ) -> Result<Self, DbError> {
        let row = sqlx::query("SELECT data FROM state_machine WHERE id = 0")
            .fetch_optional(&db)
            .await?;
        let applied = match row {
            Some(row) => {
                let text: String = row.try_get(0)?;
                serde_json::from_str(&text)?
            }
            None => Applied::default(),
        };
        publish.send_replace(applied.state.clone());
        Ok(Self {
            db,
            applied,
            publish,
        })
    }

    async fn persist(&self) -> Result<(), DbError> {
        let text = serde_json::to_string(&self.applied)?;
        sqlx::query("INSERT OR REPLACE INTO state_machine (id, data) VALUES (0, ?)")
            .bind(text)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    async fn install(
        &mut self,
        meta: &SnapshotMeta<u64, BasicNode>,
        data: Vec<u8>,
    ) -> Result<(), DbError> {
        let mut state: ClusterState = serde_json::from_slice(&data)?;
        state.members = members_of(&meta.last_membership);
        let applied = Applied {
            last_applied: meta.last_log_id,
            membership: meta.last_membership.clone(),
            state,
        };
        let mut tx = self.db.begin().await?;
        sqlx::query("INSERT OR REPLACE INTO state_machine (id, data) VALUES (0, ?)")
            .bind(serde_json::to_string(&applied)?)
            .execute(&mut *tx)
            .await?;
        save_snapshot(&mut tx, meta, &data).await?;
        tx.commit().await?;
        self.applied = applied;
        self.publish.send_replace(self.applied.state.clone());
        Ok(())
    }

    async fn current_snapshot(&self) -> Result<Option<Snapshot<TypeConfig>>, DbError> {
        let row = sqlx::query("SELECT meta, data FROM snapshot WHERE id = 0")
            .fetch_optional(&self.db)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let meta: String = row.try_get(0)?;
        let data: Vec<u8> = row.try_get(1)?;
        Ok(Some(Snapshot {
            meta: serde_json::from_str(&meta)?,
            snapshot: Box::new(Cursor::new(data)),
        }))
    }
}

/// The member map (id -> address) of a membership config.
fn members_of(m: &StoredMembership<u64, BasicNode>) -> std::collections::BTreeMap<u64, String> {
    m.membership()
        .nodes()
        .map(|(id, node)| (*id, node.addr.clone()))
        .collect()
}

async fn save_snapshot(
    conn: &mut sqlx::SqliteConnection,
    meta: &SnapshotMeta<u64, BasicNode>,
    data: &[u8],
) -> Result<(), DbError> {
    sqlx::query("INSERT OR REPLACE INTO snapshot (id, meta, data) VALUES (0, ?, ?)")
        .bind(serde_json::to_string(meta)?)
        .bind(data)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Builds a snapshot from a copy of the applied state taken by `get_snapshot_builder`.
pub struct SnapshotBuilder {
    db: SqlitePool,
    applied: Applied,
}

impl SnapshotBuilder {
    async fn build(&self) -> Result<Snapshot<TypeConfig>, DbError> {
        let data = serde_json::to_vec(&self.applied.state)?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let snapshot_id = match &self.applied.last_applied {
            Some(l) => format!("{}-{}-{nanos}", l.leader_id.term, l.index),
            None => format!("none-{nanos}"),
        };
        let meta = SnapshotMeta {
            last_log_id: self.applied.last_applied,
            last_membership: self.applied.membership.clone(),
            snapshot_id,
        };
        let mut conn = self.db.acquire().await?;
        save_snapshot(&mut conn, &meta, &data).await?;
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError<u64>> {
        self.build()
            .await
            .map_err(sto_err(ErrorSubject::Snapshot(None), ErrorVerb::Write))
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId<u64>>, StoredMembership<u64, BasicNode>), StorageError<u64>> {
        Ok((self.applied.last_applied, self.applied.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<CommandResponse>, StorageError<u64>>
    where
        I: IntoIterator<Item = Entry<TypeConfig>> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut responses = Vec::new();
        for entry in entries {
            self.applied.last_applied = Some(entry.log_id);
            match entry.payload {
                EntryPayload::Blank => {}
                EntryPayload::Normal(cmd) => self.applied.state.apply(&cmd),
                EntryPayload::Membership(m) => {
                    self.applied.membership = StoredMembership::new(Some(entry.log_id), m);
                    self.applied.state.members = members_of(&self.applied.membership);
                }
            }
            responses.push(CommandResponse);
        }
        self.persist()
            .await
            .map_err(sto_err(ErrorSubject::StateMachine, ErrorVerb::Write))?;
        self.publish.send_replace(self.applied.state.clone());
        Ok(responses)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        SnapshotBuilder {
            db: self.db.clone(),
            applied: self.applied.clone(),
        }
    }

    async fn begin_receiving_snapshot(
        &mut self,
    ) -> Result<Box<Cursor<Vec<u8>>>, StorageError<u64>> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, BasicNode>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError<u64>> {
        let signature = Some(meta.signature());
        self.install(meta, snapshot.into_inner())
            .await
            .map_err(sto_err(ErrorSubject::Snapshot(signature), ErrorVerb::Write))
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<Snapshot<TypeConfig>>, StorageError<u64>> {
        self.current_snapshot()
            .await
            .map_err(sto_err(ErrorSubject::Snapshot(None), ErrorVerb::Read))
    }
}
