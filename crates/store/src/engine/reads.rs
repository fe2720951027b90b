//! The reads every IMAP command makes: SELECT's snapshot, the changes after a MODSEQ, FETCH's
//! records and SEARCH's UID map. Each is one statement where it can be (one consistent view and
//! one round trip on either backend); an empty answer is told apart from a mailbox that is not
//! the account's by a second look only when it is empty.

use super::conn::{Conn, Param, all, opt};
use super::rows::{self, MAILBOX_COLS, RECORD_COLS, STATE_COLS, state_at};
use crate::error::{Result, StoreError};
use crate::types::*;
use Param::Int;

/// UIDs per `IN (…)` query when fetching scattered messages (well under SQLite's and
/// PostgreSQL's limits on bound parameters).
const FETCH_CHUNK: usize = 500;

fn not_found(mailbox: MailboxId) -> StoreError {
    StoreError::NotFound(format!("mailbox {mailbox}"))
}

/// `NotFound` unless `mailbox` exists and is `account`'s.
async fn check_mailbox<C: Conn>(c: &mut C, account: AccountId, mailbox: MailboxId) -> Result<()> {
    let sql = "SELECT id FROM mailboxes WHERE id = $1 AND account_id = $2";
    opt(c, sql, &[Int(mailbox.0), Int(account.0)], |r| r.int(0))
        .await?
        .ok_or_else(|| not_found(mailbox))?;
    Ok(())
}

pub(crate) async fn snapshot<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<Snapshot> {
    // The mailbox row joined with its messages; an empty mailbox gives one row without one.
    let sql = format!(
        "SELECT {}, {} FROM mailboxes m LEFT JOIN messages msg ON msg.mailbox_id = m.id \
         WHERE m.id = $1 AND m.account_id = $2 ORDER BY msg.uid",
        prefixed("m", MAILBOX_COLS),
        prefixed("msg", STATE_COLS)
    );
    let mut info = None;
    let mut messages = Vec::new();
    c.query(&sql, &[Int(mailbox.0), Int(account.0)], &mut |r| {
        if info.is_none() {
            info = Some(rows::mailbox(r)?);
        }
        if r.opt_int(6)?.is_some() {
            messages.push(state_at(r, 6)?);
        }
        Ok(())
    })
    .await?;
    Ok(Snapshot {
        mailbox: info.ok_or_else(|| not_found(mailbox))?,
        messages,
    })
}

/// `cols` with every column qualified by `table`.
fn prefixed(table: &str, cols: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{table}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn changes_since<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    modseq: u64,
) -> Result<Changes> {
    let since = super::conn::stored(modseq);
    // After every command of every session. Rows of kind 0: the mailbox (uid = its UIDNEXT,
    // modseq = its HIGHESTMODSEQ), absent if it is not the account's; 1: changed messages;
    // 2: expunged UIDs.
    let sql = "SELECT CAST(0 AS BIGINT), uid_next, CAST(0 AS BIGINT), '', highest_modseq \
                 FROM mailboxes WHERE id = $1 AND account_id = $3 \
               UNION ALL \
               SELECT CAST(1 AS BIGINT), uid, flags, keywords, modseq \
                 FROM messages WHERE mailbox_id = $1 AND modseq > $2 \
               UNION ALL \
               SELECT CAST(2 AS BIGINT), uid, CAST(0 AS BIGINT), '', modseq \
                 FROM expunged WHERE mailbox_id = $1 AND modseq > $2 \
               ORDER BY 1, 2";
    let mut out = Changes {
        changed: Vec::new(),
        expunged: Vec::new(),
        highest_modseq: 0,
        uid_next: 0,
    };
    let mut found = false;
    c.query(
        sql,
        &[Int(mailbox.0), Int(since), Int(account.0)],
        &mut |r| {
            match r.int(0)? {
                0 => {
                    found = true;
                    let head = state_at(r, 1)?;
                    out.uid_next = head.uid;
                    out.highest_modseq = head.modseq;
                }
                1 => out.changed.push(state_at(r, 1)?),
                _ => out.expunged.push(state_at(r, 1)?.uid),
            }
            Ok(())
        },
    )
    .await?;
    if !found {
        return Err(not_found(mailbox));
    }
    Ok(out)
}

