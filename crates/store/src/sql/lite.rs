//! SQLite's hot paths without sqlx. The mail writes (APPEND, STORE, COPY/MOVE, EXPUNGE, the
//! \Recent claim) run as plain function calls on a rusqlite connection owned by one writer
//! thread; the reads every IMAP command makes (the changes after each command, FETCH, SELECT's
//! snapshot, SEARCH's UID map, mailbox lookups) run on pooled rusqlite connections right on
//! the calling task: a few indexed rows each, tens of microseconds, less than the round trip
//! to another thread they replace.
//!
//! Why not sqlx here (measured with `strata-loadgen run`, 50 clients, on the 2-core machine of
//! docs/benchmarks.md): sqlx's SQLite driver runs each connection on a thread of its own, so each
//! statement is a round trip between threads, two wake-ups. A mail write is five to ten
//! statements made while holding SQLite's one writer lock, and on a busy machine each wake-up
//! waits for a core: the lock was held about 0.9 ms per write (1.5 ms before the writer had a
//! thread and a connection of its own), the writers queued behind it (APPEND p50 ≈ 40 ms while
//! reads took 1–4 ms), and the wake-ups cost a fifth of the server's CPU. Here the statements
//! of a transaction run back to back on the writer thread; only the request and the answer
//! cross threads. With the writes moved, sqlx's threads still took a quarter of the CPU for the
//! reads, hence the readers.
//!
//! The logic is that of `messages.rs` and `mailboxes.rs` (which PostgreSQL and the rest of
//! SQLite's writes keep using), with the same SQL: the storage suite runs every case on both
//! backends, so each path is held to the same behaviour. Rules shared with the sqlx path:
//! - the writer lock ([`SqlStore`]'s `write_lock`) is held for the whole transaction, so these
//!   writes and sqlx's (accounts, mailbox tree, the sweep) never overlap;
//! - transactions begin IMMEDIATE and commit at `synchronous = NORMAL`; [`Lite::run`] then waits
//!   for the group commit's WAL fsync before it returns (invariant 3);
//! - events are published after that, by the caller.

