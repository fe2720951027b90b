//! Import and export of mail files through an [`AdminClient`]: the CLI's `import` and
//! `export`.
//!
//! File I/O runs on the blocking pool and meets the gRPC stream through a small bounded
//! channel, so memory holds a few messages whatever the size of the mailbox.
//!
//! ```text
//!  import: MboxReader | MaildirReader (blocking) ──chan──▶ AdminClient::import
//!  export: AdminClient::export ──chan──▶ MboxWriter | MaildirWriter (blocking)
//! ```
//!
//! An input that cannot be read stops the import there: the messages before it are
//! imported, as when the server refuses a message ([`ClientError::ImportStopped`]).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::client::{AdminClient, ClientError};
use crate::codec::{CodecError, MailItem, MaildirReader, MaildirWriter, MboxReader, MboxWriter};
use crate::pb::MailFormat;
use crate::types::ImportSummary;

/// Messages in flight between the file and the network.
const IN_FLIGHT: usize = 8;

/// Imports the messages of an mbox file.
pub async fn import_mbox(
    client: &AdminClient,
    address: &str,
    mailbox: &str,
    path: &Path,
) -> Result<ImportSummary, ClientError> {
    let file = File::open(path).map_err(|e| CodecError::io(path.display(), e))?;
    let reader = MboxReader::new(BufReader::new(file), path.display().to_string());
    import(client, address, mailbox, MailFormat::Mbox, reader).await
}

/// Imports the messages of a maildir folder (`cur/` and `new/`).
pub async fn import_maildir(
    client: &AdminClient,
    address: &str,
    mailbox: &str,
    dir: &Path,
) -> Result<ImportSummary, ClientError> {
    let reader = MaildirReader::open(dir)?;
    import(client, address, mailbox, MailFormat::Maildir, reader).await
}

async fn import<I>(
    client: &AdminClient,
    address: &str,
    mailbox: &str,
    format: MailFormat,
    reader: I,
) -> Result<ImportSummary, ClientError>
where
    I: Iterator<Item = Result<MailItem, CodecError>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    let producer = tokio::task::spawn_blocking(move || {
        for item in reader {
            if tx.blocking_send(item?).is_err() {
                break; // the call ended: its result says why
            }
        }
        Ok::<(), CodecError>(())
    });
    let summary = client
        .import(address, mailbox, format, ReceiverStream::new(rx))
        .await?;
    match producer.await {
        Ok(Ok(())) => Ok(summary),
        Ok(Err(e)) => Err(ClientError::ImportStopped {
            imported: summary.imported,
            reason: e.to_string(),
        }),
        Err(e) => Err(ClientError::ImportStopped {
            imported: summary.imported,
            reason: format!("the reader failed: {e}"),
        }),
    }
}

/// Exports a mailbox into a new mbox file; returns the number of messages.
pub async fn export_mbox(
    client: &AdminClient,
    address: &str,
    mailbox: &str,
    path: &Path,
) -> Result<u64, ClientError> {
    let path = path.to_path_buf();
    let file = File::create_new(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => CodecError::Exists(path.display().to_string()),
        _ => CodecError::io(path.display(), e),
    })?;
    export(client, address, mailbox, move |rx| {
        let mut w = MboxWriter::new(BufWriter::new(file));
        let io = |e| CodecError::io(path.display(), e);
        let n = drain(rx, |m| w.write(m).map_err(io))?;
        w.finish()
            .and_then(|f| f.into_inner().map_err(|e| e.into_error()))
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        Ok(n)
    })
    .await
}

/// Exports a mailbox into a maildir folder (created if missing; new files go to `cur/`).
pub async fn export_maildir(
    client: &AdminClient,
    address: &str,
    mailbox: &str,
    dir: &Path,
) -> Result<u64, ClientError> {
    let mut w = MaildirWriter::create(dir)?;
    export(client, address, mailbox, move |rx| {
        drain(rx, |m| w.write(m).map(|_: PathBuf| ()))
    })
    .await
}

/// Feeds the exported messages to `write` on the blocking pool.
async fn export<F>(
    client: &AdminClient,
    address: &str,
    mailbox: &str,
    write: F,
) -> Result<u64, ClientError>
where
    F: FnOnce(mpsc::Receiver<MailItem>) -> Result<u64, CodecError> + Send + 'static,
{
    let mut stream = std::pin::pin!(client.export(address, mailbox).await?);
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || write(rx));
    let mut failed = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(m) => {
                if tx.send(m).await.is_err() {
                    break; // the writer failed: its result says why
                }
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    drop(tx);
    let written = writer.await.map_err(|e| {
        ClientError::Codec(CodecError::io(
            "export",
            std::io::Error::other(e.to_string()),
        ))
    })??;
    match failed {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

fn drain(
    mut rx: mpsc::Receiver<MailItem>,
    mut write: impl FnMut(&MailItem) -> Result<(), CodecError>,
) -> Result<u64, CodecError> {
    let mut n = 0;
    while let Some(m) = rx.blocking_recv() {
        write(&m)?;
        n += 1;
    }
    Ok(n)
}
