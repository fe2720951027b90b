//! SORT / UID SORT (RFC 5256 §3), the DISPLAYFROM/DISPLAYTO keys (RFC 5957) and ESORT (RFC
//! 5267 §3: `RETURN (MIN MAX COUNT ALL SAVE)` answered with ESEARCH in sort order).
//!
//! ```text
//!  search criteria ─▶ searcher::matching ─▶ Row { seq, one KeyValue per criterion } ─▶ order()
//!                      (same evaluation     (taken from the facts stored at APPEND:
//!                       as SEARCH)            SortKeys, INTERNALDATE, RFC822.SIZE)
//! ```
//!
//! Strings compare by code point on the stored keys, which `mail-model` keeps case-mapped with
//! `i;unicode-casemap` (RFC 5256 §7, RFC 5051); an absent header is the empty string, which
//! sorts first (RFC 5256 §3). Messages that compare equal on every criterion keep mailbox
//! order (sequence number ascending), and REVERSE does not reverse that implicit last key.

use crate::context::SelectedCtx;
use crate::esearch::{EsearchAnswer, Order, answer_esearch};
use crate::reply::{Outcome, Reply};
use crate::searcher::{check_charset, matching};
use imap_proto::Tag;
use imap_proto::command::{SearchKey, SearchReturn, SortCriterion, SortKey};
use imap_proto::response::{Response, SearchResponse};
use mail_model::SortKeys;
use std::cmp::Ordering;

/// The value of one sort criterion for one message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum KeyValue {
    /// Dates (Unix seconds) and sizes.
    Num(i64),
    /// Case-mapped strings: base subject, addr-mailbox, display name.
    Text(String),
}

/// The value of `key` for a message with this INTERNALDATE (Unix seconds), RFC822.SIZE and
/// stored sort keys.
pub(crate) fn value(key: SortKey, internal_date: i64, size: u64, keys: &SortKeys) -> KeyValue {
    use KeyValue::{Num, Text};
    match key {
        SortKey::Arrival => Num(internal_date),
        // RFC 5256 §2.2: a missing or unparsable Date falls back to INTERNALDATE.
        SortKey::Date => Num(keys.sent_date.unwrap_or(internal_date)),
        SortKey::Size => Num(i64::try_from(size).unwrap_or(i64::MAX)),
        SortKey::Subject => Text(keys.subject.clone()),
        SortKey::From => Text(keys.from.clone()),
        SortKey::To => Text(keys.to.clone()),
        SortKey::Cc => Text(keys.cc.clone()),
        SortKey::DisplayFrom => Text(keys.display_from.clone()),
        SortKey::DisplayTo => Text(keys.display_to.clone()),
        // Known after matching: `sort` puts [`relevancy_value`] in its place.
        SortKey::Relevancy => Num(0),
    }
}

/// The sort value of an RFC 6203 relevancy: the most relevant first (like Dovecot), so the
/// score is negated; REVERSE RELEVANCY gives the least relevant first.
pub(crate) fn relevancy_value(score: u8) -> KeyValue {
    KeyValue::Num(-i64::from(score))
}

/// A message to sort: its sequence number (the implicit last key), its UID and one value per
/// criterion, in criterion order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// Sequence number.
    pub(crate) seq: u32,
    /// UID.
    pub(crate) uid: u32,
    /// RFC 6203 relevancy (for RETURN (RELEVANCY)).
    pub(crate) relevancy: u8,
    /// `values[i]` is the value of `criteria[i]`.
    pub(crate) values: Vec<KeyValue>,
}

/// Sorts `rows` by `criteria`, most significant first, each ascending unless REVERSE; ties
/// by sequence number ascending, whatever REVERSE says (RFC 5256 §3).
pub(crate) fn order(rows: &mut [Row], criteria: &[SortCriterion]) {
    rows.sort_by(|a, b| {
        for (i, c) in criteria.iter().enumerate() {
            let o = a.values[i].cmp(&b.values[i]);
            let o = if c.reverse { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.seq.cmp(&b.seq)
    });
}

/// The request, as parsed.
pub(crate) struct SortRequest {
    /// `UID SORT`
    pub(crate) uid: bool,
    /// ESORT return options; `None` without `RETURN`.
    pub(crate) ret: Option<Vec<SearchReturn>>,
    /// Sort criteria, most significant first (the parser refuses an empty list).
    pub(crate) criteria: Vec<SortCriterion>,
    /// Charset of the search strings, upper-cased.
    pub(crate) charset: String,
    /// Search criteria, ANDed.
    pub(crate) keys: Vec<SearchKey>,
}

/// SORT / UID SORT. RFC 5182 §2.1: as for SEARCH, a failed SORT with SAVE leaves `$` empty.
pub(crate) async fn sort(s: &mut SelectedCtx<'_>, tag: &Tag, req: SortRequest) -> Outcome {
    let saves = req
        .ret
        .as_ref()
        .is_some_and(|r| r.contains(&SearchReturn::Save));
    let outcome = run(s, tag, req).await;
    if saves
        && !outcome
            .as_ref()
            .is_ok_and(|r| r.cond == imap_proto::response::State::Ok)
    {
        *s.saved = Some(Vec::new());
    }
    outcome
}

async fn run(s: &mut SelectedCtx<'_>, tag: &Tag, req: SortRequest) -> Outcome {
    check_charset(Some(&req.charset))?;
    let criteria = req.criteria;
    let found = matching(s, req.keys, true, |rec, facts| {
        criteria
            .iter()
            .map(|c| value(c.key, rec.internal_date, rec.size, &facts.sort))
            .collect::<Vec<_>>()
    })
    .await?;
    // RELEVANCY (RFC 6203 §4) is known only after matching: filled in here.
    let mut rows: Vec<Row> = found
        .hits
        .into_iter()
        .map(|h| Row {
            seq: h.seq,
            uid: h.uid,
            relevancy: h.relevancy,
            values: criteria
                .iter()
                .zip(h.data)
                .map(|(c, v)| match c.key {
                    SortKey::Relevancy => relevancy_value(h.relevancy),
                    _ => v,
                })
                .collect(),
        })
        .collect();
    order(&mut rows, &criteria);
    let uids: Vec<u32> = rows.iter().map(|r| r.uid).collect();
    let relevancy: Vec<u8> = rows.iter().map(|r| r.relevancy).collect();
    let ids: Vec<u32> = if req.uid {
        uids.clone()
    } else {
        rows.iter().map(|r| r.seq).collect()
    };
    match req.ret {
        // RFC 5256 §4 SORT response (RFC 7162 §3.1.5 adds the MODSEQ).
        None => s.send(&Response::Sort(SearchResponse {
            ids,
            mod_seq: found.mod_seq,
        })),
        Some(ret) => {
            let answer = EsearchAnswer {
                uid: req.uid,
                ret: &ret,
                ids: &ids,
                uids: &uids,
                relevancy: &relevancy,
                mod_seq: found.mod_seq,
                order: Order::Sorted,
            };
            answer_esearch(s, tag, answer);
        }
    }
    Ok(Reply::ok("SORT completed"))
}

#[cfg(test)]
#[path = "sort_test.rs"]
mod tests;
