//! The rows of `messages` and `expunged` as the writes make them: a new message row (APPEND,
//! COPY, MOVE), and a removal that remembers the UID with its MODSEQ for QRESYNC (EXPUNGE,
//! MOVE). The writes themselves are named after their commands: `append.rs`, `store.rs`,
//! `copy.rs`, `expunge.rs`.
//!
//! Every writer first locks the mailbox row (`mailboxes::lock_mailbox`), then (for quota) the
//! account row, then (APPEND) the blob rows in address order: always in that order, so
//! PostgreSQL transactions never deadlock on each other. COPY/MOVE lock their two mailboxes in
//! id order.

use super::conn::{Conn, Param, stored};
use crate::clock::now_ms;
use crate::error::Result;
use crate::rules::expunge;
use crate::types::*;
use Param::{Bytes, Int, Text};

const INSERT_MESSAGE: &str = "INSERT INTO messages (mailbox_id, uid, account_id, blob, size, \
     internal_date, save_date, modseq, flags, keywords, facts, internal_zone) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// A message row as written.
pub(crate) struct NewRow<'a> {
    pub(crate) account: AccountId,
    pub(crate) mailbox: MailboxId,
    pub(crate) modseq: u64,
    /// SAVEDATE.
    pub(crate) saved: i64,
    pub(crate) uid: u32,
    pub(crate) blob: &'a str,
    pub(crate) size: i64,
    pub(crate) internal_date: i64,
    pub(crate) internal_zone: i64,
    pub(crate) flags: i64,
    pub(crate) keywords: &'a str,
    pub(crate) facts: &'a [u8],
}

pub(crate) async fn insert<C: Conn>(c: &mut C, m: NewRow<'_>) -> Result<()> {
    let params = [
        Int(m.mailbox.0),
        Int(i64::from(m.uid)),
        Int(m.account.0),
        Text(m.blob),
        Int(m.size),
        Int(m.internal_date),
        Int(m.saved),
        Int(stored(m.modseq)),
        Int(m.flags),
        Text(m.keywords),
        Bytes(m.facts),
        Int(m.internal_zone),
    ];
    c.execute(INSERT_MESSAGE, &params).await?;
    Ok(())
}

/// The smallest and largest of `uids`, for a `uid BETWEEN` scan.
pub(crate) fn span(uids: &[u32]) -> Option<(i64, i64)> {
    Some((
        i64::from(*uids.iter().min()?),
        i64::from(*uids.iter().max()?),
    ))
}

/// Copies a message row to `kept_expunged` (stamped `now`) before [`remove`] deletes it.
const KEEP_MESSAGE: &str = "INSERT INTO kept_expunged (mailbox_id, uid, blob, size, \
     internal_date, internal_zone, save_date, modseq, flags, keywords, facts, expunged_at) \
     SELECT mailbox_id, uid, blob, size, internal_date, internal_zone, save_date, modseq, flags, \
     keywords, facts, $3 FROM messages WHERE mailbox_id = $1 AND uid = $2 \
     ON CONFLICT (mailbox_id, uid) DO NOTHING";

/// Deletes message rows and remembers them as expunged at `modseq` (for QRESYNC). Each row is
/// first kept readable for [`expunge::KEEP_EXPUNGED_MS`] (sessions not told yet may FETCH it),
/// and the mailbox's kept rows past that time go.
pub(crate) async fn remove<C: Conn>(
    c: &mut C,
    mailbox: MailboxId,
    uids: &[u32],
    modseq: u64,
) -> Result<()> {
    let now = now_ms();
    c.execute(
        "DELETE FROM kept_expunged WHERE mailbox_id = $1 AND expunged_at < $2",
        &[Int(mailbox.0), Int(expunge::kept_since(now))],
    )
    .await?;
    for &uid in uids {
        let key = [Int(mailbox.0), Int(i64::from(uid))];
        c.execute(KEEP_MESSAGE, &[key[0], key[1], Int(now)]).await?;
        c.execute(
            "DELETE FROM messages WHERE mailbox_id = $1 AND uid = $2",
            &key,
        )
        .await?;
        c.execute(
            "INSERT INTO expunged (mailbox_id, uid, modseq) VALUES ($1, $2, $3)",
            &[key[0], key[1], Int(stored(modseq))],
        )
        .await?;
    }
    Ok(())
}
