//! FETCH's records (also SEARCH's, SORT's and THREAD's rows): one range scan for dense UIDs,
//! padded `IN` lists for scattered ones.

use super::conn::{Conn, Param};
use super::mailboxes::check_mailbox;
use super::messages::span;
use super::rows::{self, RECORD_COLS};
use crate::error::Result;
use crate::types::*;
use Param::Int;

/// UIDs per `IN (…)` query when fetching scattered messages (well under SQLite's and
/// PostgreSQL's limits on bound parameters).
const FETCH_CHUNK: usize = 500;

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
    let Some((lo, hi)) = span(uids) else {
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
    span(uids).is_some_and(|(lo, hi)| !dense(uids, lo, hi))
}
