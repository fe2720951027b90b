//! Exact SEARCH over the index: candidate sets for the text keys of one command, and the
//! per-message [`TextSource`] the oracle evaluates with.

use crate::index::{Candidates, Field, IndexError, SearchIndex, TextKind};
use imap_proto::command::SearchKey;
use imap_search::{FoldedText, TextSource};
use std::cell::{Cell, OnceCell};
use std::collections::HashSet;
use std::sync::Arc;
use store::{AccountId, BlobRef};

/// A text key of the criteria, and whether it is under FUZZY.
type KeyUse = (SearchKey, bool);

/// The text keys of one SEARCH with their candidates (`None`: the key does not prune).
#[derive(Debug)]
pub struct Exact<'a> {
    index: &'a SearchIndex,
    account: AccountId,
    keys: Vec<(KeyUse, Option<Candidates>)>,
}

fn kind(key: &SearchKey) -> Option<(TextKind, &[u8])> {
    use SearchKey::*;
    Some(match key {
        From(s) => (TextKind::Header(Field::From), &s[..]),
        To(s) => (TextKind::Header(Field::To), &s[..]),
        Cc(s) => (TextKind::Header(Field::Cc), &s[..]),
        Bcc(s) => (TextKind::Header(Field::Bcc), &s[..]),
        Subject(s) => (TextKind::Header(Field::Subject), &s[..]),
        Header(_, s) | Body(s) | Text(s) => (TextKind::Any, &s[..]),
        _ => return None,
    })
}

fn text_keys<'k>(keys: &'k [SearchKey], fuzzy: bool, out: &mut Vec<(&'k SearchKey, bool)>) {
    for k in keys {
        match k {
            SearchKey::And(ks) => text_keys(ks, fuzzy, out),
            SearchKey::Or(a, b) => {
                text_keys(std::slice::from_ref(a), fuzzy, out);
                text_keys(std::slice::from_ref(b), fuzzy, out);
            }
            SearchKey::Not(k) => text_keys(std::slice::from_ref(k), fuzzy, out),
            SearchKey::Fuzzy(k) => text_keys(std::slice::from_ref(k), true, out),
            k if kind(k).is_some() => out.push((k, fuzzy)),
            _ => {}
        }
    }
}

/// Every distinct text key of `criteria` with whether it is under FUZZY, in order of
/// appearance: what a remote index is asked about.
pub fn text_keys_of(criteria: &[SearchKey]) -> Vec<(SearchKey, bool)> {
    let mut found = Vec::new();
    text_keys(criteria, false, &mut found);
    let mut out: Vec<(SearchKey, bool)> = Vec::new();
    for (k, fuzzy) in found {
        if !out.iter().any(|(x, f)| x == k && *f == fuzzy) {
            out.push((k.clone(), fuzzy));
        }
    }
    out
}

/// The bodies a message must have for `keys` (ANDed) to match, given the bodies each text key
/// needs (`needs(key, fuzzy)`, `None` when that key does not prune): AND intersects, OR unites
/// when both sides prune, NOT never narrows.
pub(crate) fn required_by(
    keys: &[SearchKey],
    needs: &dyn Fn(&SearchKey, bool) -> Option<HashSet<u64>>,
) -> Option<HashSet<u64>> {
    all_of(keys, false, needs)
}

fn all_of(
    keys: &[SearchKey],
    fuzzy: bool,
    needs: &dyn Fn(&SearchKey, bool) -> Option<HashSet<u64>>,
) -> Option<HashSet<u64>> {
    let mut sets: Vec<HashSet<u64>> = keys
        .iter()
        .filter_map(|k| needed(k, fuzzy, needs))
        .collect();
    sets.sort_by_key(HashSet::len);
    let mut sets = sets.into_iter();
    let first = sets.next()?;
    Some(sets.fold(first, |acc, s| {
        acc.into_iter().filter(|b| s.contains(b)).collect()
    }))
}

fn needed(
    key: &SearchKey,
    fuzzy: bool,
    needs: &dyn Fn(&SearchKey, bool) -> Option<HashSet<u64>>,
) -> Option<HashSet<u64>> {
    match key {
        SearchKey::And(ks) => all_of(ks, fuzzy, needs),
        SearchKey::Or(a, b) => {
            let mut a = needed(a, fuzzy, needs)?;
            a.extend(needed(b, fuzzy, needs)?);
            Some(a)
        }
        SearchKey::Fuzzy(k) => needed(k, true, needs),
        k if kind(k).is_some() => needs(k, fuzzy),
        _ => None,
    }
}

