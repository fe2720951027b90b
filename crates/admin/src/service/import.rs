//! ImportMailbox: a client stream of messages, committed in batches.
//!
//! ```text
//!  target ──▶ tenant check, account, mailbox (created with its parents if missing)
//!  message n ──▶ prepare (size, looks like mail, flags, date, facts) ──▶ batch
//!  batch full / end / refused message ──▶ append_messages (bodies first, one commit)
//! ```
//!
//! Messages are taken in order: when message n is refused (or its batch cannot commit), every
//! message before it has been committed and none after it is, and the error says how many were
//! imported (message text and `strata-imported` metadata) so the operator can resume.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use store::bodies::{IncomingMessage, append_messages};
use store::{AccountId, AppendResult, MailboxId, StoreError};
use tonic::{Status, Streaming};

use super::{AdminOptions, Shared};
use crate::auth::Caller;
use crate::convert::{flags, message};
use crate::pb;
use crate::pb::import_request::Item;
use crate::status::{IMPORTED_KEY, join_status, store_status};

/// The latest INTERNALDATE accepted: 9999-12-31T23:59:59Z.
const MAX_DATE: i64 = 253_402_300_799;

/// Runs one import.
pub(super) async fn import(
    s: &Shared,
    caller: &Caller,
    mut stream: Streaming<pb::ImportRequest>,
) -> Result<pb::ImportSummary, Status> {
    let target = match stream.message().await? {
        Some(pb::ImportRequest {
            item: Some(Item::Target(t)),
        }) => t,
        _ => {
            return Err(Status::invalid_argument(
                "the first request of an import must name the target (address and mailbox)",
            ));
        }
    };
    let address = caller.account(&target.address)?;
    let account = s.account_id(&address).await?;
    let mailbox = ensure_mailbox(s, account, &target.mailbox).await?;
    tracing::info!(%address, mailbox = %target.mailbox, format = ?target.format(), "import started");
    let mut batch = Batch::new(account, mailbox);
    let mut received = 0u64;
    loop {
        let next = match stream.message().await {
            Ok(next) => next,
            // The stream broke: keep the messages that arrived whole.
            Err(status) => return Err(batch.stop(s, status, received + 1).await),
        };
        let Some(request) = next else { break };
        received += 1;
        let prepared = match request.item {
            Some(Item::Message(m)) => prepare(m, &s.options).await,
            _ => Err(Status::invalid_argument(
                "only the first request names the target; every later one carries a message",
            )),
        };
        match prepared {
            Ok(m) => {
                batch.push(m, received);
                if batch.is_full(&s.options) {
                    batch
                        .flush(s)
                        .await
                        .map_err(|(st, n)| batch.stopped(st, n))?;
                }
            }
            Err(status) => return Err(batch.stop(s, status, received).await),
        }
    }
    batch
        .flush(s)
        .await
        .map_err(|(st, n)| batch.stopped(st, n))?;
    tracing::info!(%address, imported = batch.summary.imported, "import done");
    Ok(batch.summary)
}

/// The mailbox `name`, created with its missing parents (`a`, `a/b` for `a/b/c`).
async fn ensure_mailbox(s: &Shared, account: AccountId, name: &str) -> Result<MailboxId, Status> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Status::invalid_argument("the mailbox name is empty"));
    }
    match s.store.mailbox(account, name).await {
        Ok(info) => return Ok(info.id),
        Err(StoreError::NotFound(_)) => {}
        Err(e) => return Err(store_status(e)),
    }
    let parts: Vec<&str> = name.split('/').collect();
    for i in 1..parts.len() {
        let parent = parts[..i].join("/");
        match s.store.create_mailbox(account, &parent, None).await {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(e) => return Err(store_status(e)),
        }
    }
    match s.store.create_mailbox(account, name, None).await {
        Ok(info) => Ok(info.id),
        // Created meanwhile by someone else: use it.
        Err(StoreError::AlreadyExists(_)) => s
            .store
            .mailbox(account, name)
            .await
            .map(|i| i.id)
            .map_err(store_status),
        Err(e) => Err(store_status(e)),
    }
}

