//! # search-index: SEARCH text keys made fast without giving up exactness
//!
//! ```text
//!  change feed ──▶ Indexer ──▶ SearchIndex (tantivy, N shards)      session SEARCH
//!   (account, mailbox)  │        doc per (account, body):                │
//!                       │          3-grams of the folded text            ▼
//!   store + blob store ─┘          stored FoldedText             Exact::prepare(criteria)
//!                                  watermark per mailbox    ──▶   candidates per text key
//!                                                                 TextSource per message
//!                                                                  (imap-search evaluates)
//! ```
//!
//! IMAP text keys are case-insensitive substring matches on decoded text (RFC 9051 §6.4.4),
//! which no word index answers. Every field value is folded exactly as the oracle folds it
//! ([`imap_search::fold`]) and indexed as character 3-grams; a needle's 3-grams, all required,
//! select a superset of the messages that can match. The oracle ([`imap_search`]) then decides
//! every message: a message outside the candidates is ruled out without its text, a candidate is
//! confirmed on the text stored in the index (no MIME parsing at search time). Needles shorter
//! than three characters do not prune. Messages the indexer has not reached yet (above the
//! mailbox's watermark) are read and parsed as without an index. So index lag and index gaps
//! cost time, never correctness.
//!
//! A body is indexed once per account, whatever number of mailboxes hold it (the document key is
//! account + body hash); documents of one account never answer another's query (every query
//! carries the account term).
//!
//! What a document holds follows mail-model's search text and imap-search's folding; each
//! commit records that format with the watermarks. A shard written in another format (say,
//! before FROM/TO/CC/BCC read parsed addresses) is emptied when opened and indexed again, its
//! mailboxes searched without the index meanwhile, so an upgrade never answers from stale
//! documents.
//!
//! ## Sharding
//! Accounts are hashed into a fixed number of tantivy indexes ([`SearchIndex::open`]'s
//! `shards`), not one index per account: thousands of small indexes would each hold open files,
//! a writer arena and a reader, and not one single index: a shard is the unit a cluster node
//! owns as the only writer (tantivy allows one writer per index), moves on failover and rebuilds,
//! so there must be several, but a bounded number.

mod exact;
mod index;
mod indexer;
mod judge;
mod uid_map;
mod verdicts;

pub use exact::{Exact, IndexedText, text_keys_of};
pub use index::{
    Candidates, Field, IndexError, MAX_STORED_TEXT, MAX_TEXT, SearchIndex, TextKind, blob64,
    shard_of,
};
pub use indexer::{Indexer, IndexerConfig, IndexerError};
pub use judge::{Searcher, TextJudge};
pub use uid_map::{DEFAULT_MAX_ENTRIES, MailboxAt, UidMap, UidMaps};
pub use verdicts::{RemoteSearch, VerdictText, Verdicts};

/// A [`TextSource`](imap_search::TextSource) that can tell when its answers cannot be trusted
/// for a message (the stored text was unreadable, or a key needs text it does not have): the
/// caller then evaluates that message on its parsed body.
pub trait Judged: imap_search::TextSource {
    /// True if this message must be evaluated again on its body.
    fn failed(&self) -> bool;
}
