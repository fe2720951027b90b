//! The folded text stored with each document (read to confirm a candidate without parsing the
//! message) and the cache of texts already read, which a reindex empties.

use super::candidates::Candidates;
use super::schema::doc_key;
use super::{IndexError, Result, SearchIndex};
use imap_search::FoldedText;
use std::sync::Arc;
use store::{AccountId, BlobRef};
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

/// Bytes of folded text the stored-text cache keeps, over all accounts.
pub(super) const TEXT_CACHE_BYTES: u64 = 64 << 20;

/// Weighs a cached text by the bytes it holds (an estimate within a few per cent).
#[derive(Clone)]
pub(super) struct TextWeight;

impl quick_cache::Weighter<(i64, BlobRef), Arc<FoldedText>> for TextWeight {
    fn weight(&self, _key: &(i64, BlobRef), text: &Arc<FoldedText>) -> u64 {
        fn pairs(v: &[(String, String)]) -> usize {
            v.iter().map(|(a, b)| a.len() + b.len() + 48).sum()
        }
        fn strings(v: &[String]) -> usize {
            v.iter().map(|s| s.len() + 24).sum()
        }
        let bytes = pairs(&text.headers)
            + pairs(&text.addresses)
            + pairs(&text.part_headers)
            + strings(&text.subjects)
            + strings(&text.bodies)
            + strings(&text.attachment_names);
        (bytes + 160) as u64
    }
}

impl SearchIndex {
    /// The stored text of `blob`, read at `addr` in the searcher of the [`Candidates`] that
    /// found it if that document is the body's (two bodies may share a
    /// [`blob64`](super::blob64)), else looked up by key.
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

    /// The stored-text cache's epoch: moves on at each reindex.
    pub(super) fn epoch(&self) -> u64 {
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
        // Documents of older formats (JSON; the decoded text, before it was stored folded; the
        // folded text without addresses) are gone: a shard of another format is emptied when
        // it is opened (`FORMAT`).
        postcard::from_bytes(bytes).map_err(|e| IndexError::Data(format!("stored text: {e}")))
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
}
