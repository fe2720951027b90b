//! Writing the index: adding a body's document (or recording it as unindexed), committing the
//! documents together with the mailboxes' watermarks, and forgetting an account.

use super::schema::{MAX_STORED_TEXT, MAX_TEXT, Payload, blob64, doc_key};
use super::{IndexError, Result, SearchIndex, Shard};
use imap_search::{FoldedText, fold};
use mail_model::SearchText;
use store::{AccountId, BlobRef, MailboxId};
use tantivy::{IndexWriter, TantivyDocument, Term};

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

    /// Empties a shard whose documents are of another [`FORMAT`](super::schema::FORMAT) and
    /// records the current one, without watermarks: every mailbox is indexed again, and
    /// searched as without an index until then.
    pub(super) fn empty(&self) -> Result<()> {
        let mut writer = self.writer()?;
        writer.delete_all_documents()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&Payload::encode(&Default::default())?);
        prepared.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }
}

impl SearchIndex {
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
            .chain(&text.addresses)
            .chain(&text.part_headers)
            .map(|(n, v)| n.len() + v.len())
            .chain(
                text.bodies
                    .iter()
                    .chain(&text.attachment_names)
                    .map(String::len),
            )
            .sum();
        if size > MAX_STORED_TEXT {
            return self.add_unindexed(account, blob);
        }
        // Folded once here: the stored text is compared without folding at search time, and
        // the grams come from the same folded values.
        let folded = FoldedText::new(text);
        let stored =
            postcard::to_stdvec(&folded).map_err(|e| IndexError::Data(format!("text: {e}")))?;
        doc.add_bytes(f.text, &stored);
        if size > MAX_TEXT {
            // No grams (see MAX_TEXT): a candidate for every needle, judged on its stored text.
            doc.add_u64(f.oversize, 1);
            return self.write(account, doc);
        }
        // FROM/TO/CC/BCC compare the values and the parsed addresses: grams of both, each
        // value on its own (a needle never spans two).
        for (field, name) in [(f.from, "From"), (f.to, "To"), (f.cc, "Cc"), (f.bcc, "Bcc")] {
            for v in folded.address_values(name) {
                doc.add_text(field, v);
            }
        }
        for v in &folded.subjects {
            doc.add_text(f.subject, v);
        }
        // TEXT compares `Name: value` lines, HEADER name s the value alone: the grams of the
        // line hold every gram of the value, so one value per line serves both.
        let top = folded.headers.iter().map(|(n, v)| (fold(n), v));
        let parts = folded.part_headers.iter().map(|(n, v)| (n.clone(), v));
        for (n, v) in top.chain(parts) {
            doc.add_text(f.all, format!("{n}: {v}"));
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
        for shard in &self.shards {
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
            let payload = Payload::encode(&marks_after)?;
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
}