pub(crate) async fn uid_blobs<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    after: u32,
) -> Result<Vec<(u32, BlobRef)>> {
    let sql = "SELECT uid, blob FROM messages WHERE mailbox_id = $1 AND uid > $2 \
                 AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $3) \
               ORDER BY uid";
    let params = [Int(mailbox.0), Int(i64::from(after)), Int(account.0)];
    let found = all(c, sql, &params, |r| {
        Ok((super::conn::u32_of(r.int(0)?)?, rows::blob(r.text(1)?)?))
    })
    .await?;
    if found.is_empty() {
        // Nothing new, or not the account's mailbox.
        check_mailbox(c, account, mailbox).await?;
    }
    Ok(found)
}

/// Whether `uids` are dense enough for one range scan (a whole mailbox, a range) rather than a
/// lookup by key (SEARCH's scattered index candidates).
fn dense(uids: &[u32], lo: i64, hi: i64) -> bool {
    (hi - lo + 1) as usize <= uids.len() * 2
}

/// FETCH's records: the messages of `uids` that exist, ascending UID; with their facts when
/// `with_facts`. Run in one snapshot when it takes several statements (scattered UIDs).
pub(crate) async fn fetch<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    uids: &[u32],
    with_facts: bool,
) -> Result<Vec<MessageRecord>> {
    let Some((lo, hi)) = super::messages::span(uids) else {
        check_mailbox(c, account, mailbox).await?;
        return Ok(Vec::new());
    };
    let wanted: std::collections::HashSet<u32> = uids.iter().copied().collect();
    let cols = if with_facts {
        format!("{RECORD_COLS}, facts")
    } else {
        RECORD_COLS.to_string()
    };
    let mut out = Vec::new();
    let mut keep = |r: &dyn super::conn::Row| {
        let rec = rows::record(r, with_facts)?;
        if wanted.contains(&rec.state.uid) {
            out.push(rec);
        }
        Ok(())
    };
    if dense(uids, lo, hi) {
        let sql = format!(
            "SELECT {cols} FROM messages WHERE mailbox_id = $1 AND uid BETWEEN $2 AND $3 \
               AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $4) \
             ORDER BY uid"
        );
        let params = [Int(mailbox.0), Int(lo), Int(hi), Int(account.0)];
        c.query(&sql, &params, &mut keep).await?;
        if out.is_empty() {
            check_mailbox(c, account, mailbox).await?;
        }
        return Ok(out);
    }
    check_mailbox(c, account, mailbox).await?;
    let mut sorted: Vec<u32> = wanted.iter().copied().collect();
    sorted.sort_unstable();
    // Every chunk is FETCH_CHUNK UIDs long (the last one padded with its last UID), so that it
    // is one statement text that each connection prepares once.
    let marks: Vec<String> = (0..FETCH_CHUNK).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {cols} FROM messages WHERE mailbox_id = $1 AND uid IN ({}) ORDER BY uid",
        marks.join(",")
    );
    for chunk in sorted.chunks(FETCH_CHUNK) {
        let last = chunk[chunk.len() - 1];
        let mut params = Vec::with_capacity(FETCH_CHUNK + 1);
        params.push(Int(mailbox.0));
        params.extend(chunk.iter().map(|&u| Int(i64::from(u))));
        params.resize(FETCH_CHUNK + 1, Int(i64::from(last)));
        c.query(&sql, &params, &mut keep).await?;
    }
    Ok(out)
}

/// Whether a FETCH of `uids` takes several statements (so the caller reads in one snapshot).
pub(crate) fn fetch_needs_snapshot(uids: &[u32]) -> bool {
    super::messages::span(uids).is_some_and(|(lo, hi)| !dense(uids, lo, hi))
}