use super::blobs::MAX_CLOCK_SKEW_MS;
use super::messages::Transfer;
use super::{WalSync, now};
use crate::error::{Result, StoreError};
use crate::types::*;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::{Mutex, oneshot};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == ErrorCode::ConstraintViolation
                    && matches!(
                        f.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                            | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    ) =>
            {
                StoreError::AlreadyExists(e.to_string())
            }
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen
                ) =>
            {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// Idle reader connections kept for reuse; more are opened when more readers run at once.
const IDLE_READERS: usize = 16;

/// The writer thread and its connection, and the readers' connections. The thread ends when
/// the last clone of the store is dropped (the job channel closes).
pub(crate) struct Lite {
    jobs: std::sync::Mutex<mpsc::Sender<Job>>,
    lock: Arc<Mutex<()>>,
    wal: Option<Arc<WalSync>>,
    path: PathBuf,
    readers: std::sync::Mutex<Vec<Connection>>,
}

impl Lite {
    /// Opens the writer's connection to the database file at `path` (migrated already) and
    /// starts its thread. `lock` is the store's writer lock.
    pub(crate) fn start(
        path: &Path,
        lock: Arc<Mutex<()>>,
        wal: Option<Arc<WalSync>>,
    ) -> Result<Lite> {
        // The file exists (sqlx created and migrated it): a path that names another file fails
        // here, loudly, instead of writing to a new empty database.
        let mut conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // As sqlx's connections (see `pool_options`); durability comes from the group commit.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(64);
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                for job in queue {
                    // A panicking write fails alone (its answer channel is dropped, its
                    // transaction rolled back); the thread goes on serving the others.
                    let _ =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut conn)));
                }
            })
            .map_err(|e| StoreError::Internal(format!("SQLite writer thread: {e}")))?;
        Ok(Lite {
            jobs: std::sync::Mutex::new(jobs),
            lock,
            wal,
            path: path.to_path_buf(),
            readers: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Runs `op` on a reader connection, on this thread. Each statement sees one committed
    /// state; `op` opens a transaction when it needs several to agree.
    pub(crate) fn read<T>(&self, op: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                // As sqlx's connections (see `pool_options`).
                c.pragma_update(None, "mmap_size", super::MMAP_SIZE)?;
                c.pragma_update(None, "query_only", "ON")?;
                c.set_prepared_statement_cache_capacity(64);
                c
            }
        };
        let result = op(&conn);
        let mut idle = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Runs `op` in one IMMEDIATE transaction on the writer thread, under the writer lock;
    /// commits if it succeeds, rolls back if not, and returns once the commit is durable.
    /// An operation that changed nothing still waits for the commits it saw to be durable
    /// (its answer reflects them; invariant 3). Once sent it runs to its end even if the
    /// caller goes away.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (done, answer) = oneshot::channel();
        let lock = Arc::clone(&self.lock);
        let wal = self.wal.clone();
        let job: Job = Box::new(move |conn| {
            let guard = lock.blocking_lock();
            let before = conn.total_changes();
            let result = (|| -> Result<T> {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = op(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            // The ticket is taken before the lock is released, so that every later operation
            // that sees this commit also waits for it.
            let ticket = match &wal {
                Some(w) if result.is_ok() && conn.total_changes() != before => w.take(),
                Some(w) => w.last(),
                None => 0,
            };
            drop(guard);
            let _ = done.send(result.map(|v| (v, ticket)));
        });
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job)
            .map_err(|_| StoreError::Internal("the SQLite writer thread is gone".into()))?;
        let (value, ticket) = answer
            .await
            .map_err(|_| StoreError::Internal("the SQLite writer thread failed".into()))??;
        if let Some(w) = &self.wal {
            w.wait_for(ticket).await?;
        }
        Ok(value)
    }
}

fn mailbox_from(row: &Row<'_>) -> rusqlite::Result<MailboxInfo> {
    let special_use: Option<String> = row.get("special_use")?;
    Ok(MailboxInfo {
        id: MailboxId(row.get("id")?),
        name: row.get("name")?,
        uid_validity: row.get::<_, i64>("uid_validity")? as u32,
        uid_next: row.get::<_, i64>("uid_next")? as u32,
        highest_modseq: row.get::<_, i64>("highest_modseq")? as u64,
        special_use: special_use.as_deref().and_then(SpecialUse::from_name),
    })
}

/// Locks nothing (the writer lock is held) but checks that `mailbox` is `account`'s.
fn mailbox(tx: &Connection, account: AccountId, mailbox: MailboxId) -> Result<MailboxInfo> {
    tx.prepare_cached(
        "SELECT id, name, uid_validity, uid_next, highest_modseq, special_use \
         FROM mailboxes WHERE id = ?1 AND account_id = ?2",
    )?
    .query_row(params![mailbox.0, account.0], mailbox_from)
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))
}

fn bump_mailbox(
    tx: &Transaction<'_>,
    mailbox: MailboxId,
    modseq: u64,
    uid_next: u32,
) -> Result<()> {
    tx.prepare_cached("UPDATE mailboxes SET highest_modseq = ?2, uid_next = ?3 WHERE id = ?1")?
        .execute(params![mailbox.0, modseq as i64, i64::from(uid_next)])?;
    Ok(())
}