/// Checks one message and computes its facts, or INVALID_ARGUMENT saying what is wrong.
async fn prepare(m: pb::MailMessage, options: &AdminOptions) -> Result<IncomingMessage, Status> {
    let bad = |why: String| Status::invalid_argument(why);
    if m.data.len() > options.max_message_bytes {
        return Err(bad(format!(
            "the message is {} octets, over the limit of {}",
            m.data.len(),
            options.max_message_bytes
        )));
    }
    check_mail(&m.data).map_err(|why| bad(format!("not a mail message: {why}")))?;
    let flags = flags::from_names(&m.flags).map_err(bad)?;
    let internal_zone = message::zone(m.internal_zone).map_err(bad)?;
    let internal_date = match m.internal_date {
        Some(d) if !(0..=MAX_DATE).contains(&d) => {
            return Err(bad(format!("internal date {d} is out of range")));
        }
        Some(d) => d,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    let data = m.data;
    let facts = facts(data.clone()).await?;
    Ok(IncomingMessage {
        data,
        flags,
        internal_date,
        internal_zone,
        facts,
    })
}

/// The facts APPEND stores (mail-model's stored form), computed on the blocking pool: a large
/// message takes long enough to stall other calls.
async fn facts(data: Bytes) -> Result<Vec<u8>, Status> {
    tokio::task::spawn_blocking(move || mail_model::analyze(&data).encode())
        .await
        .map_err(join_status)
}

/// A message must start with a header field (`Name: value`) and have no NUL in its header.
/// Catches the usual mistakes: an empty file, an mbox that was not split, a binary file.
pub(crate) fn check_mail(data: &[u8]) -> Result<(), &'static str> {
    if data.is_empty() {
        return Err("it is empty");
    }
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    if first.starts_with(b"From ") {
        return Err("it starts with an mbox `From ` line (split the mbox into messages first)");
    }
    let name = match first.iter().position(|&b| b == b':') {
        Some(colon) => &first[..colon],
        None => return Err("its first line is not a header field (`Name: value`)"),
    };
    if name.is_empty() || !name.iter().all(|&b| (33..=126).contains(&b)) {
        return Err("its first line is not a header field (`Name: value`)");
    }
    let header_end = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .or_else(|| data.windows(3).position(|w| w == b"\n\r\n"))
        .unwrap_or(data.len());
    if data[..header_end].contains(&0) {
        return Err("its header contains NUL octets");
    }
    Ok(())
}

/// The messages waiting to be committed, and what was committed so far.
struct Batch {
    account: AccountId,
    mailbox: MailboxId,
    pending: Vec<IncomingMessage>,
    /// Position in the import (1-based) of the first pending message.
    first: u64,
    bytes: usize,
    summary: pb::ImportSummary,
}

impl Batch {
    fn new(account: AccountId, mailbox: MailboxId) -> Batch {
        Batch {
            account,
            mailbox,
            pending: Vec::new(),
            first: 1,
            bytes: 0,
            summary: pb::ImportSummary::default(),
        }
    }

    fn push(&mut self, m: IncomingMessage, position: u64) {
        if self.pending.is_empty() {
            self.first = position;
        }
        self.bytes += m.data.len();
        self.pending.push(m);
    }

    fn is_full(&self, options: &AdminOptions) -> bool {
        self.pending.len() >= options.batch_messages || self.bytes >= options.batch_bytes
    }

    /// Commits the pending messages. On failure, the status and the position of the first
    /// message not committed: an over-quota batch is retried one message at a time so that
    /// every message that fits is kept and the position is exact.
    async fn flush(&mut self, s: &Shared) -> Result<(), (Status, u64)> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let messages = std::mem::take(&mut self.pending);
        self.bytes = 0;
        let (account, mailbox) = (self.account, self.mailbox);
        let store = s.store.as_ref();
        match append_messages(&s.blobs, store, account, mailbox, &messages).await {
            Ok(r) => self.record(&r),
            Err(StoreError::OverQuota) if messages.len() > 1 => {
                for (i, m) in messages.iter().enumerate() {
                    let one = std::slice::from_ref(m);
                    match append_messages(&s.blobs, store, account, mailbox, one).await {
                        Ok(r) => self.record(&r),
                        Err(e) => return Err((store_status(e), self.first + i as u64)),
                    }
                }
            }
            Err(e) => return Err((store_status(e), self.first)),
        }
        Ok(())
    }

    fn record(&mut self, r: &AppendResult) {
        self.summary.imported += r.uids.len() as u64;
        self.summary.uid_validity = r.uid_validity;
        if self.summary.first_uid == 0 {
            self.summary.first_uid = r.uids.first().copied().unwrap_or(0);
        }
        self.summary.last_uid = r.uids.last().copied().unwrap_or(self.summary.last_uid);
    }

    /// Message `position` was refused with `status`: commits what came before it, then
    /// reports.
    async fn stop(&mut self, s: &Shared, status: Status, position: u64) -> Status {
        match self.flush(s).await {
            Ok(()) => self.stopped(status, position),
            Err((st, n)) => self.stopped(st, n),
        }
    }

    /// The error for a stop at message `position`: the same code, a message that says how far
    /// the import got, and the count as metadata.
    fn stopped(&self, status: Status, position: u64) -> Status {
        let imported = self.summary.imported;
        tracing::warn!(position, imported, error = %status.message(), "import stopped");
        let mut out = Status::new(
            status.code(),
            format!(
                "message {position}: {}; the {imported} messages before it were imported, none after it",
                status.message()
            ),
        );
        if let Ok(v) = imported.to_string().parse() {
            out.metadata_mut().insert(IMPORTED_KEY, v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_or_not() {
        assert!(check_mail(b"Subject: hi\r\n\r\nbody\r\n").is_ok());
        assert!(check_mail(b"X-A: 1\nSubject: hi\n").is_ok());
        for bad in [
            &b""[..],
            b"From a@b Thu Jan  1 00:00:00 1970\nSubject: x\n\n",
            b"hello world\n",
            b"\x89PNG\r\n\x1a\n",
            b": no name\n\n",
            b"Subject: a\0b\n\nbody",
        ] {
            assert!(check_mail(bad).is_err(), "{bad:?}");
        }
        // NUL in the body is the body's business (BINARY, RFC 3516).
        assert!(check_mail(b"Subject: a\n\nx\0y").is_ok());
    }
}
