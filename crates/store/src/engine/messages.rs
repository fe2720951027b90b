//! Mail writes: APPEND, STORE, COPY/MOVE and EXPUNGE.
//!
//! Every writer first locks the mailbox row ([`lock_mailbox`]), then (for quota) the account
//! row, then (APPEND) the blob rows in address order: always in that order, so PostgreSQL
//! transactions never deadlock on each other. COPY/MOVE lock their two mailboxes in id order.

use super::accounts::charge;
use super::blobs::use_blob;
use super::conn::{Conn, Param, all, stored, u32_of, u64_of};
use super::mailboxes::{lock_mailbox, set_mailbox};
use super::rows::{STATE_COLS, state_at};
use super::{Events, event};
use crate::error::{Result, StoreError};
use crate::rules::expunge::{self, Candidate, EXPUNGED_FLAGS};
use crate::rules::quota::Charge;
use crate::rules::{blobs, flags, transfer as transfer_rules, uids};
use crate::types::*;
use Param::{Bytes, Int, Text};

const INSERT_MESSAGE: &str = "INSERT INTO messages (mailbox_id, uid, account_id, blob, size, \
     internal_date, save_date, modseq, flags, keywords, facts, internal_zone) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// A message row as written.
struct NewRow<'a> {
    account: AccountId,
    mailbox: MailboxId,
    modseq: u64,
    /// SAVEDATE.
    saved: i64,
    uid: u32,
    blob: &'a str,
    size: i64,
    internal_date: i64,
    internal_zone: i64,
    flags: i64,
    keywords: &'a str,
    facts: &'a [u8],
}

async fn insert<C: Conn>(c: &mut C, m: NewRow<'_>) -> Result<()> {
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

pub(crate) async fn append<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    messages: &[NewMessage],
) -> Result<(AppendResult, Events)> {
    if messages.is_empty() {
        return Err(StoreError::Cannot("nothing to append".into()));
    }
    let info = lock_mailbox(c, account, mailbox).await?;
    let assigned = uids::assign(&info, messages.len())?;
    charge(
        c,
        account,
        Charge::of_messages(messages.iter().map(|m| m.size)),
    )
    .await?;
    for (blob, put_started_ms) in blobs::lock_order(messages) {
        use_blob(c, &blob, put_started_ms).await?;
    }
    let saved = crate::clock::now_secs();
    let mut uids = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let uid = assigned.uid(i);
        let row = NewRow {
            account,
            mailbox,
            modseq: assigned.modseq,
            saved,
            uid,
            blob: &m.blob.hex(),
            size: stored(m.size),
            internal_date: m.internal_date,
            internal_zone: i64::from(m.internal_zone),
            flags: i64::from(m.flags.system),
            keywords: &m.flags.keywords_text(),
            facts: &m.facts,
        };
        insert(c, row).await?;
        uids.push(uid);
    }
    set_mailbox(c, mailbox, assigned.modseq, assigned.uid_next).await?;
    let result = AppendResult {
        uid_validity: info.uid_validity,
        uids,
        modseq: assigned.modseq,
    };
    Ok((result, vec![event(account, mailbox, assigned.modseq)]))
}

/// The smallest and largest of `uids`, for a `uid BETWEEN` scan.
pub(crate) fn span(uids: &[u32]) -> Option<(i64, i64)> {
    Some((
        i64::from(*uids.iter().min()?),
        i64::from(*uids.iter().max()?),
    ))
}

pub(crate) async fn store_flags<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    update: &FlagUpdate,
) -> Result<(FlagUpdateResult, Events)> {
    let info = lock_mailbox(c, account, mailbox).await?;
    let modseq = uids::next_modseq(&info);
    let Some((lo, hi)) = span(&update.uids) else {
        return Ok((flags::store([], update, modseq), Vec::new()));
    };
    let sql = format!(
        "SELECT {STATE_COLS} FROM messages WHERE mailbox_id = $1 AND uid BETWEEN $2 AND $3 \
         ORDER BY uid"
    );
    let current = all(c, &sql, &[Int(mailbox.0), Int(lo), Int(hi)], |r| {
        state_at(r, 0)
    })
    .await?;
    let result = flags::store(current, update, modseq);
    if result.updated.is_empty() {
        return Ok((result, Vec::new()));
    }
    for m in &result.updated {
        c.execute(
            "UPDATE messages SET flags = $3, keywords = $4, modseq = $5 \
             WHERE mailbox_id = $1 AND uid = $2",
            &[
                Int(mailbox.0),
                Int(i64::from(m.uid)),
                Int(i64::from(m.flags.system)),
                Text(&m.flags.keywords_text()),
                Int(stored(modseq)),
            ],
        )
        .await?;
    }
    set_mailbox(c, mailbox, modseq, info.uid_next).await?;
    Ok((result, vec![event(account, mailbox, modseq)]))
}

/// A COPY or MOVE request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transfer<'a> {
    pub(crate) account: AccountId,
    pub(crate) from: MailboxId,
    pub(crate) uids: &'a [u32],
    pub(crate) to: MailboxId,
    /// MOVE: expunge from the source in the same transaction.
    pub(crate) is_move: bool,
}