/// `accounts::charge_quota` on this connection.
fn charge_quota(
    tx: &Transaction<'_>,
    account: AccountId,
    storage: i64,
    messages: i64,
) -> Result<()> {
    let charging = i64::from(storage > 0 || messages > 0);
    let charged = tx
        .prepare_cached(
            "UPDATE accounts SET used_storage = used_storage + ?2, \
                                 used_messages = used_messages + ?3 \
             WHERE id = ?1 AND (?4 = 0 OR ( \
                 (quota_storage IS NULL OR used_storage + ?5 <= quota_storage) \
                 AND (quota_messages IS NULL OR used_messages + ?6 <= quota_messages)))",
        )?
        .execute(params![
            account.0,
            storage,
            messages,
            charging,
            storage.max(0),
            messages.max(0)
        ])?;
    if charged == 1 {
        return Ok(());
    }
    let exists = tx
        .prepare_cached("SELECT id FROM accounts WHERE id = ?1")?
        .query_row(params![account.0], |_| Ok(()))
        .optional()?;
    match exists {
        Some(()) => Err(StoreError::OverQuota),
        None => Err(StoreError::NotFound("account".into())),
    }
}

/// `blobs::check_blob` on this connection (rule 3 of blob-store's `BlobReferences`).
fn check_blob(tx: &Transaction<'_>, blob: &BlobRef, put_started_ms: i64) -> Result<()> {
    let hex = blob.hex();
    let (marked, done): (Option<i64>, Option<i64>) = tx
        .prepare_cached(
            "INSERT INTO blobs (blob) VALUES (?1) \
             ON CONFLICT (blob) DO UPDATE SET blob = excluded.blob \
             RETURNING marked_at, done_at",
        )?
        .query_row(params![hex], |r| Ok((r.get(0)?, r.get(1)?)))?;
    match (marked, done) {
        (None, _) => Ok(()),
        (Some(_), Some(done)) if done < put_started_ms - MAX_CLOCK_SKEW_MS => {
            tx.prepare_cached("UPDATE blobs SET marked_at = NULL, done_at = NULL WHERE blob = ?1")?
                .execute(params![hex])?;
            Ok(())
        }
        (Some(_), _) => Err(StoreError::BlobCollected(hex)),
    }
}

const INSERT_MESSAGE: &str = "INSERT INTO messages (mailbox_id, uid, account_id, blob, size, \
     internal_date, save_date, modseq, flags, keywords, facts, internal_zone) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

fn used_up() -> StoreError {
    StoreError::Cannot("the mailbox has used up its UIDs".into())
}

/// APPEND (`messages::append_impl`).
pub(crate) fn append(
    tx: &Transaction<'_>,
    account: AccountId,
    mailbox_id: MailboxId,
    messages: &[NewMessage],
) -> Result<AppendResult> {
    if messages.is_empty() {
        return Err(StoreError::Cannot("nothing to append".into()));
    }
    let info = mailbox(tx, account, mailbox_id)?;
    let n = messages.len() as u64;
    if u64::from(info.uid_next) + n > u64::from(u32::MAX) {
        return Err(used_up());
    }
    let total: u64 = messages.iter().map(|m| m.size).sum();
    charge_quota(tx, account, total as i64, n as i64)?;
    let mut blobs: Vec<(BlobRef, i64)> = messages
        .iter()
        .map(|m| (m.blob, m.put_started_ms))
        .collect();
    blobs.sort();
    blobs.dedup_by_key(|b| b.0);
    for (blob, put_started_ms) in &blobs {
        check_blob(tx, blob, *put_started_ms)?;
    }
    let modseq = info.highest_modseq + 1;
    let saved = now();
    let mut insert = tx.prepare_cached(INSERT_MESSAGE)?;
    let mut uids = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let uid = info.uid_next + i as u32;
        insert.execute(params![
            mailbox_id.0,
            i64::from(uid),
            account.0,
            m.blob.hex(),
            m.size as i64,
            m.internal_date,
            saved,
            modseq as i64,
            i64::from(m.flags.system),
            m.flags.keywords_text(),
            m.facts,
            i64::from(m.internal_zone),
        ])?;
        uids.push(uid);
    }
    bump_mailbox(tx, mailbox_id, modseq, info.uid_next + n as u32)?;
    Ok(AppendResult {
        uid_validity: info.uid_validity,
        uids,
        modseq,
    })
}