impl<'a> Exact<'a> {
    /// Looks up the candidates of every text key in `criteria`.
    pub fn prepare(
        index: &'a SearchIndex,
        account: AccountId,
        criteria: &[SearchKey],
    ) -> Result<Exact<'a>, IndexError> {
        let mut found = Vec::new();
        text_keys(criteria, false, &mut found);
        let mut keys: Vec<(KeyUse, Option<Candidates>)> = Vec::new();
        for (k, fuzzy) in found {
            if keys.iter().any(|((x, f), _)| x == k && *f == fuzzy) {
                continue;
            }
            let Some((kind, needle)) = kind(k) else {
                continue;
            };
            let candidates = if fuzzy {
                index.fuzzy_candidates(account, kind, needle)?
            } else {
                index.candidates(account, kind, needle)?
            };
            keys.push(((k.clone(), fuzzy), candidates));
        }
        Ok(Exact {
            index,
            account,
            keys,
        })
    }

    /// The text source of one indexed message (its body must be indexed for the account).
    pub fn source(&self, blob: BlobRef) -> IndexedText<'_> {
        IndexedText {
            exact: self,
            blob,
            text: OnceCell::new(),
            failed: Cell::new(false),
        }
    }

    /// The bodies (by [`blob64`](crate::blob64)) a message must have for `criteria` (ANDed)
    /// to match: the candidates of a text key every match needs (AND intersects, OR unites
    /// when both sides have them, NOT never narrows). `None` when no such key prunes, i.e. any
    /// message may match. A message outside the set is certain not to match, so a caller needs
    /// to look only at the messages inside (and at those the index has not reached).
    pub fn required(&self, criteria: &[SearchKey]) -> Option<HashSet<u64>> {
        required_by(criteria, &|k, fuzzy| {
            self.candidates_of(k, fuzzy)
                .map(|c| c.hits.keys().copied().collect())
        })
    }

    /// The prepared keys: each text key with its FUZZY flag and its candidates.
    pub(crate) fn keys(&self) -> impl Iterator<Item = (&SearchKey, bool, Option<&Candidates>)> {
        self.keys.iter().map(|((k, f), c)| (k, *f, c.as_ref()))
    }

    fn candidates_of(&self, key: &SearchKey, fuzzy: bool) -> Option<&Candidates> {
        self.keys
            .iter()
            .find(|((k, f), _)| k == key && *f == fuzzy)
            .and_then(|(_, c)| c.as_ref())
    }

    /// Total candidates over the keys (for logs and benchmarks).
    pub fn candidate_count(&self) -> usize {
        self.keys
            .iter()
            .filter_map(|(_, c)| c.as_ref())
            .map(Candidates::len)
            .sum()
    }
}

/// One message's text as the index knows it.
#[derive(Debug)]
pub struct IndexedText<'e> {
    exact: &'e Exact<'e>,
    blob: BlobRef,
    text: OnceCell<Option<Arc<FoldedText>>>,
    failed: Cell<bool>,
}

impl IndexedText<'_> {
    /// True if the stored text could not be read: the caller must evaluate this message again
    /// on its parsed body, since the answer may be wrong.
    pub fn failed(&self) -> bool {
        self.failed.get()
    }
}

impl crate::Judged for IndexedText<'_> {
    fn failed(&self) -> bool {
        self.failed.get()
    }
}

impl TextSource for IndexedText<'_> {
    fn excludes(&self, key: &SearchKey, fuzzy: bool) -> bool {
        self.exact
            .candidates_of(key, fuzzy)
            .is_some_and(|c| !c.contains(&self.blob))
    }

    fn text(&self) -> Option<&FoldedText> {
        self.text
            .get_or_init(|| {
                let e = self.exact;
                let at = e
                    .keys
                    .iter()
                    .filter_map(|(_, c)| c.as_ref())
                    .find_map(|c| Some((c, *c.hits.get(&crate::index::blob64(&self.blob))?)));
                let loaded = match at {
                    Some((c, addr)) => e.index.stored_text_near(e.account, &self.blob, c, addr),
                    None => e.index.stored_text(e.account, &self.blob),
                };
                match loaded {
                    Ok(Some(t)) => Some(t),
                    Ok(None) | Err(_) => {
                        self.failed.set(true);
                        None
                    }
                }
            })
            .as_deref()
    }
}
