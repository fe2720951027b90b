//! The tantivy side of SEARCH: one [`SearchIndex`] over a fixed number of shards, each a
//! tantivy index holding the documents of the accounts hashed to it and the watermarks of their
//! mailboxes.
//!
//! ```text
//!  schema.rs       what a document is: fields, document key, shard of an account, format
//!  write.rs        add / add_unindexed ──▶ commit (documents + watermarks), clear_account
//!  candidates.rs   needle ──▶ 3-gram query ──▶ Candidates (hits + their searcher)
//!  stored_text.rs  Candidates hit ──▶ stored folded text (cached until a reindex)
//! ```
//!
//! This file holds the index itself: its error, opening the shards, watermarks and finding a
//! body's document.

mod candidates;
mod schema;
mod stored_text;
mod write;

pub use candidates::Candidates;
pub use schema::{Field, MAX_STORED_TEXT, MAX_TEXT, TextKind, blob64, shard_of};

use imap_search::FoldedText;
use schema::{FORMAT, Fields, GRAM, Payload, doc_key, schema};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use store::{AccountId, BlobRef, MailboxId};
use stored_text::{TEXT_CACHE_BYTES, TextWeight};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::{NgramTokenizer, TextAnalyzer};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Term};

/// Index failures. The session treats every one as "no index": it scans instead.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// tantivy refused.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A directory could not be opened.
    #[error("search index directory {path}: {message}")]
    Directory {
        /// Where.
        path: PathBuf,
        /// What.
        message: String,
    },
    /// Stored data could not be read back.
    #[error("search index data: {0}")]
    Data(String),
}

type Result<T> = std::result::Result<T, IndexError>;

/// One tantivy index holding the accounts hashed to it.
struct Shard {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    /// Per mailbox, every UID below this is indexed (committed with the documents).
    watermarks: RwLock<BTreeMap<i64, u32>>,
}

/// The index of every account, in shards.
pub struct SearchIndex {
    shards: Vec<Shard>,
    fields: Fields,
    root: PathBuf,
    /// Folded texts read from the document store, by account and body. Reading one means
    /// decompressing its doc-store block and decoding it, the largest CPU cost of a SEARCH
    /// whose candidates are found; a mail client searches the same mailbox again and again.
    /// A body's text never changes (bodies are content-addressed), so an entry stays right
    /// until the account is reindexed ([`clear_account`](Self::clear_account) empties it).
    texts: quick_cache::sync::Cache<(i64, BlobRef), Arc<FoldedText>, TextWeight>,
    /// Moves on at each reindex: a text read through a searcher taken in an earlier epoch (which
    /// may still see the documents a reindex removed) is not cached.
    texts_epoch: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("root", &self.root)
            .field("shards", &self.shards.len())
            .finish()
    }
}

