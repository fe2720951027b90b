//! Who judges the text keys of one SEARCH: this node's index ([`Exact`]), the shard owner that
//! holds the account's index ([`Verdicts`], in the cluster), or nobody (every body is read).
//! [`Searcher::prepare`] makes the choice once per search; the server's matching loop then asks
//! the [`TextJudge`] which bodies can match at all and, per message, for its text.

use crate::{Exact, Judged, RemoteSearch, SearchIndex, Verdicts};
use imap_proto::command::SearchKey;
use std::collections::HashSet;
use std::sync::Arc;
use store::{AccountId, BlobRef, MailboxId};

/// The text keys of one search, prepared by an index.
pub trait TextJudge: Send + Sync {
    /// Every UID of the mailbox below this was indexed when the keys were prepared: those
    /// messages are judged here; the others are read as without an index.
    fn watermark(&self) -> u32;

    /// The bodies (by [`blob64`](crate::blob64)) a message must have for `criteria` (ANDed)
    /// to match; `None` when no text key narrows the search.
    fn required(&self, criteria: &[SearchKey]) -> Option<HashSet<u64>>;

    /// The judged text of one indexed body.
    fn text(&self, blob: BlobRef) -> Box<dyn Judged + '_>;
}

/// This node's index.
struct Local<'a> {
    exact: Exact<'a>,
    watermark: u32,
}

impl TextJudge for Local<'_> {
    fn watermark(&self) -> u32 {
        self.watermark
    }
    fn required(&self, criteria: &[SearchKey]) -> Option<HashSet<u64>> {
        self.exact.required(criteria)
    }
    fn text(&self, blob: BlobRef) -> Box<dyn Judged + '_> {
        Box::new(self.exact.source(blob))
    }
}

impl TextJudge for Verdicts {
    fn watermark(&self) -> u32 {
        self.watermark
    }
    fn required(&self, criteria: &[SearchKey]) -> Option<HashSet<u64>> {
        Verdicts::required(self, criteria)
    }
    fn text(&self, blob: BlobRef) -> Box<dyn Judged + '_> {
        Box::new(self.source(blob))
    }
}

/// Where a server's searches find help with their text keys. Cheap to clone. The default has
/// no help: every body a text key needs is read.
#[derive(Clone, Default)]
pub struct Searcher {
    /// This node's index (the all-in-one server, a metad that owns the shard).
    index: Option<Arc<SearchIndex>>,
    /// The shard owners (a cluster frontend, which has no index).
    remote: Option<Arc<dyn RemoteSearch>>,
}

impl Searcher {
    /// This searcher with this node's index (asked before the shard owners).
    pub fn with_index(mut self, index: Arc<SearchIndex>) -> Self {
        self.index = Some(index);
        self
    }

    /// This searcher with the shard owners.
    pub fn with_remote(mut self, remote: Arc<dyn RemoteSearch>) -> Self {
        self.remote = Some(remote);
        self
    }

    /// This node's index, if it has one.
    pub fn index(&self) -> Option<&Arc<SearchIndex>> {
        self.index.as_ref()
    }

    /// Prepares the text keys of `criteria` in `mailbox`: `Ok(None)` when nobody can judge
    /// them (every body is read); an error when the one who should cannot (the caller reads
    /// every body too, and may say why).
    pub async fn prepare(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        criteria: &[SearchKey],
    ) -> Result<Option<Box<dyn TextJudge + '_>>, String> {
        if let Some(ix) = self.index.as_deref() {
            // The watermark before the candidates: every body below it is in what they see.
            let watermark = ix.watermark(account, mailbox);
            let exact = Exact::prepare(ix, account, criteria)
                .map_err(|e| format!("search index unusable: {e}"))?;
            return Ok(Some(Box::new(Local { exact, watermark })));
        }
        let Some(remote) = self.remote.as_ref() else {
            return Ok(None);
        };
        let verdicts = remote
            .verdicts(account, mailbox, criteria)
            .await
            .map_err(|e| format!("search shard unavailable: {e}"))?;
        Ok(Some(Box::new(verdicts)))
    }
}
