//! ExportMailbox: every message of a mailbox, in UID order, streamed.
//!
//! The UIDs come from one snapshot; the messages are read in chunks (metadata, then each body
//! from the blob store) by a task that feeds a small bounded channel, so a slow client holds
//! back the reads instead of filling memory. A message expunged meanwhile is skipped.

use std::sync::Arc;

use blob_store::BlobId;
use store::bodies::blob_error;
use store::{AccountId, MailboxId};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::{ExportStream, Shared};
use crate::auth::Caller;
use crate::convert::flags;
use crate::pb;
use crate::status::store_status;

/// Messages read per metadata call.
const CHUNK: usize = 64;

/// Starts an export; errors before the first message (tenancy, no such account or mailbox)
/// are the call's status.
pub(super) async fn export(
    s: Arc<Shared>,
    caller: &Caller,
    address: &str,
    mailbox: &str,
) -> Result<ExportStream, Status> {
    let address = caller.account(address)?;
    let account = s.account_id(&address).await?;
    let info = s
        .store
        .mailbox(account, mailbox)
        .await
        .map_err(store_status)?;
    let snapshot = s
        .store
        .snapshot(account, info.id)
        .await
        .map_err(store_status)?;
    let uids: Vec<u32> = snapshot.messages.iter().map(|m| m.uid).collect();
    tracing::info!(%address, %mailbox, messages = uids.len(), "export started");
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        if let Err(status) = send_all(&s, account, info.id, &uids, &tx).await {
            // The receiver may be gone too; then there is no one to tell.
            let _ = tx.send(Err(status)).await;
        }
    });
    Ok(Box::pin(ReceiverStream::new(rx)))
}

async fn send_all(
    s: &Shared,
    account: AccountId,
    mailbox: MailboxId,
    uids: &[u32],
    tx: &mpsc::Sender<Result<pb::MailMessage, Status>>,
) -> Result<(), Status> {
    for chunk in uids.chunks(CHUNK) {
        let records = s
            .store
            .fetch_meta(account, mailbox, chunk)
            .await
            .map_err(store_status)?;
        for r in records {
            let id = BlobId {
                sha256: r.blob.sha256,
                size: r.size,
            };
            let data = s
                .blobs
                .get(id)
                .await
                .map_err(|e| store_status(blob_error(e)))?;
            let message = pb::MailMessage {
                data,
                flags: flags::to_names(&r.state.flags),
                internal_date: Some(r.internal_date),
                internal_zone: i32::from(r.internal_zone),
                uid: r.state.uid,
            };
            if tx.send(Ok(message)).await.is_err() {
                // The client went away.
                return Ok(());
            }
        }
    }
    Ok(())
}
