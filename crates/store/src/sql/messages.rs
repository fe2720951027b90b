//! Messages: append, snapshot, changes since a MODSEQ, flag updates, copy/move, expunge and
//! the metadata FETCH needs.
//!
//! Every writer first locks the mailbox row ([`SqlStore::lock_mailbox`]), then (for quota) the
//! account row: always in that order, so PostgreSQL transactions never deadlock on each other.
//! COPY/MOVE lock their two mailboxes in id order.

use super::accounts::charge_quota;
use super::{SqlStore, col_i64, now};
use crate::error::{Result, StoreError};
use crate::types::*;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};
use std::collections::HashSet;

/// The columns [`state_from_row`] reads.
const STATE_COLS: &str = "uid, flags, keywords, modseq";

fn state_from_row(row: &AnyRow) -> Result<MessageState> {
    let keywords: String = row.try_get("keywords")?;
    Ok(MessageState {
        uid: col_i64(row, "uid")? as u32,
        flags: Flags::from_stored(col_i64(row, "flags")?, &keywords),
        modseq: col_i64(row, "modseq")? as u64,
    })
}

/// EMAILID (RFC 8474): the same for every copy of a message, derived from its content address.
pub(crate) fn email_id(blob: &BlobRef) -> String {
    format!("M{}", &blob.hex()[..24])
}

/// UIDs per `IN (…)` query when fetching scattered messages (well under SQLite's and
/// PostgreSQL's limits on bound parameters).
const FETCH_CHUNK: usize = 500;

