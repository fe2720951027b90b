//! The tantivy side: schema, shards, documents, gram queries, stored text, watermarks.

use imap_search::{FoldedText, fold};
use mail_model::SearchText;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use store::{AccountId, BlobRef, MailboxId};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field as TField, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{NgramTokenizer, TextAnalyzer};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

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

/// Which gram field a text key searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The From header values.
    From,
    /// To.
    To,
    /// Cc.
    Cc,
    /// Bcc.
    Bcc,
    /// Subject, blanks collapsed as SUBJECT compares it.
    Subject,
    /// Every header line (`Name: value`, all parts), every text part, attachment names: a
    /// superset of what BODY, TEXT and HEADER look at.
    All,
}

/// A text key as the index sees it: the field and the search string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// FROM/TO/CC/BCC/SUBJECT.
    Header(Field),
    /// BODY, TEXT, HEADER name.
    Any,
}

const GRAM: usize = 3;

/// Most decoded text (octets) of one body that is indexed. Past it the body is recorded as
/// oversize: high-entropy text would otherwise make the writer hold one posting per distinct
/// 3-gram (about 100 bytes each), hundreds of MB for a few large messages.
pub const MAX_TEXT: usize = 64 * 1024;

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
struct Fields {
    account: TField,
    /// `account:blobhex`, the document's identity.
    key: TField,
    /// First 8 bytes of the body hash, to map hits back to messages.
    blob64: TField,
    /// 1 for a body whose text is too large to index ([`MAX_TEXT`]): no grams, no stored
    /// text; it is a candidate for every needle and is read at search time.
    oversize: TField,
    text: TField,
    from: TField,
    to: TField,
    cc: TField,
    bcc: TField,
    subject: TField,
    all: TField,
}

impl Fields {
    fn of(&self, f: Field) -> TField {
        match f {
            Field::From => self.from,
            Field::To => self.to,
            Field::Cc => self.cc,
            Field::Bcc => self.bcc,
            Field::Subject => self.subject,
            Field::All => self.all,
        }
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("gram3")
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        account: b.add_u64_field("account", INDEXED),
        key: b.add_text_field("key", STRING | STORED),
        blob64: b.add_u64_field("blob64", FAST),
        oversize: b.add_u64_field("oversize", INDEXED),
        text: b.add_bytes_field("text", STORED),
        from: b.add_text_field("from", grams.clone()),
        to: b.add_text_field("to", grams.clone()),
        cc: b.add_text_field("cc", grams.clone()),
        bcc: b.add_text_field("bcc", grams.clone()),
        subject: b.add_text_field("subject", grams.clone()),
        all: b.add_text_field("all", grams),
    };
    (b.build(), fields)
}

/// The shard (of `shards`) that holds `account`'s documents. Account ids are database
/// sequence numbers: the modulus spreads them evenly. The cluster's raft shard map assigns
/// these same numbers to replicas.
pub fn shard_of(account: AccountId, shards: usize) -> usize {
    (account.0.unsigned_abs() % shards.max(1) as u64) as usize
}

/// The first 8 bytes of a body hash: how a hit names its body.
pub fn blob64(blob: &BlobRef) -> u64 {
    u64::from_be_bytes(blob.sha256[..8].try_into().unwrap_or_default())
}

fn doc_key(account: AccountId, blob: &BlobRef) -> String {
    format!("{}:{}", account.0, blob.hex())
}

/// One tantivy index holding the accounts hashed to it.
struct Shard {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    /// Per mailbox, every UID below this is indexed (committed with the documents).
    watermarks: RwLock<BTreeMap<i64, u32>>,
}

/// Bodies whose documents hold every 3-gram of a needle, by [`blob64`], with where their stored
/// text is. A [`DocAddress`] is only meaningful in the searcher (the set of segments) that
/// found it: a commit or merge in between renumbers segments, so the searcher is kept too.
#[derive(Clone)]
pub struct Candidates {
    pub(crate) hits: HashMap<u64, DocAddress>,
    pub(crate) searcher: tantivy::Searcher,
    /// The stored-text cache's epoch when the searcher was taken ([`SearchIndex::texts`]).
    pub(crate) epoch: u64,
}

impl std::fmt::Debug for Candidates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidates")
            .field("hits", &self.hits.len())
            .finish()
    }
}

impl Candidates {
    /// True if the body may hold the needle.
    pub fn contains(&self, blob: &BlobRef) -> bool {
        self.hits.contains_key(&blob64(blob))
    }

    /// How many bodies.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    /// True if no body can hold the needle.
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }
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

/// Bytes of folded text the stored-text cache keeps, over all accounts.
const TEXT_CACHE_BYTES: u64 = 64 << 20;