fn state_of(row: &Row<'_>) -> rusqlite::Result<MessageState> {
    let keywords: String = row.get("keywords")?;
    Ok(MessageState {
        uid: row.get::<_, i64>("uid")? as u32,
        flags: Flags::from_stored(row.get("flags")?, &keywords),
        modseq: row.get::<_, i64>("modseq")? as u64,
    })
}

/// STORE (`messages::store_flags_impl`). The result's `updated` is empty when nothing changed
/// (then nothing was written).
pub(crate) fn store_flags(
    tx: &Transaction<'_>,
    account: AccountId,
    mailbox_id: MailboxId,
    update: &FlagUpdate,
) -> Result<FlagUpdateResult> {
    let info = mailbox(tx, account, mailbox_id)?;
    let mut result = FlagUpdateResult {
        updated: Vec::new(),
        modified: Vec::new(),
    };
    let (Some(&lo), Some(&hi)) = (update.uids.iter().min(), update.uids.iter().max()) else {
        return Ok(result);
    };
    let wanted: HashSet<u32> = update.uids.iter().copied().collect();
    let current: Vec<MessageState> = tx
        .prepare_cached(
            "SELECT uid, flags, keywords, modseq FROM messages \
             WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3 ORDER BY uid",
        )?
        .query_map(
            params![mailbox_id.0, i64::from(lo), i64::from(hi)],
            state_of,
        )?
        .collect::<rusqlite::Result<_>>()?;
    let modseq = info.highest_modseq + 1;
    let mut set = tx.prepare_cached(
        "UPDATE messages SET flags = ?3, keywords = ?4, modseq = ?5 \
         WHERE mailbox_id = ?1 AND uid = ?2",
    )?;
    for cur in current {
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
        set.execute(params![
            mailbox_id.0,
            i64::from(cur.uid),
            i64::from(flags.system),
            flags.keywords_text(),
            modseq as i64
        ])?;
        result.updated.push(MessageState {
            uid: cur.uid,
            flags,
            modseq,
        });
    }
    if !result.updated.is_empty() {
        bump_mailbox(tx, mailbox_id, modseq, info.uid_next)?;
    }
    Ok(result)
}

/// Deletes message rows and remembers them as expunged at `modseq`.
fn remove_messages(
    tx: &Transaction<'_>,
    mailbox: MailboxId,
    uids: &[u32],
    modseq: u64,
) -> Result<()> {
    let mut delete =
        tx.prepare_cached("DELETE FROM messages WHERE mailbox_id = ?1 AND uid = ?2")?;
    let mut remember =
        tx.prepare_cached("INSERT INTO expunged (mailbox_id, uid, modseq) VALUES (?1, ?2, ?3)")?;
    for &uid in uids {
        delete.execute(params![mailbox.0, i64::from(uid)])?;
        remember.execute(params![mailbox.0, i64::from(uid), modseq as i64])?;
    }
    Ok(())
}