/// The UIDs of `uids` as a set plus the range that holds them, for `uid BETWEEN` queries.
fn uid_range(uids: &[u32]) -> Option<(HashSet<u32>, i64, i64)> {
    let lo = *uids.iter().min()?;
    let hi = *uids.iter().max()?;
    Some((uids.iter().copied().collect(), lo as i64, hi as i64))
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

impl SqlStore {
    /// Records that `mailbox` reached `modseq` and, if given, its new UIDNEXT.
    async fn bump_mailbox(
        &self,
        tx: &mut Transaction<'static, Any>,
        mailbox: MailboxId,
        modseq: u64,
        uid_next: u32,
    ) -> Result<()> {
        sqlx::query("UPDATE mailboxes SET highest_modseq = $2, uid_next = $3 WHERE id = $1")
            .bind(mailbox.0)
            .bind(modseq as i64)
            .bind(uid_next as i64)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub(crate) async fn append_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> Result<AppendResult> {
        if messages.is_empty() {
            return Err(StoreError::Cannot("nothing to append".into()));
        }
        let mut w = self.write().await?;
        let n = messages.len() as u64;
        // Locks the mailbox row and takes its UIDs and MODSEQ in one statement; a refusal
        // below rolls it back with the rest.
        let sql = format!(
            "UPDATE mailboxes SET uid_next = uid_next + $3, highest_modseq = highest_modseq + 1 \
             WHERE id = $1 AND account_id = $2 RETURNING {}",
            super::mailboxes::MAILBOX_COLS
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(mailbox.0)
            .bind(account.0)
            .bind(n as i64)
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))?;
        if col_i64(&row, "uid_next")? > i64::from(u32::MAX) {
            return Err(StoreError::Cannot(
                "the mailbox has used up its UIDs".into(),
            ));
        }
        let bumped = super::mailboxes::mailbox_from_row(&row)?;
        // The mailbox as it was before this append.
        let info = MailboxInfo {
            uid_next: bumped.uid_next - n as u32,
            highest_modseq: bumped.highest_modseq - 1,
            ..bumped
        };
        let total: u64 = messages.iter().map(|m| m.size).sum();
        charge_quota(&mut w.tx, account, total as i64, n as i64).await?;
        // Blob rows are locked in address order, as the sweep does, so that two transactions
        // never wait on each other's blob rows in opposite orders (PostgreSQL deadlock).
        let mut blobs: Vec<(BlobRef, i64)> = messages
            .iter()
            .map(|m| (m.blob, m.put_started_ms))
            .collect();
        blobs.sort();
        blobs.dedup_by_key(|b| b.0);
        for (blob, put_started_ms) in &blobs {
            self.check_blob(&mut w.tx, blob, *put_started_ms).await?;
        }
        let modseq = info.highest_modseq + 1;
        let saved = now();
        let mut uids = Vec::with_capacity(messages.len());
        for (i, m) in messages.iter().enumerate() {
            let uid = info.uid_next + i as u32;
            sqlx::query(
                "INSERT INTO messages (mailbox_id, uid, account_id, blob, size, internal_date, \
                 save_date, modseq, flags, keywords, facts, internal_zone) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(mailbox.0)
            .bind(uid as i64)
            .bind(account.0)
            .bind(m.blob.hex())
            .bind(m.size as i64)
            .bind(m.internal_date)
            .bind(saved)
            .bind(modseq as i64)
            .bind(m.flags.system as i64)
            .bind(m.flags.keywords_text())
            .bind(m.facts.clone())
            .bind(m.internal_zone as i64)
            .execute(&mut *w.tx)
            .await?;
            uids.push(uid);
        }
        w.commit().await?;
        self.publish(account, mailbox, modseq);
        Ok(AppendResult {
            uid_validity: info.uid_validity,
            uids,
            modseq,
        })
    }

    pub(crate) async fn snapshot_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<Snapshot> {
        // One statement (one consistent view, one round trip): the mailbox row joined with
        // its messages; an empty mailbox gives one row without a message.
        let rows = sqlx::query(
            "SELECT m.id, m.name, m.uid_validity, m.uid_next, m.highest_modseq, m.special_use, \
                    msg.uid, msg.flags, msg.keywords, msg.modseq \
             FROM mailboxes m LEFT JOIN messages msg ON msg.mailbox_id = m.id \
             WHERE m.id = $1 AND m.account_id = $2 ORDER BY msg.uid",
        )
        .bind(mailbox.0)
        .bind(account.0)
        .fetch_all(&self.pool)
        .await?;
        let first = rows
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))?;
        let info = super::mailboxes::mailbox_from_row(first)?;
        let mut messages = Vec::with_capacity(rows.len());
        for row in &rows {
            if row.try_get::<Option<i64>, _>("uid")?.is_some() {
                messages.push(state_from_row(row)?);
            }
        }
        Ok(Snapshot {
            mailbox: info,
            messages,
        })
    }

    /// `NotFound` unless `mailbox` exists and is `account`'s.
    async fn check_mailbox(&self, account: AccountId, mailbox: MailboxId) -> Result<()> {
        sqlx::query("SELECT id FROM mailboxes WHERE id = $1 AND account_id = $2")
            .bind(mailbox.0)
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))?;
        Ok(())
    }

    /// Reads a mailbox row of `account` without locking it.
    async fn read_mailbox(
        &self,
        tx: &mut Transaction<'static, Any>,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<MailboxInfo> {
        let sql = format!(
            "SELECT {} FROM mailboxes WHERE id = $1 AND account_id = $2",
            super::mailboxes::MAILBOX_COLS
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(mailbox.0)
            .bind(account.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))?;
        super::mailboxes::mailbox_from_row(&row)
    }

    pub(crate) async fn changes_since_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        modseq: u64,
    ) -> Result<Changes> {
        let since = modseq.min(i64::MAX as u64) as i64;
        // After every command of every session: one statement (one consistent view, one round
        // trip) instead of a transaction of three. Rows of kind 0: the mailbox (uid = its
        // UIDNEXT, modseq = its HIGHESTMODSEQ), absent if it is not the account's; 1: changed
        // messages; 2: expunged UIDs.
        let rows = sqlx::query(
            "SELECT CAST(0 AS BIGINT) AS kind, uid_next AS uid, CAST(0 AS BIGINT) AS flags, \
                    '' AS keywords, highest_modseq AS modseq \
               FROM mailboxes WHERE id = $1 AND account_id = $3 \
             UNION ALL \
             SELECT CAST(1 AS BIGINT), uid, flags, keywords, modseq \
               FROM messages WHERE mailbox_id = $1 AND modseq > $2 \
             UNION ALL \
             SELECT CAST(2 AS BIGINT), uid, CAST(0 AS BIGINT), '', modseq \
               FROM expunged WHERE mailbox_id = $1 AND modseq > $2 \
             ORDER BY kind, uid",
        )
        .bind(mailbox.0)
        .bind(since)
        .bind(account.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Changes {
            changed: Vec::new(),
            expunged: Vec::new(),
            highest_modseq: 0,
            uid_next: 0,
        };
        let mut found = false;
        for row in &rows {
            match col_i64(row, "kind")? {
                0 => {
                    found = true;
                    out.uid_next = col_i64(row, "uid")? as u32;
                    out.highest_modseq = col_i64(row, "modseq")? as u64;
                }
                1 => out.changed.push(state_from_row(row)?),
                _ => out.expunged.push(col_i64(row, "uid")? as u32),
            }
        }
        if !found {
            return Err(StoreError::NotFound(format!("mailbox {mailbox}")));
        }
        Ok(out)
    }

    pub(crate) async fn store_flags_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        update: FlagUpdate,
    ) -> Result<FlagUpdateResult> {
        let mut w = self.write().await?;
        let info = self.lock_mailbox(&mut w.tx, account, mailbox).await?;
        let mut result = FlagUpdateResult {
            updated: Vec::new(),
            modified: Vec::new(),
        };
        let Some((wanted, lo, hi)) = uid_range(&update.uids) else {
            return Ok(result);
        };
        let sql = format!(
            "SELECT {STATE_COLS} FROM messages WHERE mailbox_id = $1 AND uid BETWEEN $2 AND $3 \
             ORDER BY uid"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(mailbox.0)
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *w.tx)
            .await?;
        let modseq = info.highest_modseq + 1;
        for row in &rows {
            let cur = state_from_row(row)?;
            if !wanted.contains(&cur.uid) {
                continue;
            }
            if update.unchanged_since.is_some_and(|u| cur.modseq > u) {
                result.modified.push(cur.uid);
                continue;
            }
            let flags = cur.flags.apply(update.op, &update.flags);
            if flags == cur.flags {
                continue;
            }
            sqlx::query(
                "UPDATE messages SET flags = $3, keywords = $4, modseq = $5 \
                 WHERE mailbox_id = $1 AND uid = $2",
            )
            .bind(mailbox.0)
            .bind(cur.uid as i64)
            .bind(flags.system as i64)
            .bind(flags.keywords_text())
            .bind(modseq as i64)
            .execute(&mut *w.tx)
            .await?;
            result.updated.push(MessageState {
                uid: cur.uid,
                flags,
                modseq,
            });
        }
        if result.updated.is_empty() {
            return Ok(result);
        }
        self.bump_mailbox(&mut w.tx, mailbox, modseq, info.uid_next)
            .await?;
        w.commit().await?;
        self.publish(account, mailbox, modseq);
        Ok(result)
    }

    pub(crate) async fn copy_impl(&self, t: Transfer<'_>) -> Result<(CopyResult, ExpungeResult)> {
        let Transfer {
            account,
            from,
            to,
            is_move,
            ..
        } = t;
        let mut w = self.write().await?;
        let (copy, expunge) = self.copy_in(&mut w.tx, &t).await?;
        w.commit().await?;
        if !copy.pairs.is_empty() {
            let dst = self.mailbox_modseq(account, to).await?;
            self.publish(account, to, dst);
        }
        if is_move && !expunge.uids.is_empty() {
            self.publish(account, from, expunge.modseq);
        }
        Ok((copy, expunge))
    }

    async fn mailbox_modseq(&self, account: AccountId, mailbox: MailboxId) -> Result<u64> {
        let mut tx = self.read().await?;
        let info = self.read_mailbox(&mut tx, account, mailbox).await?;
        tx.commit().await?;
        Ok(info.highest_modseq)
    }

    /// COPY (and for MOVE, expunge from the source) inside a write transaction.
    pub(crate) async fn copy_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        t: &Transfer<'_>,
    ) -> Result<(CopyResult, ExpungeResult)> {
        let Transfer {
            account,
            from,
            uids,
            to,
            is_move,
        } = *t;
        // Lock both mailboxes, lower id first.
        let (src, dst) = if from.0 <= to.0 {
            let s = self.lock_mailbox(tx, account, from).await?;
            let d = if from == to {
                s.clone()
            } else {
                self.lock_mailbox(tx, account, to).await?
            };
            (s, d)
        } else {
            let d = self.lock_mailbox(tx, account, to).await?;
            (self.lock_mailbox(tx, account, from).await?, d)
        };
        let mut copy = CopyResult {
            uid_validity: dst.uid_validity,
            pairs: Vec::new(),
        };
        let mut expunge = ExpungeResult {
            uids: Vec::new(),
            modseq: src.highest_modseq,
        };
        let Some((wanted, lo, hi)) = uid_range(uids) else {
            return Ok((copy, expunge));
        };
        let rows = sqlx::query(
            "SELECT uid, blob, size, internal_date, internal_zone, flags, keywords, facts \
             FROM messages \
             WHERE mailbox_id = $1 AND uid BETWEEN $2 AND $3 ORDER BY uid",
        )
        .bind(from.0)
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut **tx)
        .await?;
        let rows: Vec<&AnyRow> = rows
            .iter()
            .filter(|r| col_i64(r, "uid").is_ok_and(|u| wanted.contains(&(u as u32))))
            .collect();
        if rows.is_empty() {
            return Ok((copy, expunge));
        }
        let n = rows.len() as u64;
        if dst.uid_next as u64 + n > u32::MAX as u64 {
            return Err(StoreError::Cannot(
                "the mailbox has used up its UIDs".into(),
            ));
        }
        let total: i64 = rows
            .iter()
            .map(|r| col_i64(r, "size"))
            .sum::<Result<i64>>()?;
        if !is_move {
            charge_quota(tx, account, total, n as i64).await?;
        }
        // A MOVE within one mailbox takes one MODSEQ for both halves.
        let dst_modseq = dst.highest_modseq + 1;
        let saved = now();
        for (i, r) in rows.iter().enumerate() {
            let src_uid = col_i64(r, "uid")? as u32;
            let new_uid = dst.uid_next + i as u32;
            sqlx::query(
                "INSERT INTO messages (mailbox_id, uid, account_id, blob, size, internal_date, \
                 save_date, modseq, flags, keywords, facts, internal_zone) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(to.0)
            .bind(new_uid as i64)
            .bind(account.0)
            .bind(r.try_get::<String, _>("blob")?)
            .bind(col_i64(r, "size")?)
            .bind(col_i64(r, "internal_date")?)
            .bind(saved)
            .bind(dst_modseq as i64)
            .bind(col_i64(r, "flags")?)
            .bind(r.try_get::<String, _>("keywords")?)
            .bind(r.try_get::<Vec<u8>, _>("facts")?)
            .bind(col_i64(r, "internal_zone")?)
            .execute(&mut **tx)
            .await?;
            copy.pairs.push((src_uid, new_uid));
        }
        self.bump_mailbox(tx, to, dst_modseq, dst.uid_next + n as u32)
            .await?;
        if is_move {
            let src_uids: Vec<u32> = copy.pairs.iter().map(|p| p.0).collect();
            let src_modseq = if from == to {
                dst_modseq
            } else {
                src.highest_modseq + 1
            };
            let src_uid_next = if from == to {
                dst.uid_next + n as u32
            } else {
                src.uid_next
            };
            self.remove_messages(tx, from, &src_uids, src_modseq)
                .await?;
            self.bump_mailbox(tx, from, src_modseq, src_uid_next)
                .await?;
            expunge = ExpungeResult {
                uids: src_uids,
                modseq: src_modseq,
            };
        }
        Ok((copy, expunge))
    }

    /// Deletes message rows and remembers them as expunged at `modseq`.
    async fn remove_messages(
        &self,
        tx: &mut Transaction<'static, Any>,
        mailbox: MailboxId,
        uids: &[u32],
        modseq: u64,
    ) -> Result<()> {
        for uid in uids {
            sqlx::query("DELETE FROM messages WHERE mailbox_id = $1 AND uid = $2")
                .bind(mailbox.0)
                .bind(*uid as i64)
                .execute(&mut **tx)
                .await?;
            sqlx::query("INSERT INTO expunged (mailbox_id, uid, modseq) VALUES ($1, $2, $3)")
                .bind(mailbox.0)
                .bind(*uid as i64)
                .bind(modseq as i64)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn expunge_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&[u32]>,
    ) -> Result<ExpungeResult> {
        let mut w = self.write().await?;
        let info = self.lock_mailbox(&mut w.tx, account, mailbox).await?;
        let rows = sqlx::query(
            "SELECT uid, size FROM messages WHERE mailbox_id = $1 AND (flags & 8) <> 0 ORDER BY uid",
        )
        .bind(mailbox.0)
        .fetch_all(&mut *w.tx)
        .await?;
        let only: Option<HashSet<u32>> = uids.map(|u| u.iter().copied().collect());
        let mut gone = Vec::new();
        let mut freed = 0i64;
        for r in &rows {
            let uid = col_i64(r, "uid")? as u32;
            if only.as_ref().is_none_or(|o| o.contains(&uid)) {
                gone.push(uid);
                freed += col_i64(r, "size")?;
            }
        }
        if gone.is_empty() {
            return Ok(ExpungeResult {
                uids: gone,
                modseq: info.highest_modseq,
            });
        }
        let modseq = info.highest_modseq + 1;
        self.remove_messages(&mut w.tx, mailbox, &gone, modseq)
            .await?;
        charge_quota(&mut w.tx, account, -freed, -(gone.len() as i64)).await?;
        self.bump_mailbox(&mut w.tx, mailbox, modseq, info.uid_next)
            .await?;
        w.commit().await?;
        self.publish(account, mailbox, modseq);
        Ok(ExpungeResult { uids: gone, modseq })
    }

    pub(crate) async fn uid_blobs_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        after: u32,
    ) -> Result<Vec<(u32, BlobRef)>> {
        let rows = sqlx::query(
            "SELECT uid, blob FROM messages WHERE mailbox_id = $1 AND uid > $2 \
               AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $3) \
             ORDER BY uid",
        )
        .bind(mailbox.0)
        .bind(i64::from(after))
        .bind(account.0)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            // Nothing new, or not the account's mailbox.
            self.check_mailbox(account, mailbox).await?;
        }
        rows.iter()
            .map(|r| {
                let uid = col_i64(r, "uid")? as u32;
                let hex: String = r.try_get("blob")?;
                let blob = BlobRef::from_hex(&hex)
                    .ok_or_else(|| StoreError::Internal(format!("bad blob address {hex:?}")))?;
                Ok((uid, blob))
            })
            .collect()
    }

    pub(crate) async fn fetch_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
        with_facts: bool,
    ) -> Result<Vec<MessageRecord>> {
        let Some((wanted, lo, hi)) = uid_range(uids) else {
            self.check_mailbox(account, mailbox).await?;
            return Ok(Vec::new());
        };
        let facts = if with_facts { ", facts" } else { "" };
        let cols = format!(
            "SELECT uid, flags, keywords, modseq, blob, size, internal_date, internal_zone, \
             save_date{facts} FROM messages WHERE mailbox_id = $1"
        );
        let rows = if (hi - lo + 1) as usize <= wanted.len() * 2 {
            // Dense (a whole mailbox, a range): one range scan, in one statement with the
            // check that the mailbox is the account's (one round trip for a FETCH).
            let sql = format!(
                "{cols} AND uid BETWEEN $2 AND $3 \
                 AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $4) \
                 ORDER BY uid"
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(mailbox.0)
                .bind(lo)
                .bind(hi)
                .bind(account.0)
                .fetch_all(&self.pool)
                .await?;
            if rows.is_empty() {
                self.check_mailbox(account, mailbox).await?;
            }
            rows
        } else {
            let mut tx = self.read().await?;
            self.read_mailbox(&mut tx, account, mailbox).await?;
            // Sparse (SEARCH's index candidates): only those rows, by key.
            let mut sorted: Vec<u32> = wanted.iter().copied().collect();
            sorted.sort_unstable();
            let mut rows = Vec::with_capacity(sorted.len());
            for chunk in sorted.chunks(FETCH_CHUNK) {
                let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!("{cols} AND uid IN ({}) ORDER BY uid", marks.join(","));
                let mut q = sqlx::query(AssertSqlSafe(sql)).bind(mailbox.0);
                for &uid in chunk {
                    q = q.bind(i64::from(uid));
                }
                rows.extend(q.fetch_all(&mut *tx).await?);
            }
            tx.commit().await?;
            rows
        };
        let mut out = Vec::new();
        for r in &rows {
            let state = state_from_row(r)?;
            if !wanted.contains(&state.uid) {
                continue;
            }
            let hex: String = r.try_get("blob")?;
            let blob = BlobRef::from_hex(&hex)
                .ok_or_else(|| StoreError::Internal(format!("bad blob address {hex:?}")))?;
            out.push(MessageRecord {
                state,
                email_id: email_id(&blob),
                blob,
                size: col_i64(r, "size")? as u64,
                internal_date: col_i64(r, "internal_date")?,
                internal_zone: col_i64(r, "internal_zone")? as i16,
                save_date: col_i64(r, "save_date")?,
                facts: if with_facts {
                    r.try_get("facts")?
                } else {
                    Vec::new()
                },
            });
        }
        Ok(out)
    }
}