/// Weighs a cached text by the bytes it holds (an estimate within a few per cent).
#[derive(Clone)]
struct TextWeight;

impl quick_cache::Weighter<(i64, BlobRef), Arc<FoldedText>> for TextWeight {
    fn weight(&self, _key: &(i64, BlobRef), text: &Arc<FoldedText>) -> u64 {
        fn pairs(v: &[(String, String)]) -> usize {
            v.iter().map(|(a, b)| a.len() + b.len() + 48).sum()
        }
        fn strings(v: &[String]) -> usize {
            v.iter().map(|s| s.len() + 24).sum()
        }
        let bytes = pairs(&text.headers)
            + pairs(&text.part_headers)
            + strings(&text.subjects)
            + strings(&text.bodies)
            + strings(&text.attachment_names);
        (bytes + 160) as u64
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("root", &self.root)
            .field("shards", &self.shards.len())
            .finish()
    }
}

/// Memory budget of one shard's writer (tantivy's minimum is 15 MB).
const WRITER_BYTES: usize = 15_000_000;

impl Shard {
    /// A writer with one indexing thread and Strata's merge policy. tantivy's default
    /// `LogMergePolicy` counts every segment under 10,000 documents as one size, so under a
    /// steady trickle of commits (the indexer commits every few hundred milliseconds) it merged
    /// the same growing segment with each few new small ones again and again: most of the
    /// indexer's CPU in the load benchmark. Counted from 100 documents, small segments merge
    /// among themselves and a bigger one only with segments of its own size.
    fn writer(&self) -> Result<IndexWriter> {
        let writer = self.index.writer_with_num_threads(1, WRITER_BYTES)?;
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_min_layer_size(100);
        writer.set_merge_policy(Box::new(policy));
        Ok(writer)
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
            .filter(|e| e.file_name().to_string_lossy().starts_with("shard-"))
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
            std::fs::create_dir_all(&path).map_err(|e| dir_err(&path, &e))?;
            let mmap =
                tantivy::directory::MmapDirectory::open(&path).map_err(|e| dir_err(&path, &e))?;
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
            let watermarks: BTreeMap<i64, u32> = if payload.is_empty() {
                BTreeMap::new()
            } else {
                serde_json::from_str(&payload)
                    .map_err(|e| IndexError::Data(format!("watermarks of shard {n}: {e}")))?
            };
            out.push(Shard {
                index,
                reader,
                writer: Mutex::new(None),
                watermarks: RwLock::new(watermarks),
            });
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

    /// Adds the text of one body for `account` (not visible until [`commit`](Self::commit)).
    /// Adding a body that is already indexed for the account is the caller's to avoid
    /// ([`contains`](Self::contains)); a duplicate only costs space.
    pub fn add(&self, account: AccountId, blob: &BlobRef, text: &SearchText) -> Result<()> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.account, account.0 as u64);
        doc.add_text(f.key, doc_key(account, blob));
        doc.add_u64(f.blob64, blob64(blob));
        let size: usize = text
            .headers
            .iter()
            .chain(&text.part_headers)
            .map(|(n, v)| n.len() + v.len())
            .chain(
                text.bodies
                    .iter()
                    .chain(&text.attachment_names)
                    .map(String::len),
            )
            .sum();
        if size > MAX_TEXT {
            return self.add_unindexed(account, blob);
        }
        // Folded once here: the stored text is compared without folding at search time, and
        // the grams come from the same folded values.
        let folded = FoldedText::new(text);
        let stored =
            serde_json::to_vec(&folded).map_err(|e| IndexError::Data(format!("text: {e}")))?;
        doc.add_bytes(f.text, &stored);
        for (field, name) in [(f.from, "From"), (f.to, "To"), (f.cc, "Cc"), (f.bcc, "Bcc")] {
            for (_, v) in folded
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                doc.add_text(field, v);
            }
        }
        for v in &folded.subjects {
            doc.add_text(f.subject, v);
        }
        // TEXT compares `Name: value` lines, HEADER name s the value alone.
        let top = folded.headers.iter().map(|(n, v)| (fold(n), v));
        let parts = folded.part_headers.iter().map(|(n, v)| (n.clone(), v));
        for (n, v) in top.chain(parts) {
            doc.add_text(f.all, format!("{n}: {v}"));
            doc.add_text(f.all, v);
        }
        for b in folded.bodies.iter().chain(&folded.attachment_names) {
            doc.add_text(f.all, b);
        }
        self.write(account, doc)
    }

    /// Records a body whose text could not be read (or is not worth indexing) as a candidate
    /// for every needle: searches read the message itself.
    pub fn add_unindexed(&self, account: AccountId, blob: &BlobRef) -> Result<()> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.account, account.0 as u64);
        doc.add_text(f.key, doc_key(account, blob));
        doc.add_u64(f.blob64, blob64(blob));
        doc.add_u64(f.oversize, 1);
        self.write(account, doc)
    }

    fn write(&self, account: AccountId, doc: TantivyDocument) -> Result<()> {
        let shard = self.shard(account);
        let mut w = shard.writer.lock().unwrap_or_else(|e| e.into_inner());
        if w.is_none() {
            *w = Some(shard.writer()?);
        }
        if let Some(w) = w.as_mut() {
            w.add_document(doc)?;
        }
        Ok(())
    }

    /// Makes every added document visible and records the new watermarks of `marks`
    /// (mailbox → every UID below is indexed) atomically with them.
    pub fn commit(&self, marks: &[(AccountId, MailboxId, u32)]) -> Result<()> {
        for (n, shard) in self.shards.iter().enumerate() {
            let mine: Vec<_> = marks
                .iter()
                .filter(|(a, _, _)| std::ptr::eq(self.shard(*a), shard))
                .collect();
            let mut w = shard.writer.lock().unwrap_or_else(|e| e.into_inner());
            if w.is_none() {
                if mine.is_empty() {
                    continue;
                }
                *w = Some(shard.writer()?);
            }
            let Some(writer) = w.as_mut() else { continue };
            // The new watermarks become visible only after the documents are: a search reads
            // the watermark first, then searches, so it never trusts a watermark whose
            // documents its searcher cannot see.
            let mut marks_after = shard
                .watermarks
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            for (_, m, uid) in &mine {
                let e = marks_after.entry(m.0).or_insert(1);
                *e = (*e).max(*uid);
            }
            let payload = serde_json::to_string(&marks_after)
                .map_err(|e| IndexError::Data(format!("watermarks of shard {n}: {e}")))?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            // The writer's arena and merge threads are released between batches: an idle
            // server holds no indexing memory.
            if let Some(writer) = w.take() {
                writer.wait_merging_threads()?;
            }
            shard.reader.reload()?;
            *shard.watermarks.write().unwrap_or_else(|e| e.into_inner()) = marks_after;
        }
        Ok(())
    }

    /// Forgets an account: its documents and its mailboxes' watermarks (`strata reindex`).
    pub fn clear_account(&self, account: AccountId, mailboxes: &[MailboxId]) -> Result<()> {
        let shard = self.shard(account);
        {
            let mut w = shard.writer.lock().unwrap_or_else(|e| e.into_inner());
            if w.is_none() {
                *w = Some(shard.writer()?);
            }
            if let Some(w) = w.as_mut() {
                w.delete_term(Term::from_field_u64(self.fields.account, account.0 as u64));
            }
            let mut wm = shard.watermarks.write().unwrap_or_else(|e| e.into_inner());
            for m in mailboxes {
                wm.remove(&m.0);
            }
        }
        self.commit(&[])?;
        // Searchers taken from now on see the cleared index. Texts that searches under way read
        // through older ones are not cached (`cache_text`); forget the rest (reindexing is
        // rare: every account's, rather than walk the cache).
        self.texts_epoch
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.texts.clear();
        Ok(())
    }

    /// The bodies of `account` whose field holds every 3-gram of the folded `needle`; `None`
    /// when the needle is too short to prune (fewer than three characters once folded).
    pub fn candidates(
        &self,
        account: AccountId,
        kind: TextKind,
        needle: &[u8],
    ) -> Result<Option<Candidates>> {
        self.gram_candidates(account, kind, needle, false)
    }

    /// Like [`candidates`](Self::candidates) for a key under FUZZY: the bodies whose field
    /// holds at least [`imap_search::fuzzy_min_grams`] of the needle's distinct 3-grams.
    pub fn fuzzy_candidates(
        &self,
        account: AccountId,
        kind: TextKind,
        needle: &[u8],
    ) -> Result<Option<Candidates>> {
        self.gram_candidates(account, kind, needle, true)
    }

    fn gram_candidates(
        &self,
        account: AccountId,
        kind: TextKind,
        needle: &[u8],
        fuzzy: bool,
    ) -> Result<Option<Candidates>> {
        let grams = imap_search::grams(&fold(&String::from_utf8_lossy(needle)));
        if grams.is_empty() {
            return Ok(None);
        }
        let field = self.fields.of(match kind {
            TextKind::Header(f) => f,
            TextKind::Any => Field::All,
        });
        // Exact: every gram (an intersection). FUZZY: enough of them.
        let occur = if fuzzy { Occur::Should } else { Occur::Must };
        let terms: Vec<(Occur, Box<dyn Query>)> = grams
            .iter()
            .map(|g| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, g),
                    IndexRecordOption::Basic,
                ));
                (occur, q)
            })
            .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, self.of_account(account))];
        if fuzzy {
            let enough = imap_search::fuzzy_min_grams(grams.len());
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::with_minimum_required_clauses(terms, enough)),
            ));
        } else {
            clauses.extend(terms);
        }
        let shard = self.shard(account);
        let epoch = self.epoch();
        let searcher = shard.reader.searcher();
        let mut docs = searcher.search(&BooleanQuery::new(clauses), &DocSetCollector)?;
        // Oversize bodies have no grams: every needle may be in them.
        let oversize = BooleanQuery::new(vec![
            (Occur::Must, self.of_account(account)),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(self.fields.oversize, 1),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        docs.extend(searcher.search(&oversize, &DocSetCollector)?);
        let mut hits = HashMap::with_capacity(docs.len());
        let mut columns = HashMap::new();
        for addr in docs {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .u64("blob64")?,
                ),
            };
            if let Some(b) = column.first(addr.doc_id) {
                hits.insert(b, addr);
            }
        }
        Ok(Some(Candidates {
            hits,
            searcher,
            epoch,
        }))
    }

    /// Every document of `account`: the clause each query starts from (tenant isolation).
    fn of_account(&self, account: AccountId) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_u64(self.fields.account, account.0 as u64),
            IndexRecordOption::Basic,
        ))
    }

    /// The stored text of `blob`, read at `addr` in the searcher of the [`Candidates`] that
    /// found it if that document is the body's (two bodies may share a [`blob64`]), else
    /// looked up by key.
    pub(crate) fn stored_text_near(
        &self,
        account: AccountId,
        blob: &BlobRef,
        found: &Candidates,
        addr: DocAddress,
    ) -> Result<Option<Arc<FoldedText>>> {
        if let Some(text) = self.texts.get(&(account.0, *blob)) {
            return Ok(Some(text));
        }
        let doc: TantivyDocument = found.searcher.doc(addr)?;
        let key = doc.get_first(self.fields.key).and_then(|v| v.as_str());
        if key != Some(doc_key(account, blob).as_str()) {
            return self.stored_text(account, blob);
        }
        let text = Arc::new(self.text_of(&doc)?);
        self.cache_text(account, blob, &text, found.epoch);
        Ok(Some(text))
    }

    fn epoch(&self) -> u64 {
        self.texts_epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Caches a text read through a searcher taken in `epoch`, unless a reindex began since
    /// (checked again after the insert, in case it began in between).
    fn cache_text(&self, account: AccountId, blob: &BlobRef, text: &Arc<FoldedText>, epoch: u64) {
        if self.epoch() != epoch {
            return;
        }
        self.texts.insert((account.0, *blob), Arc::clone(text));
        if self.epoch() != epoch {
            self.texts.remove(&(account.0, *blob));
        }
    }

    /// The stored text of the document at `addr` of `found`, if it is one of `account`'s.
    pub(crate) fn text_at(
        &self,
        account: AccountId,
        found: &Candidates,
        addr: DocAddress,
    ) -> Result<Option<FoldedText>> {
        let doc: TantivyDocument = found.searcher.doc(addr)?;
        let key = doc.get_first(self.fields.key).and_then(|v| v.as_str());
        let ours = key.is_some_and(|k| k.starts_with(&format!("{}:", account.0)));
        if !ours {
            return Ok(None);
        }
        self.text_of(&doc).map(Some)
    }

    fn text_of(&self, doc: &TantivyDocument) -> Result<FoldedText> {
        let bytes = doc
            .get_first(self.fields.text)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| IndexError::Data("document without text".into()))?;
        match serde_json::from_slice(bytes) {
            Ok(folded) => Ok(folded),
            // Indexes written before the text was stored folded hold the decoded text.
            Err(e) => match serde_json::from_slice::<SearchText>(bytes) {
                Ok(text) => Ok(FoldedText::new(&text)),
                Err(_) => Err(IndexError::Data(format!("stored text: {e}"))),
            },
        }
    }

    /// The stored (folded) text of a body of `account`, if indexed.
    pub fn stored_text(
        &self,
        account: AccountId,
        blob: &BlobRef,
    ) -> Result<Option<Arc<FoldedText>>> {
        match self.find(account, blob)? {
            Some((searcher, addr, epoch)) => {
                if let Some(text) = self.texts.get(&(account.0, *blob)) {
                    return Ok(Some(text));
                }
                let doc: TantivyDocument = searcher.doc(addr)?;
                let text = Arc::new(self.text_of(&doc)?);
                self.cache_text(account, blob, &text, epoch);
                Ok(Some(text))
            }
            None => Ok(None),
        }
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