/// COPY or MOVE (`messages::copy_in`); also returns the destination's new MODSEQ when
/// something was copied.
pub(crate) fn copy(
    tx: &Transaction<'_>,
    t: &Transfer<'_>,
) -> Result<(CopyResult, ExpungeResult, Option<u64>)> {
    let Transfer {
        account,
        from,
        uids,
        to,
        is_move,
    } = *t;
    let src = mailbox(tx, account, from)?;
    let dst = if from == to {
        src.clone()
    } else {
        mailbox(tx, account, to)?
    };
    let mut copy = CopyResult {
        uid_validity: dst.uid_validity,
        pairs: Vec::new(),
    };
    let mut expunge = ExpungeResult {
        uids: Vec::new(),
        modseq: src.highest_modseq,
    };
    let (Some(&lo), Some(&hi)) = (uids.iter().min(), uids.iter().max()) else {
        return Ok((copy, expunge, None));
    };
    let wanted: HashSet<u32> = uids.iter().copied().collect();
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
    let rows: Vec<Source> = tx
        .prepare_cached(
            "SELECT uid, blob, size, internal_date, internal_zone, flags, keywords, facts \
             FROM messages WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3 ORDER BY uid",
        )?
        .query_map(params![from.0, i64::from(lo), i64::from(hi)], |r| {
            Ok(Source {
                uid: r.get::<_, i64>("uid")? as u32,
                blob: r.get("blob")?,
                size: r.get("size")?,
                internal_date: r.get("internal_date")?,
                internal_zone: r.get("internal_zone")?,
                flags: r.get("flags")?,
                keywords: r.get("keywords")?,
                facts: r.get("facts")?,
            })
        })?
        .filter(|r| r.as_ref().map_or(true, |s| wanted.contains(&s.uid)))
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Ok((copy, expunge, None));
    }
    let n = rows.len() as u64;
    if u64::from(dst.uid_next) + n > u64::from(u32::MAX) {
        return Err(used_up());
    }
    if !is_move {
        let total: i64 = rows.iter().map(|r| r.size).sum();
        charge_quota(tx, account, total, n as i64)?;
    }
    // A MOVE within one mailbox takes one MODSEQ for both halves.
    let dst_modseq = dst.highest_modseq + 1;
    let saved = now();
    let mut insert = tx.prepare_cached(INSERT_MESSAGE)?;
    for (i, r) in rows.iter().enumerate() {
        let new_uid = dst.uid_next + i as u32;
        insert.execute(params![
            to.0,
            i64::from(new_uid),
            account.0,
            r.blob,
            r.size,
            r.internal_date,
            saved,
            dst_modseq as i64,
            r.flags,
            r.keywords,
            r.facts,
            r.internal_zone,
        ])?;
        copy.pairs.push((r.uid, new_uid));
    }
    bump_mailbox(tx, to, dst_modseq, dst.uid_next + n as u32)?;
    if is_move {
        let src_uids: Vec<u32> = copy.pairs.iter().map(|p| p.0).collect();
        let (src_modseq, src_uid_next) = if from == to {
            (dst_modseq, dst.uid_next + n as u32)
        } else {
            (src.highest_modseq + 1, src.uid_next)
        };
        remove_messages(tx, from, &src_uids, src_modseq)?;
        bump_mailbox(tx, from, src_modseq, src_uid_next)?;
        expunge = ExpungeResult {
            uids: src_uids,
            modseq: src_modseq,
        };
    }
    Ok((copy, expunge, Some(dst_modseq)))
}

/// EXPUNGE / UID EXPUNGE (`messages::expunge_impl`).
pub(crate) fn expunge(
    tx: &Transaction<'_>,
    account: AccountId,
    mailbox_id: MailboxId,
    only: Option<&[u32]>,
) -> Result<ExpungeResult> {
    let info = mailbox(tx, account, mailbox_id)?;
    let only: Option<HashSet<u32>> = only.map(|u| u.iter().copied().collect());
    let mut gone = Vec::new();
    let mut freed = 0i64;
    let mut deleted = tx.prepare_cached(
        "SELECT uid, size FROM messages WHERE mailbox_id = ?1 AND (flags & 8) <> 0 ORDER BY uid",
    )?;
    let mut rows = deleted.query(params![mailbox_id.0])?;
    while let Some(r) = rows.next()? {
        let uid = r.get::<_, i64>(0)? as u32;
        if only.as_ref().is_none_or(|o| o.contains(&uid)) {
            gone.push(uid);
            freed += r.get::<_, i64>(1)?;
        }
    }
    if gone.is_empty() {
        return Ok(ExpungeResult {
            uids: gone,
            modseq: info.highest_modseq,
        });
    }
    let modseq = info.highest_modseq + 1;
    remove_messages(tx, mailbox_id, &gone, modseq)?;
    charge_quota(tx, account, -freed, -(gone.len() as i64))?;
    bump_mailbox(tx, mailbox_id, modseq, info.uid_next)?;
    Ok(ExpungeResult { uids: gone, modseq })
}