impl Shard {
    /// Opens (creating if needed) the shard at `path`; one of an older [`FORMAT`] is emptied.
    fn open(path: &Path, n: usize, schema: &tantivy::schema::Schema) -> Result<Shard> {
        let dir_err = |e: &dyn std::fmt::Display| IndexError::Directory {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(path).map_err(|e| dir_err(&e))?;
        let mmap = tantivy::directory::MmapDirectory::open(path).map_err(|e| dir_err(&e))?;
        let index = Index::open_or_create(mmap, schema.clone())?;
        let gram = NgramTokenizer::new(GRAM, GRAM, false)?;
        index
            .tokenizers()
            .register("gram3", TextAnalyzer::builder(gram).build());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            // Stored texts are read once per search hit; a per-segment cache of
            // decompressed blocks would hold up to 100 blocks of every segment.
            .doc_store_cache_num_blocks(0)
            .try_into()?;
        let payload = index.load_metas()?.payload.unwrap_or_default();
        let current = Payload::current(&payload);
        let shard = Shard {
            index,
            reader,
            writer: Mutex::new(None),
            watermarks: RwLock::new(current.clone().unwrap_or_default()),
        };
        if current.is_none() {
            if !payload.is_empty() {
                tracing::info!(
                    shard = n,
                    format = FORMAT,
                    "search index shard of an older format: emptied, to be indexed again"
                );
            }
            shard.empty()?;
        }
        Ok(shard)
    }
}

impl SearchIndex {
    /// Opens (creating if needed) `shards` indexes under `dir` (`dir/shard-N`). The number of
    /// shards of an existing index is fixed: reopening with another number is refused.
    pub fn open(dir: &Path, shards: usize) -> Result<SearchIndex> {
        let shards = shards.max(1);
        let dir_err = |path: &Path, e: &dyn std::fmt::Display| IndexError::Directory {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| dir_err(dir, &e))?;
        let existing = std::fs::read_dir(dir)
            .map_err(|e| dir_err(dir, &e))?
            .filter_map(|e| e.ok())
            .filter(|e| {
                // `shard-N`, not a damaged one set aside (`shard-N.damaged-…`).
                e.file_name()
                    .to_string_lossy()
                    .strip_prefix("shard-")
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            })
            .count();
        if existing != 0 && existing != shards {
            return Err(dir_err(
                dir,
                &format!("holds {existing} shards, not {shards}; reindex into a new directory"),
            ));
        }
        let (schema, fields) = schema();
        let mut out = Vec::with_capacity(shards);
        for n in 0..shards {
            let path = dir.join(format!("shard-{n}"));
            let shard = match Shard::open(&path, n, &schema) {
                Ok(shard) => shard,
                // A damaged shard (a torn file, a disk error) must not keep the server from
                // starting: it is set aside and started afresh, without watermarks, so the
                // indexer builds it again and searches read the bodies meanwhile (exact).
                Err(e) => {
                    let aside = dir.join(format!(
                        "shard-{n}.damaged-{}",
                        std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_secs())
                    ));
                    tracing::error!(shard = n, error = %e, aside = %aside.display(),
                        "search index shard cannot be opened: set aside, to be indexed again");
                    std::fs::rename(&path, &aside).map_err(|e| dir_err(&path, &e))?;
                    Shard::open(&path, n, &schema)?
                }
            };
            out.push(shard);
        }
        Ok(SearchIndex {
            shards: out,
            fields,
            root: dir.to_path_buf(),
            // Estimated at 8 KB per text for the cache's table; the weigher bounds the bytes.
            texts: quick_cache::sync::Cache::with_weighter(
                (TEXT_CACHE_BYTES / 8192) as usize,
                TEXT_CACHE_BYTES,
                TextWeight,
            ),
            texts_epoch: std::sync::atomic::AtomicU64::new(0),
        })
    }

    fn shard(&self, account: AccountId) -> &Shard {
        &self.shards[shard_of(account, self.shards.len())]
    }

    /// Number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// Every UID below this one in `mailbox` is indexed (1: nothing yet).
    pub fn watermark(&self, account: AccountId, mailbox: MailboxId) -> u32 {
        let shard = self.shard(account);
        let marks = shard.watermarks.read().unwrap_or_else(|e| e.into_inner());
        marks.get(&mailbox.0).copied().unwrap_or(1)
    }

    /// True if the body is indexed for this account (committed).
    pub fn contains(&self, account: AccountId, blob: &BlobRef) -> Result<bool> {
        Ok(self.find(account, blob)?.is_some())
    }

    /// Where the body's document is, in the searcher returned with it (addresses are only
    /// valid in the searcher that found them).
    fn find(
        &self,
        account: AccountId,
        blob: &BlobRef,
    ) -> Result<Option<(tantivy::Searcher, DocAddress, u64)>> {
        let shard = self.shard(account);
        let epoch = self.epoch();
        let searcher = shard.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.key, &doc_key(account, blob)),
            IndexRecordOption::Basic,
        );
        let found = searcher.search(&q, &DocSetCollector)?.into_iter().next();
        Ok(found.map(|addr| (searcher, addr, epoch)))
    }

    /// Bytes the index occupies on disk.
    pub fn disk_bytes(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| match e.metadata() {
                            Ok(m) if m.is_dir() => walk(&e.path()),
                            Ok(m) => m.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.root)
    }
}
