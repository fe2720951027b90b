//! Feeds the index: catches every mailbox up at start, then follows the change feed. Work is
//! per mailbox in UID order, so "every UID below the watermark is indexed" stays true; a body
//! already indexed for the account (a COPY, a second mailbox) only moves the watermark.

use crate::index::{IndexError, SearchIndex};
use blob_store::{BlobId, BlobStore};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use store::{AccountId, ChangeEvent, MailStore, MailboxId, StoreError};
use tokio::sync::broadcast::error::RecvError;

/// How the indexer batches its work.
#[derive(Debug, Clone)]
pub struct IndexerConfig {
    /// Messages read from the store per round trip.
    pub batch: usize,
    /// After a change event, wait this long for more before indexing (appends come in bursts).
    pub settle: Duration,
}

impl Default for IndexerConfig {
    fn default() -> Self {
        IndexerConfig {
            batch: 256,
            // Each pass ends in a commit: a segment per shard, its term dictionary built and
            // merged later. Under steady load (60 APPENDs/s) that per-commit work was half of
            // the indexer's CPU at 200 ms; a second costs searches little (the newest second
            // of mail is read as without an index) and saved 3-4 % of the server's CPU.
            settle: Duration::from_millis(1000),
        }
    }
}

/// Why a catch-up stopped.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A body could not be read for now (the blob store is unreachable, or the server is
    /// stopping): the mailbox's watermark stays, so it is indexed on a later pass.
    #[error(transparent)]
    Blobs(#[from] blob_store::BlobError),
}

/// The background task that keeps a [`SearchIndex`] up with the store.
#[derive(Clone)]
pub struct Indexer {
    store: Arc<dyn MailStore>,
    blobs: BlobStore,
    index: Arc<SearchIndex>,
    config: IndexerConfig,
    /// Which accounts this indexer keeps up (all by default; in the cluster, those of the
    /// shards this replica owns, which may change while it runs).
    owns: Arc<dyn Fn(AccountId) -> bool + Send + Sync>,
    /// Held from reading a mailbox's watermark to committing the new one, and while an
    /// account is cleared for a reindex: a chunk read before a clear must not commit a
    /// watermark after it (the index would claim bodies it no longer has).
    step: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer")
            .field("index", &self.index)
            .finish()
    }
}

impl Indexer {
    /// An indexer of `store`'s messages (bodies from `blobs`) into `index`.
    pub fn new(
        store: Arc<dyn MailStore>,
        blobs: BlobStore,
        index: Arc<SearchIndex>,
        config: IndexerConfig,
    ) -> Indexer {
        Indexer {
            store,
            blobs,
            index,
            config,
            owns: Arc::new(|_| true),
            step: Arc::default(),
        }
    }

    /// Keeps up only the accounts for which `owns` is true (asked on every round, so the set
    /// may change; after it grows, call [`catch_up_all`](Self::catch_up_all)).
    pub fn only(mut self, owns: impl Fn(AccountId) -> bool + Send + Sync + 'static) -> Indexer {
        self.owns = Arc::new(owns);
        self
    }

    /// UIDs of `mailbox` at or above its watermark (not indexed yet), ascending.
    async fn todo(&self, account: AccountId, mailbox: MailboxId) -> Result<Vec<u32>, IndexerError> {
        let from = self.index.watermark(account, mailbox);
        Ok(self
            .store
            .uid_blobs(account, mailbox, from.saturating_sub(1))
            .await?
            .into_iter()
            .map(|(uid, _)| uid)
            .filter(|&u| u >= from)
            .collect())
    }

