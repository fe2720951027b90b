//! Search routing for the cluster: the replica that owns an account's index shard evaluates
//! the text keys of a SEARCH on its index, and ships the outcome (a [`Verdicts`]) to the
//! frontend, which evaluates the rest of the criteria on its session's view.
//!
//! ```text
//!  frontend SEARCH ──text keys──▶ metad (shard owner): Exact::prepare + key_score per candidate
//!        ▲                                   │
//!        └──── Verdicts { watermark, per key: None | {blob64 → score} } ◀┘
//!  per message: VerdictText (excludes / verdict) ─▶ imap_search::search_with
//! ```
//!
//! Exactness: a score is [`imap_search::key_score`] on the same folded text a local index
//! would read, so the result is the local one. A key that does not prune (a needle under three
//! characters) has no verdicts: a message that needs it is marked [`Judged::failed`] and the
//! frontend reads its body. Messages at or above `watermark` are read as without an index.

use crate::exact::{Exact, required_by};
use crate::index::{IndexError, SearchIndex};
use crate::{Judged, blob64};
use imap_proto::command::SearchKey;
use imap_search::{FoldedText, TextSource};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use store::{AccountId, BlobRef, MailboxId};

/// A body's outcome for one key: `Some(score)` (0 = no match), or `None` when the owner could
/// not read its stored text (then the frontend reads the body).
pub type Score = Option<u8>;

/// Per candidate body (by [`blob64`]), its outcome for one key; bodies left out cannot match.
pub type Outcomes = HashMap<u64, Score>;

/// The text keys of one SEARCH as the shard owner evaluated them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdicts {
    /// Every UID of the mailbox below this was indexed when the verdicts were made.
    pub watermark: u32,
    /// Per text key with its FUZZY flag: `None` if the key does not prune; else the outcome
    /// for every candidate body by [`blob64`] (bodies left out cannot match).
    pub keys: Vec<(SearchKey, bool, Option<Outcomes>)>,
}

/// The frontend's door to the shard owners (implemented by the cluster's gRPC client).
#[async_trait::async_trait]
pub trait RemoteSearch: Send + Sync + 'static {
    /// The verdicts for the text keys of `criteria` in `mailbox`.
    async fn verdicts(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        criteria: &[SearchKey],
    ) -> Result<Verdicts, String>;
}

impl Verdicts {
    /// On the shard owner: the verdicts of every text key of `criteria` (as given by
    /// [`crate::text_keys_of`], in that order) over `account`'s index.
    pub fn compute(
        index: &SearchIndex,
        account: AccountId,
        mailbox: MailboxId,
        criteria: &[SearchKey],
    ) -> Result<Verdicts, IndexError> {
        // The watermark before the candidates: every body below it is in what they see.
        let watermark = index.watermark(account, mailbox);
        let exact = Exact::prepare(index, account, criteria)?;
        let mut keys = Vec::new();
        for (key, fuzzy, candidates) in exact.keys() {
            let outcome = match candidates {
                None => None,
                Some(c) => {
                    let mut scores = HashMap::with_capacity(c.hits.len());
                    for (&b, &addr) in &c.hits {
                        let score = match index.text_at(account, c, addr) {
                            Ok(Some(text)) => imap_search::key_score(key, fuzzy, &text),
                            Ok(None) | Err(_) => None,
                        };
                        // A body that certainly does not match is left out (same as absent).
                        if score != Some(0) {
                            scores.insert(b, score);
                        }
                    }
                    Some(scores)
                }
            };
            keys.push((key.clone(), fuzzy, outcome));
        }
        Ok(Verdicts { watermark, keys })
    }

    fn outcome(&self, key: &SearchKey, fuzzy: bool) -> Option<&Outcomes> {
        self.keys
            .iter()
            .find(|(k, f, _)| k == key && *f == fuzzy)
            .and_then(|(_, _, o)| o.as_ref())
    }

    /// Like [`Exact::required`]: the bodies a message must have to match `criteria`.
    pub fn required(&self, criteria: &[SearchKey]) -> Option<HashSet<u64>> {
        required_by(criteria, &|k, fuzzy| {
            self.outcome(k, fuzzy).map(|m| m.keys().copied().collect())
        })
    }

    /// The text source of one indexed message.
    pub fn source(&self, blob: BlobRef) -> VerdictText<'_> {
        VerdictText {
            verdicts: self,
            blob: blob64(&blob),
            failed: Cell::new(false),
        }
    }
}

/// One message's text keys as the shard owner judged them.
#[derive(Debug)]
pub struct VerdictText<'v> {
    verdicts: &'v Verdicts,
    blob: u64,
    failed: Cell<bool>,
}

impl TextSource for VerdictText<'_> {
    fn excludes(&self, key: &SearchKey, fuzzy: bool) -> bool {
        self.verdicts
            .outcome(key, fuzzy)
            .is_some_and(|m| !m.contains_key(&self.blob))
    }

    fn verdict(&self, key: &SearchKey, fuzzy: bool) -> Option<u8> {
        match self.verdicts.outcome(key, fuzzy)?.get(&self.blob)? {
            Some(score) => Some(*score),
            None => {
                self.failed.set(true);
                None
            }
        }
    }

    fn text(&self) -> Option<&FoldedText> {
        // Only asked for a key without a verdict: the body must be read.
        self.failed.set(true);
        None
    }
}

impl Judged for VerdictText<'_> {
    fn failed(&self) -> bool {
        self.failed.get()
    }
}