/// A source row of a COPY or MOVE.
struct Source {
    uid: u32,
    blob: String,
    size: i64,
    internal_date: i64,
    internal_zone: i64,
    flags: i64,
    keywords: String,
    facts: Vec<u8>,
}

/// COPY, or MOVE (copy, then expunge from the source), inside a write transaction.
pub(crate) async fn transfer<C: Conn>(
    c: &mut C,
    t: &Transfer<'_>,
) -> Result<((CopyResult, ExpungeResult), Events)> {
    let Transfer {
        account,
        from,
        uids,
        to,
        is_move,
    } = *t;
    // Both mailboxes locked, lower id first.
    let (src, dst) = if from.0 <= to.0 {
        let s = lock_mailbox(c, account, from).await?;
        let d = if from == to {
            s.clone()
        } else {
            lock_mailbox(c, account, to).await?
        };
        (s, d)
    } else {
        let d = lock_mailbox(c, account, to).await?;
        (lock_mailbox(c, account, from).await?, d)
    };
    let nothing = || {
        let copy = CopyResult {
            uid_validity: dst.uid_validity,
            pairs: Vec::new(),
        };
        let expunged = ExpungeResult {
            uids: Vec::new(),
            modseq: src.highest_modseq,
        };
        Ok(((copy, expunged), Vec::new()))
    };
    let Some((lo, hi)) = span(uids) else {
        return nothing();
    };
    let wanted: std::collections::HashSet<u32> = uids.iter().copied().collect();
    let sql = "SELECT uid, blob, size, internal_date, internal_zone, flags, keywords, facts \
               FROM messages WHERE mailbox_id = $1 AND uid BETWEEN $2 AND $3 ORDER BY uid";
    let rows = all(c, sql, &[Int(from.0), Int(lo), Int(hi)], |r| {
        Ok(Source {
            uid: u32_of(r.int(0)?)?,
            blob: r.text(1)?.to_string(),
            size: r.int(2)?,
            internal_date: r.int(3)?,
            internal_zone: r.int(4)?,
            flags: r.int(5)?,
            keywords: r.text(6)?.to_string(),
            facts: r.bytes(7)?.to_vec(),
        })
    })
    .await?;
    let rows: Vec<Source> = rows
        .into_iter()
        .filter(|r| wanted.contains(&r.uid))
        .collect();
    if rows.is_empty() {
        return nothing();
    }
    let sizes = rows
        .iter()
        .map(|r| u64_of(r.size))
        .collect::<Result<Vec<_>>>()?;
    let plan = transfer_rules::plan(&src, &dst, &sizes, is_move)?;
    charge(c, account, plan.charge).await?;
    let saved = crate::clock::now_secs();
    for (i, r) in rows.iter().enumerate() {
        let row = NewRow {
            account,
            mailbox: to,
            modseq: plan.dst.modseq,
            saved,
            uid: plan.dst.uid(i),
            blob: &r.blob,
            size: r.size,
            internal_date: r.internal_date,
            internal_zone: r.internal_zone,
            flags: r.flags,
            keywords: &r.keywords,
            facts: &r.facts,
        };
        insert(c, row).await?;
    }
    set_mailbox(c, to, plan.dst.modseq, plan.dst.uid_next).await?;
    let src_uids: Vec<u32> = rows.iter().map(|r| r.uid).collect();
    let mut events = vec![event(account, to, plan.dst.modseq)];
    if let Some((modseq, uid_next)) = plan.src {
        remove(c, from, &src_uids, modseq).await?;
        set_mailbox(c, from, modseq, uid_next).await?;
        if from != to {
            events.push(event(account, from, modseq));
        }
    }
    let result = (
        plan.copy_result(&dst, &src_uids),
        plan.expunge_result(&src, &src_uids),
    );
    Ok((result, events))
}

/// Deletes message rows and remembers them as expunged at `modseq` (for QRESYNC).
async fn remove<C: Conn>(c: &mut C, mailbox: MailboxId, uids: &[u32], modseq: u64) -> Result<()> {
    for &uid in uids {
        let key = [Int(mailbox.0), Int(i64::from(uid))];
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

pub(crate) async fn expunge<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    only: Option<&[u32]>,
) -> Result<(ExpungeResult, Events)> {
    let info = lock_mailbox(c, account, mailbox).await?;
    let sql = "SELECT uid, flags, size FROM messages \
               WHERE mailbox_id = $1 AND (flags & $2) = $2 ORDER BY uid";
    let params = [Int(mailbox.0), Int(i64::from(EXPUNGED_FLAGS))];
    let candidates = all(c, sql, &params, |r| {
        Ok(Candidate {
            uid: u32_of(r.int(0)?)?,
            flags: u8::try_from(r.int(1)? & 0xff).unwrap_or(0),
            size: u64_of(r.int(2)?)?,
        })
    })
    .await?;
    let plan = expunge::plan(&info, candidates, only);
    if plan.result.uids.is_empty() {
        return Ok((plan.result, Vec::new()));
    }
    let modseq = plan.result.modseq;
    remove(c, mailbox, &plan.result.uids, modseq).await?;
    charge(c, account, plan.freed).await?;
    set_mailbox(c, mailbox, modseq, info.uid_next).await?;
    Ok((plan.result, vec![event(account, mailbox, modseq)]))
}