    /// Adds the bodies of `uids` (not committed); returns how many were added.
    async fn add(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<usize, IndexerError> {
        let mut added = 0;
        let mut pending = BTreeSet::new();
        // Rows without facts: the body's address and size are all that is needed.
        let records = self.store.fetch_meta(account, mailbox, uids).await?;
        for rec in &records {
            if pending.contains(&rec.blob.sha256) || self.index.contains(account, &rec.blob)? {
                continue;
            }
            let id = BlobId {
                sha256: rec.blob.sha256,
                size: rec.size,
            };
            let raw = match self.blobs.get(id).await {
                Ok(raw) => raw,
                // Not a verdict on the body: try again later rather than give up on it.
                Err(e) if e.is_retryable() => return Err(e.into()),
                Err(e) => {
                    // Expunged and swept meanwhile, or unreadable: recorded as a candidate
                    // for everything, so searches read it (the watermark passes it).
                    tracing::warn!(account = account.0, mailbox = mailbox.0, uid = rec.state.uid,
                        error = %e, "body not indexed");
                    self.index.add_unindexed(account, &rec.blob)?;
                    pending.insert(rec.blob.sha256);
                    continue;
                }
            };
            // Parsing and tantivy's add (which blocks while its indexing thread's queue is
            // full) off the async workers: a worker held here would hold the tasks queued on
            // it (see `off_worker`).
            let (index, blob) = (Arc::clone(&self.index), rec.blob);
            off_worker(move || index.add(account, &blob, &mail_model::search_text(&raw))).await?;
            pending.insert(rec.blob.sha256);
            added += 1;
        }
        Ok(added)
    }

    /// Indexes every message of `mailbox` at or above its watermark, committing every
    /// [`IndexerConfig::batch`] messages; returns how many bodies were added.
    pub async fn catch_up_mailbox(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<usize, IndexerError> {
        let mut added = 0;
        loop {
            let _step = self.step.lock().await;
            let todo = self.todo(account, mailbox).await?;
            let Some(chunk) = todo.chunks(self.config.batch.max(1)).next() else {
                return Ok(added);
            };
            added += self.add(account, mailbox, chunk).await?;
            // Every UID of this chunk is now indexed (or known unreadable); the next starts
            // above the chunk's last.
            if let Some(&last) = chunk.last() {
                let index = Arc::clone(&self.index);
                off_worker(move || index.commit(&[(account, mailbox, last + 1)])).await?;
            }
        }
    }

    /// Indexes what the change feed reported: mailboxes with few new messages share one
    /// commit (each commit makes a segment, reloads readers and may merge: per mailbox that
    /// was most of the indexer's cost under steady load); a mailbox with more than a batch is
    /// caught up with its own commits.
    async fn update(&self, dirty: BTreeSet<(i64, i64)>) {
        let mut marks = Vec::new();
        let mut big = Vec::new();
        let step = self.step.lock().await;
        for (a, m) in dirty {
            let (account, mailbox) = (AccountId(a), MailboxId(m));
            if !(self.owns)(account) {
                continue;
            }
            let result = async {
                let todo = self.todo(account, mailbox).await?;
                match todo.last() {
                    None => {}
                    Some(_) if todo.len() > self.config.batch => big.push((account, mailbox)),
                    Some(last) => {
                        self.add(account, mailbox, &todo).await?;
                        marks.push((account, mailbox, last + 1));
                    }
                }
                Ok::<(), IndexerError>(())
            }
            .await;
            match result {
                Ok(()) | Err(IndexerError::Store(StoreError::NotFound(_))) => {}
                Err(e) => tracing::warn!(account = a, mailbox = m, error = %e,
                    "search index update failed"),
            }
        }
        if !marks.is_empty()
            && let Err(e) = {
                let index = Arc::clone(&self.index);
                off_worker(move || index.commit(&marks)).await
            }
        {
            tracing::warn!(error = %e, "search index commit failed");
        }
        drop(step);
        // Big bursts: chunk by chunk, each under the lock.
        for (account, mailbox) in big {
            match self.catch_up_mailbox(account, mailbox).await {
                Ok(_) | Err(IndexerError::Store(StoreError::NotFound(_))) => {}
                Err(e) => tracing::warn!(account = account.0, mailbox = mailbox.0, error = %e,
                    "search index update failed"),
            }
        }
    }

    /// Catches up every mailbox of every account.
    pub async fn catch_up_all(&self) -> Result<usize, IndexerError> {
        let mut added = 0;
        for account in self.store.list_accounts(None).await? {
            if !(self.owns)(account.id) {
                continue;
            }
            match self.catch_up_account(account.id).await {
                Ok(n) => added += n,
                Err(IndexerError::Store(StoreError::NotFound(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(added)
    }

    /// Catches up every mailbox of one account.
    pub async fn catch_up_account(&self, account: AccountId) -> Result<usize, IndexerError> {
        let mut added = 0;
        for m in self.store.list_mailboxes(account).await? {
            match self.catch_up_mailbox(account, m.id).await {
                Ok(n) => added += n,
                // Deleted (or renamed away) since the list: nothing left to index there, and
                // the account's other mailboxes must still be caught up.
                Err(IndexerError::Store(StoreError::NotFound(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(added)
    }

    /// Forgets an account's documents and indexes it again (`strata reindex`).
    pub async fn reindex_account(&self, account: AccountId) -> Result<usize, IndexerError> {
        let mailboxes: Vec<MailboxId> = self
            .store
            .list_mailboxes(account)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        {
            let _step = self.step.lock().await;
            self.index.clear_account(account, &mailboxes)?;
        }
        self.catch_up_account(account).await
    }

    /// Runs until `stop` resolves: a full catch-up, then every changed mailbox as the change
    /// feed reports it. Errors are logged and the mailbox is tried again on its next change.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        let mut feed = self.store.subscribe();
        tokio::pin!(stop);
        match self.catch_up_all().await {
            Ok(n) => tracing::info!(bodies = n, "search index caught up"),
            Err(e) => tracing::warn!(error = %e, "search index catch-up failed"),
        }
        loop {
            let mut dirty: BTreeSet<(i64, i64)> = BTreeSet::new();
            tokio::select! {
                _ = &mut stop => return,
                ev = feed.recv() => match ev {
                    Ok(ev) if ev != ChangeEvent::RESYNC => { dirty.insert((ev.account.0, ev.mailbox.0)); }
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        // Missed events: look at everything.
                        if let Err(e) = self.catch_up_all().await {
                            tracing::warn!(error = %e, "search index catch-up failed");
                        }
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                }
            }
            // Gather the burst.
            let settle = tokio::time::sleep(self.config.settle);
            tokio::pin!(settle);
            let mut everything = false;
            loop {
                tokio::select! {
                    _ = &mut settle => break,
                    ev = feed.recv() => match ev {
                        Ok(ev) if ev != ChangeEvent::RESYNC => { dirty.insert((ev.account.0, ev.mailbox.0)); }
                        Ok(_) | Err(RecvError::Lagged(_)) => { everything = true; break; }
                        Err(RecvError::Closed) => break,
                    }
                }
            }
            self.update(dirty).await;
            if everything && let Err(e) = self.catch_up_all().await {
                tracing::warn!(error = %e, "search index catch-up failed");
            }
        }
    }
}

/// Runs index work (parsing a body, tantivy's add and commit: each may take from milliseconds
/// to a second under load, and tantivy blocks its caller while its indexing thread catches up)
/// on tokio's blocking pool, so that it never holds an async worker and the sessions and the
/// accept loop queued on that worker.
async fn off_worker<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IndexError> + Send + 'static,
) -> Result<T, IndexError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| IndexError::Data(format!("index task: {e}")))?
}
