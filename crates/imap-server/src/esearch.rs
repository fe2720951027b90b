//! ESEARCH answers (RFC 4731; for SORT, RFC 5267 §3.1) and the saved result (RFC 5182), shared
//! by SEARCH and SORT.

use crate::context::Ctx;
use imap_proto::Tag;
use imap_proto::command::SearchReturn;
use imap_proto::response::{ESearchItem, ESearchResponse, Response};
use imap_proto::types::{SeqRange, SequenceSet};

/// The order of the numbers given to [`answer_esearch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// SEARCH: ascending.
    Ascending,
    /// SORT: the sort order, kept in `ALL` (RFC 5267 §3.1).
    Sorted,
}

/// `ids` in their order as a sequence set: ranges only for ascending runs, so the expansion
/// keeps the order (RFC 5267 §3.2: `10:12`, never `12:10`). `None` when empty.
pub(crate) fn ordered_set(ids: &[u32]) -> Option<SequenceSet> {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for &n in ids {
        match ranges.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(n) => *end = n,
            _ => ranges.push((n, n)),
        }
    }
    if ranges.is_empty() {
        return None;
    }
    Some(SequenceSet::Ranges(
        ranges
            .into_iter()
            .map(|(a, b)| SeqRange::new(a, b))
            .collect(),
    ))
}

/// A search result to answer with ESEARCH (RFC 4731; for SORT, RFC 5267 §3.1).
pub(crate) struct EsearchAnswer<'a> {
    /// `UID SEARCH` / `UID SORT`: the numbers are UIDs.
    pub(crate) uid: bool,
    /// The return options as given.
    pub(crate) ret: &'a [SearchReturn],
    /// The numbers reported (sequence numbers or UIDs), in result order; MIN and MAX are the
    /// first and last of that order.
    pub(crate) ids: &'a [u32],
    /// The matching UIDs in the same order, for SAVE.
    pub(crate) uids: &'a [u32],
    /// RFC 6203 relevancy of each, in the same order (for RETURN (RELEVANCY)).
    pub(crate) relevancy: &'a [u8],
    /// `MODSEQ n` when the criteria held a MODSEQ key (RFC 7162 §3.1.5).
    pub(crate) mod_seq: Option<u64>,
    /// How `ids` are ordered.
    pub(crate) order: Order,
}

/// Saves the result for SAVE (RFC 5182 §2.4) and sends the ESEARCH response of `a`.
pub(crate) fn answer_esearch(s: &mut Ctx<'_>, tag: &Tag, a: EsearchAnswer<'_>) {
    let EsearchAnswer {
        uid,
        ret,
        ids,
        uids,
        relevancy,
        mod_seq,
        order,
    } = a;
    let want = |r: SearchReturn| ret.contains(&r);
    if want(SearchReturn::Save) {
        // RFC 5182 §2.4: with MIN and/or MAX but neither ALL nor COUNT, only those
        // messages are saved.
        let only_ends = !(want(SearchReturn::All) || want(SearchReturn::Count))
            && (want(SearchReturn::Min) || want(SearchReturn::Max));
        let mut saved = if only_ends {
            let mut ends = Vec::new();
            if want(SearchReturn::Min) {
                ends.extend(uids.first());
            }
            if want(SearchReturn::Max) {
                ends.extend(uids.last());
            }
            ends
        } else {
            uids.to_vec()
        };
        // `$` is a set (RFC 5182 §2.1): kept ascending whatever the result order.
        saved.sort_unstable();
        saved.dedup();
        *s.saved = Some(saved);
    }
    let mut items = Vec::new();
    // RETURN () is RETURN (ALL) (RFC 4731 §3.1).
    let all = ret.is_empty() || want(SearchReturn::All);
    if want(SearchReturn::Min)
        && let Some(m) = ids.first()
    {
        items.push(ESearchItem::Min(*m));
    }
    if want(SearchReturn::Max)
        && let Some(m) = ids.last()
    {
        items.push(ESearchItem::Max(*m));
    }
    let set = match order {
        Order::Ascending => SequenceSet::from_values(ids.iter().copied()),
        Order::Sorted => ordered_set(ids),
    };
    if all && let Some(set) = set {
        items.push(ESearchItem::All(set));
    }
    if want(SearchReturn::Count) {
        items.push(ESearchItem::Count(ids.len() as u32));
    }
    // RFC 6203 §4: one score per result, in the order of the result.
    if want(SearchReturn::Relevancy) && !relevancy.is_empty() {
        items.push(ESearchItem::Relevancy(relevancy.to_vec()));
    }
    if let Some(m) = mod_seq {
        items.push(ESearchItem::ModSeq(m));
    }
    // RFC 5182 §2.1: with SAVE alone, no ESEARCH response.
    if !(ret.len() == 1 && want(SearchReturn::Save)) {
        s.send(&Response::ESearch(ESearchResponse {
            tag: Some(tag.clone()),
            uid,
            items,
        }));
    }
}
