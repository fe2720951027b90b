//! COPY and MOVE (RFC 9051 §6.4.7, RFC 6851): new rows in the destination as
//! [`crate::rules::transfer`] plans them; MOVE removes the source rows in the same transaction.

use super::accounts::charge;
use super::conn::{Conn, Param, all, u32_of, u64_of};
use super::keywords::define;
use super::mailboxes::{lock_mailbox, set_mailbox};
use super::messages::{NewRow, insert, remove, span};
use super::{Events, event};
use crate::error::Result;
use crate::rules::transfer as transfer_rules;
use crate::types::*;
use Param::Int;

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
    let keywords = rows.iter().flat_map(|r| r.keywords.split(' '));
    define(c, to, keywords.filter(|k| !k.is_empty())).await?;
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
