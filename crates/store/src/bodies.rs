//! Bodies and metadata together: the APPEND path (body first, then the metadata commit) and the
//! adapter through which the blob sweep asks the metadata store what is still referenced.
//!
//! ```text
//!  append_messages:  put body ──▶ blob store (durable) ──▶ MailStore::append (one commit)
//!                        ▲                                        │ BlobCollected
//!                        └──────── wait, write the body again ◀───┘ (the sweep raced us)
//!  SweepRefs:        BlobStore::sweep ──is_live / deleted──▶ MailStore::sweep_mark / sweep_done
//! ```

use crate::error::{Result, StoreError};
use crate::mail_store::MailStore;
use crate::types::{AccountId, AppendResult, BlobRef, Flags, MailboxId, NewMessage};
use blob_store::{BlobError, BlobId, BlobReferences, BlobStore};
use bytes::Bytes;
use std::collections::HashSet;
use std::time::Duration;

/// A message as received: its octets and what the client said about it.
#[derive(Debug, Clone)]
pub struct IncomingMessage {
    /// The message octets.
    pub data: Bytes,
    /// Initial flags.
    pub flags: Flags,
    /// INTERNALDATE, seconds since the epoch.
    pub internal_date: i64,
    /// INTERNALDATE's zone, minutes east of UTC.
    pub internal_zone: i16,
    /// Facts computed from the octets (mail-model), stored with the message.
    pub facts: Vec<u8>,
}

/// How often an append that met the sweep is retried, and how long it waits in between: the
/// tombstone must be closed and older than the clock-skew margin before a rewrite counts.
const ATTEMPTS: u32 = 40;
const RETRY_WAIT: Duration = Duration::from_millis(500);

/// Maps a blob-store failure to the storage error the IMAP layer understands.
pub fn blob_error(e: BlobError) -> StoreError {
    if e.is_retryable() {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Internal(e.to_string())
    }
}

/// Appends messages: writes every body durably to the blob store, then commits the metadata in
/// one transaction (ARCHITECTURE.md data flow). If the sweep collected a body meanwhile, the
/// body is written again and the append retried, so a committed row never points at a deleted
/// body.
pub async fn append_messages(
    blobs: &BlobStore,
    store: &dyn MailStore,
    account: AccountId,
    mailbox: MailboxId,
    messages: &[IncomingMessage],
) -> Result<AppendResult> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut batch = Vec::with_capacity(messages.len());
        for m in messages {
            let put_started_ms = crate::clock::now_ms();
            let id = blobs.put(m.data.clone()).await.map_err(blob_error)?;
            batch.push(NewMessage {
                blob: BlobRef { sha256: id.sha256 },
                size: m.data.len() as u64,
                internal_date: m.internal_date,
                internal_zone: m.internal_zone,
                flags: m.flags.clone(),
                facts: m.facts.clone(),
                put_started_ms,
            });
        }
        let written: Vec<BlobId> = batch
            .iter()
            .map(|m| BlobId {
                sha256: m.blob.sha256,
                size: m.size,
            })
            .collect();
        match store.append(account, mailbox, batch).await {
            Err(StoreError::BlobCollected(b)) if attempt < ATTEMPTS => {
                tracing::debug!(blob = %b, attempt, "body collected during append; rewriting");
                tokio::time::sleep(RETRY_WAIT).await;
            }
            Err(e @ (StoreError::OverQuota | StoreError::Limit(_) | StoreError::NotFound(_))) => {
                // Refused: the bodies just written may be referenced by nothing (the quota was
                // checked before they were read, but another append got there first). Gone at
                // once, not after the sweep's grace; one referenced meanwhile stays.
                let report = blobs.discard(&written, &SweepRefs(store)).await;
                tracing::debug!(
                    deleted = report.deleted,
                    live = report.live,
                    "refused append's bodies"
                );
                return Err(e);
            }
            r => return r,
        }
    }
}

/// The metadata side of [`BlobStore::sweep`], for any [`MailStore`].
pub struct SweepRefs<'a>(pub &'a dyn MailStore);

impl BlobReferences for SweepRefs<'_> {
    type Error = StoreError;

    async fn is_live(&self, batch: &[BlobId]) -> Result<HashSet<BlobId>> {
        let refs: Vec<BlobRef> = batch.iter().map(|b| BlobRef { sha256: b.sha256 }).collect();
        let live: HashSet<[u8; 32]> = self
            .0
            .sweep_mark(&refs)
            .await?
            .into_iter()
            .map(|b| b.sha256)
            .collect();
        Ok(batch
            .iter()
            .filter(|b| live.contains(&b.sha256))
            .copied()
            .collect())
    }

    async fn deleted(&self, ids: &[BlobId]) -> Result<()> {
        let refs: Vec<BlobRef> = ids.iter().map(|b| BlobRef { sha256: b.sha256 }).collect();
        self.0.sweep_done(&refs).await
    }
}