/// The \Recent claim (`mailboxes::claim_recent_impl`, after its read found something new).
pub(crate) fn claim_recent(
    tx: &Transaction<'_>,
    account: AccountId,
    mailbox_id: MailboxId,
) -> Result<u32> {
    let info = mailbox(tx, account, mailbox_id)?;
    let first: i64 = tx
        .prepare_cached("SELECT recent_uid FROM mailboxes WHERE id = ?1")?
        .query_row(params![mailbox_id.0], |r| r.get(0))?;
    tx.prepare_cached("UPDATE mailboxes SET recent_uid = ?2 WHERE id = ?1")?
        .execute(params![mailbox_id.0, i64::from(info.uid_next)])?;
    Ok(first as u32)
}

// ---------------------------------------------------------------------------------------------
// Reads (the same SQL as `messages.rs` and `mailboxes.rs`)
// ---------------------------------------------------------------------------------------------

/// `mailboxes::mailbox_impl` (the name already normalised).
pub(crate) fn mailbox_named(
    conn: &Connection,
    account: AccountId,
    name: &str,
) -> Result<MailboxInfo> {
    conn.prepare_cached(
        "SELECT id, name, uid_validity, uid_next, highest_modseq, special_use \
         FROM mailboxes WHERE account_id = ?1 AND name = ?2",
    )?
    .query_row(params![account.0, name], mailbox_from)
    .optional()?
    .ok_or_else(|| StoreError::NotFound(name.to_string()))
}

