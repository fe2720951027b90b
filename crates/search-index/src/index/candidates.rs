//! Finding candidates: the bodies of an account whose documents hold a needle's 3-grams (all of
//! them, or enough of them under FUZZY), plus every oversize body, with the searcher that found
//! them.

use super::schema::{Field, TextKind, blob64};
use super::{Result, SearchIndex};
use imap_search::fold;
use std::collections::HashMap;
use store::{AccountId, BlobRef};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

/// Most 3-grams of one needle put in a query.
const MAX_QUERY_GRAMS: usize = 64;

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

impl SearchIndex {
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
        let all = imap_search::grams(&fold(&String::from_utf8_lossy(needle)));
        if all.is_empty() {
            return Ok(None);
        }
        // A long needle queries a spread of its grams, not all of them: any subset still finds
        // every body holding the needle (the stored text then judges), and a 64 KB needle's
        // 64,000 term clauses would cost more than they prune.
        let step = all.len().div_ceil(MAX_QUERY_GRAMS);
        let grams: Vec<&String> = all.iter().step_by(step).collect();
        // FUZZY wants `fuzzy_min_grams(all)` of all the grams: of those queried, a match holds
        // at least that many less the ones not queried; none at all means no pruning.
        let enough =
            imap_search::fuzzy_min_grams(all.len()).saturating_sub(all.len() - grams.len());
        if fuzzy && enough == 0 {
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
}
