//! FETCH's records (also SEARCH's, SORT's and THREAD's rows): one range scan for dense UIDs,
//! padded `IN` lists for scattered ones.

use super::conn::{Conn, Param};
use super::mailboxes::check_mailbox;
use super::messages::span;
use super::rows::{self, RECORD_COLS};
use crate::clock::now_ms;
use crate::error::Result;
use crate::rules::expunge;
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

/// FETCH's records: the messages of `uids` that exist or were expunged less than
/// [`expunge::KEEP_EXPUNGED_MS`] ago, ascending UID; with their facts when `with_facts`. Run in one snapshot when it takes several statements (scattered UIDs).
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
    } else {
        check_mailbox(c, account, mailbox).await?;
        let mut sorted: Vec<u32> = wanted.iter().copied().collect();
        sorted.sort_unstable();
        let lookup = ByUid {
            table: "messages",
            cols: &cols,
            mailbox,
            since: None,
        };
        lookup.read(c, &sorted, &mut keep).await?;
    }
    if out.len() < wanted.len() {
        // Expunged since the caller saw them: their kept rows, while readable. A row missing
        // from `messages` was deleted (and kept) before that read, so this later read finds it.
        let found: std::collections::HashSet<u32> = out.iter().map(|r| r.state.uid).collect();
        let mut missing: Vec<u32> = wanted.difference(&found).copied().collect();
        missing.sort_unstable();
        let since = expunge::kept_since(now_ms());
        let mut kept = Vec::new();
        let mut add = |r: &dyn super::conn::Row| {
            kept.push(rows::record(r, with_facts)?);
            Ok(())
        };
        let lookup = ByUid {
            table: "kept_expunged",
            cols: &cols,
            mailbox,
            since: Some(since),
        };
        lookup.read(c, &missing, &mut add).await?;
        out.extend(kept);
        out.sort_unstable_by_key(|r| r.state.uid);
    }
    Ok(out)
}

/// Rows of one table by UID: `messages`, or `kept_expunged` rows expunged at `since` or later.
struct ByUid<'a> {
    table: &'a str,
    cols: &'a str,
    mailbox: MailboxId,
    since: Option<i64>,
}

impl ByUid<'_> {
    /// Reads the rows of `sorted` UIDs, FETCH_CHUNK UIDs per statement: every chunk is that
    /// long (the last one padded with its last UID), so that it is one statement text each
    /// connection prepares once.
    async fn read<C: Conn>(
        &self,
        c: &mut C,
        sorted: &[u32],
        each: &mut (dyn FnMut(&dyn super::conn::Row) -> Result<()> + Send),
    ) -> Result<()> {
        let first = if self.since.is_some() { 3 } else { 2 };
        let marks: Vec<String> = (0..FETCH_CHUNK)
            .map(|i| format!("${}", i + first))
            .collect();
        let age = if self.since.is_some() {
            " AND expunged_at >= $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {} FROM {} WHERE mailbox_id = $1{age} AND uid IN ({}) ORDER BY uid",
            self.cols,
            self.table,
            marks.join(",")
        );
        for chunk in sorted.chunks(FETCH_CHUNK) {
            let last = chunk[chunk.len() - 1];
            let mut params = Vec::with_capacity(FETCH_CHUNK + first);
            params.push(Int(self.mailbox.0));
            params.extend(self.since.map(Int));
            params.extend(chunk.iter().map(|&u| Int(i64::from(u))));
            params.resize(FETCH_CHUNK + first - 1, Int(i64::from(last)));
            c.query(&sql, &params, each).await?;
        }
        Ok(())
    }
}

/// Whether a FETCH of `uids` takes several statements (so the caller reads in one snapshot).
pub(crate) fn fetch_needs_snapshot(uids: &[u32]) -> bool {
    span(uids).is_some_and(|(lo, hi)| !dense(uids, lo, hi))
}