/// `mailboxes::nothing_recent`.
pub(crate) fn nothing_recent(
    conn: &Connection,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<Option<u32>> {
    let row: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT recent_uid, uid_next FROM mailboxes WHERE id = ?1 AND account_id = ?2",
        )?
        .query_row(params![mailbox.0, account.0], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(row.and_then(|(recent, next)| (recent >= next).then_some(recent as u32)))
}

/// `messages::snapshot_impl`.
pub(crate) fn snapshot(
    conn: &Connection,
    account: AccountId,
    mailbox_id: MailboxId,
) -> Result<Snapshot> {
    let tx = conn.unchecked_transaction()?;
    let info = mailbox(&tx, account, mailbox_id)?;
    let messages = tx
        .prepare_cached(
            "SELECT uid, flags, keywords, modseq FROM messages WHERE mailbox_id = ?1 ORDER BY uid",
        )?
        .query_map(params![mailbox_id.0], state_of)?
        .collect::<rusqlite::Result<_>>()?;
    tx.commit()?;
    Ok(Snapshot {
        mailbox: info,
        messages,
    })
}

/// `messages::changes_since_impl`.
pub(crate) fn changes_since(
    conn: &Connection,
    account: AccountId,
    mailbox_id: MailboxId,
    modseq: u64,
) -> Result<Changes> {
    let since = modseq.min(i64::MAX as u64) as i64;
    let tx = conn.unchecked_transaction()?;
    let info = mailbox(&tx, account, mailbox_id)?;
    let changed = tx
        .prepare_cached(
            "SELECT uid, flags, keywords, modseq FROM messages \
             WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY uid",
        )?
        .query_map(params![mailbox_id.0, since], state_of)?
        .collect::<rusqlite::Result<_>>()?;
    let expunged = tx
        .prepare_cached(
            "SELECT uid FROM expunged WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY uid",
        )?
        .query_map(params![mailbox_id.0, since], |r| {
            Ok(r.get::<_, i64>(0)? as u32)
        })?
        .collect::<rusqlite::Result<_>>()?;
    tx.commit()?;
    Ok(Changes {
        changed,
        expunged,
        highest_modseq: info.highest_modseq,
        uid_next: info.uid_next,
    })
}

/// `messages::uid_blobs_impl`.
pub(crate) fn uid_blobs(
    conn: &Connection,
    account: AccountId,
    mailbox_id: MailboxId,
    after: u32,
) -> Result<Vec<(u32, BlobRef)>> {
    let tx = conn.unchecked_transaction()?;
    mailbox(&tx, account, mailbox_id)?;
    let rows: Vec<(i64, String)> = tx
        .prepare_cached(
            "SELECT uid, blob FROM messages WHERE mailbox_id = ?1 AND uid > ?2 ORDER BY uid",
        )?
        .query_map(params![mailbox_id.0, i64::from(after)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    tx.commit()?;
    rows.into_iter()
        .map(|(uid, hex)| Ok((uid as u32, blob_of(&hex)?)))
        .collect()
}

fn blob_of(hex: &str) -> Result<BlobRef> {
    BlobRef::from_hex(hex).ok_or_else(|| StoreError::Internal(format!("bad blob address {hex:?}")))
}

/// `messages::fetch_impl`: the messages of `uids` that exist, in UID order.
pub(crate) fn fetch(
    conn: &Connection,
    account: AccountId,
    mailbox_id: MailboxId,
    uids: &[u32],
    with_facts: bool,
) -> Result<Vec<MessageRecord>> {
    let tx = conn.unchecked_transaction()?;
    mailbox(&tx, account, mailbox_id)?;
    let (Some(&lo), Some(&hi)) = (uids.iter().min(), uids.iter().max()) else {
        return Ok(Vec::new());
    };
    let wanted: HashSet<u32> = uids.iter().copied().collect();
    let cols = if with_facts {
        "uid, flags, keywords, modseq, blob, size, internal_date, internal_zone, save_date, facts"
    } else {
        "uid, flags, keywords, modseq, blob, size, internal_date, internal_zone, save_date"
    };
    /// A row as read; the blob address is checked after.
    struct Fetched {
        state: MessageState,
        blob: String,
        size: i64,
        internal_date: i64,
        internal_zone: i64,
        save_date: i64,
        facts: Vec<u8>,
    }
    let record = |r: &Row<'_>| -> rusqlite::Result<Fetched> {
        Ok(Fetched {
            state: state_of(r)?,
            blob: r.get("blob")?,
            size: r.get("size")?,
            internal_date: r.get("internal_date")?,
            internal_zone: r.get("internal_zone")?,
            save_date: r.get("save_date")?,
            facts: if with_facts {
                r.get("facts")?
            } else {
                Vec::new()
            },
        })
    };
    let mut rows = Vec::new();
    if (u64::from(hi) - u64::from(lo) + 1) as usize <= wanted.len() * 2 {
        // Dense (a whole mailbox, a range): one range scan.
        let sql = format!(
            "SELECT {cols} FROM messages WHERE mailbox_id = ?1 AND uid BETWEEN ?2 AND ?3 ORDER BY uid"
        );
        let mut q = tx.prepare_cached(&sql)?;
        let found = q.query_map(params![mailbox_id.0, i64::from(lo), i64::from(hi)], record)?;
        for r in found {
            let r = r?;
            if wanted.contains(&r.state.uid) {
                rows.push(r);
            }
        }
    } else {
        // Sparse (SEARCH's index candidates): only those rows, by key.
        let mut sorted: Vec<u32> = wanted.into_iter().collect();
        sorted.sort_unstable();
        let sql = format!("SELECT {cols} FROM messages WHERE mailbox_id = ?1 AND uid = ?2");
        let mut q = tx.prepare_cached(&sql)?;
        for uid in sorted {
            if let Some(r) = q
                .query_row(params![mailbox_id.0, i64::from(uid)], record)
                .optional()?
            {
                rows.push(r);
            }
        }
    }
    tx.commit()?;
    rows.into_iter()
        .map(|f| {
            let blob = blob_of(&f.blob)?;
            Ok(MessageRecord {
                state: f.state,
                email_id: super::messages::email_id(&blob),
                blob,
                size: f.size as u64,
                internal_date: f.internal_date,
                internal_zone: f.internal_zone as i16,
                save_date: f.save_date,
                facts: f.facts,
            })
        })
        .collect()
}
