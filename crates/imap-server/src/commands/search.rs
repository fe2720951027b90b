//! SEARCH / UID SEARCH (RFC 9051 §6.4.4) with ESEARCH return options (RFC 4731), SEARCHRES
//! (`RETURN (SAVE)` and `$`, RFC 5182) and SEARCH=FUZZY (RFC 6203: FUZZY, RETURN (RELEVANCY)).
//! Every message is decided by the exact semantics of the `imap-search` crate; with a search
//! index, a text key every match needs first narrows the messages to those whose body is among
//! its candidates (only their rows are read), and candidates are confirmed on the folded text
//! the index stores — so the result is the brute-force one, index or not.
//!
//! [`matching`] is the one matching loop: SEARCH, SORT ([`super::sort`]) and THREAD
//! ([`super::thread`]) all select their messages with it, so the three agree on every key.
//!
//! ```text
//!  SEARCH ─┐                                   ┌─▶ * SEARCH / * ESEARCH (answer_esearch)
//!  SORT ───┼─▶ check_charset ─▶ matching() ────┼─▶ sort::order ─▶ * SORT / * ESEARCH
//!  THREAD ─┘        ($ substituted, hits in    └─▶ thread::* ───▶ * THREAD
//!                    sequence order)
//! ```

use crate::errors::store_reply;
use crate::session::{Reply, Session};
use imap_proto::Tag;
use imap_proto::command::{SearchKey, SearchReturn};
use imap_proto::response::{Code, ESearchItem, ESearchResponse, Response, SearchResponse};
use imap_proto::types::{SeqRange, SequenceSet};
use mail_model::MessageFacts;
use store::MessageRecord;
use tokio::io::{AsyncRead, AsyncWrite};

/// Charsets SEARCH, SORT and THREAD accept; the search strings are UTF-8 (US-ASCII is a
/// subset).
const CHARSETS: [&str; 2] = ["UTF-8", "US-ASCII"];

/// `NO [BADCHARSET (UTF-8 US-ASCII)]` unless `charset` (upper-cased by the parser) is one we
/// take (RFC 9051 §6.4.4, RFC 5256 §3).
pub(crate) fn check_charset(charset: Option<&str>) -> Result<(), Reply> {
    match charset {
        Some(cs) if !CHARSETS.contains(&cs) => {
            let supported = CHARSETS.iter().map(|c| c.to_string()).collect();
            Err(Reply::no(format!("charset {cs} is not supported"))
                .code(Code::BadCharset(supported)))
        }
        _ => Ok(()),
    }
}

/// Replaces `$` (the saved result) by the UIDs it stands for; with nothing saved, `$` is the
/// empty set (RFC 5182 §2.1), which matches nothing.
fn substitute(key: SearchKey, saved: Option<&[u32]>) -> SearchKey {
    use SearchKey::*;
    let saved_set =
        || match saved.and_then(|u| imap_proto::SequenceSet::from_values(u.iter().copied())) {
            Some(set) => Uid(set),
            None => Not(Box::new(All)),
        };
    match key {
        SequenceSet(imap_proto::SequenceSet::Saved) | Uid(imap_proto::SequenceSet::Saved) => {
            saved_set()
        }
        Not(k) => Not(Box::new(substitute(*k, saved))),
        Fuzzy(k) => Fuzzy(Box::new(substitute(*k, saved))),
        Or(a, b) => Or(
            Box::new(substitute(*a, saved)),
            Box::new(substitute(*b, saved)),
        ),
        And(v) => And(v.into_iter().map(|k| substitute(k, saved)).collect()),
        other => other,
    }
}

/// True if `key` or a key below it satisfies `p`.
fn holds(key: &SearchKey, p: &dyn Fn(&SearchKey) -> bool) -> bool {
    p(key)
        || match key {
            SearchKey::Not(k) | SearchKey::Fuzzy(k) => holds(k, p),
            SearchKey::Or(a, b) => holds(a, p) || holds(b, p),
            SearchKey::And(v) => v.iter().any(|k| holds(k, p)),
            _ => false,
        }
}

/// True if `key` holds a MODSEQ key anywhere.
fn has_modseq(key: &SearchKey) -> bool {
    holds(key, &|k| matches!(k, SearchKey::ModSeq { .. }))
}

/// True if `key` holds a FUZZY key anywhere.
fn has_fuzzy(key: &SearchKey) -> bool {
    holds(key, &|k| matches!(k, SearchKey::Fuzzy(_)))
}

/// One message that matched the criteria.
pub(crate) struct Hit<T> {
    /// Sequence number in the session's view.
    pub(crate) seq: u32,
    /// UID.
    pub(crate) uid: u32,
    /// The message's MODSEQ, for RFC 7162 §3.1.5.
    pub(crate) modseq: u64,
    /// RFC 6203 relevancy, 1–100 (100 for every match of a search without FUZZY).
    pub(crate) relevancy: u8,
    /// What the caller kept of the message (see [`matching`]).
    pub(crate) data: T,
}

/// The outcome of [`matching`].
pub(crate) struct Matches<T> {
    /// The matching messages, in sequence order.
    pub(crate) hits: Vec<Hit<T>>,
    /// With a MODSEQ key in the criteria, the highest MODSEQ among the hits (RFC 7162
    /// §3.1.5); `None` without one, or when nothing matched.
    pub(crate) mod_seq: Option<u64>,
}

/// Evaluates `criteria` (ANDed, `$` not yet substituted) on every message of the selected
/// mailbox with the exact semantics of `imap-search`, and returns the matches in sequence
/// order. `keep` picks, from the store row and the stored facts of each match, what the
/// caller needs later (SORT keys, THREAD fields), so nothing else stays in memory.
pub(crate) async fn matching<S, T>(
    s: &Session<S>,
    criteria: Vec<SearchKey>,
    keep_reads_facts: bool,
    mut keep: impl FnMut(&MessageRecord, &MessageFacts) -> T,
) -> Result<Matches<T>, Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let account = s.account()?;
    let Some(sel) = s.state.selected() else {
        return Err(Reply::bad("no mailbox selected"));
    };
    let criteria: Vec<SearchKey> = criteria
        .into_iter()
        .map(|k| substitute(k, s.saved.as_deref()))
        .collect();
    let view = sel.view.clone();
    let mailbox = sel.id;
    let uids: Vec<u32> = (1..=view.exists())
        .filter_map(|seq| view.uid(seq))
        .collect();
    let needs_text = imap_search::any_needs_text(&criteria);
    let ctx = imap_search::Context {
        max_seq: view.exists(),
        max_uid: uids.last().copied().unwrap_or(0),
        now: store::now_ms() / 1000,
    };
    // With an index and a text key: candidates per text key rule messages out without their
    // text, and the text of the others comes from the index. Messages at or above the
    // mailbox's watermark (not indexed yet) are read as without an index, so the result is
    // the same either way (search-index's crate docs).
    let index = if needs_text {
        s.shared.search.clone()
    } else {
        None
    };
    let remote = if needs_text && index.is_none() {
        s.shared.remote_search.clone()
    } else {
        None
    };
    let exact = match (index.as_deref(), remote) {
        // The watermark before the candidates: every body below it is in what they see.
        (Some(ix), _) => match (
            ix.watermark(account, mailbox),
            search_index::Exact::prepare(ix, account, &criteria),
        ) {
            (watermark, Ok(e)) => Some((Prepared::Local(e), watermark)),
            (_, Err(e)) => {
                tracing::warn!(session = s.id, error = %e, "search index unusable; reading messages");
                None
            }
        },
        (None, Some(remote)) => match remote.verdicts(account, mailbox, &criteria).await {
            Ok(v) => {
                let watermark = v.watermark;
                Some((Prepared::Remote(v), watermark))
            }
            Err(e) => {
                tracing::warn!(session = s.id, error = %e, "search shard unavailable; reading messages");
                None
            }
        },
        (None, None) => None,
    };
    let store = &s.shared.store;
    // A text key every match needs: only messages whose body is among its candidates (or
    // that are not indexed yet) can match, so only those rows are read.
    let uids = match exact
        .as_ref()
        .and_then(|(e, watermark)| Some((e.required(&criteria)?, *watermark)))
    {
        Some((bodies, watermark)) => {
            let map = s
                .shared
                .uid_maps
                .get(
                    store.as_ref(),
                    search_index::MailboxAt {
                        account,
                        mailbox,
                        uid_validity: view.uid_validity(),
                    },
                    ctx.max_uid,
                )
                .await
                .map_err(store_reply)?;
            uids.into_iter()
                .filter(|&uid| {
                    uid >= watermark || map.blob64(uid).is_none_or(|b| bodies.contains(&b))
                })
                .collect()
        }
        None => uids,
    };
    // Stored facts are read and decoded only when the keys (SENT*) or the caller (SORT,
    // THREAD) need them.
    let want_facts = keep_reads_facts || criteria.iter().any(imap_search::needs_facts);
    let records = if want_facts {
        store.fetch(account, mailbox, &uids).await
    } else if criteria.iter().any(imap_search::needs_record) {
        store.fetch_meta(account, mailbox, &uids).await
    } else {
        // Flags, numbers and MODSEQ only: the session's view answers, no store round trip.
        Ok(super::view_records(&view, uids.iter().copied()))
    }
    .map_err(store_reply)?;
    let fuzzy = criteria.iter().any(has_fuzzy);
    let placeholder = super::no_facts();
    let mut hits = Vec::new();
    for rec in &records {
        let uid = rec.state.uid;
        let Some(seq) = view.seq(uid) else { continue };
        let state = view.state(seq).unwrap_or_else(|| rec.state.clone());
        let indexed = exact
            .as_ref()
            .is_some_and(|(_, watermark)| uid < *watermark);
        let with_body = needs_text && !indexed;
        let (raw, owned) = if want_facts {
            let (raw, facts) = super::load(&s.shared, rec, with_body).await?;
            (raw, Some(facts))
        } else if with_body {
            (Some(super::body(&s.shared, rec).await?), None)
        } else {
            (None, None)
        };
        let facts = owned.as_ref().unwrap_or(placeholder);
        let text = raw.as_deref().map(mail_model::search_text);
        let msg = imap_search::Message {
            seq,
            uid,
            flags: &state.flags,
            recent: view.is_recent(uid),
            modseq: state.modseq,
            size: rec.size,
            internal_date: rec.internal_date,
            internal_zone_minutes: rec.internal_zone,
            save_date: Some(rec.save_date),
            email_id: &rec.email_id,
            thread_id: None,
            facts,
            text: text.as_ref(),
        };
        // (matches, RFC 6203 relevancy); relevancy is computed for matches of FUZZY searches.
        let judge = |msg: &imap_search::Message<'_>,
                     source: Option<&dyn imap_search::TextSource>| {
            let hit = match source {
                Some(src) => imap_search::search_with(&criteria, msg, &ctx, src),
                None => imap_search::search(&criteria, msg, &ctx),
            };
            let score = if hit && fuzzy {
                imap_search::relevancy(&criteria, msg, &ctx, source)
            } else {
                100
            };
            (hit, score)
        };
        let mut answer = None;
        if let Some((e, _)) = exact.as_ref().filter(|_| indexed) {
            let source = e.source(rec.blob);
            let judged = judge(&msg, Some(source.as_text()));
            if !source.failed() {
                answer = Some(judged);
            }
        }
        let (hit, relevancy) = match answer {
            Some(judged) => judged,
            // The index lost this body's text: read the message itself.
            None if indexed => {
                let (raw, _) = super::load(&s.shared, rec, true).await?;
                let text = raw.as_deref().map(mail_model::search_text);
                let msg = imap_search::Message {
                    text: text.as_ref(),
                    ..msg
                };
                judge(&msg, None)
            }
            None => judge(&msg, None),
        };
        if hit {
            hits.push(Hit {
                seq,
                uid,
                modseq: state.modseq,
                relevancy,
                data: keep(rec, facts),
            });
        }
    }
    hits.sort_by_key(|h| h.seq);
    // RFC 7162 §3.1.5: a search with a MODSEQ key reports the highest MODSEQ it found.
    let mod_seq = if criteria.iter().any(has_modseq) {
        hits.iter().map(|h| h.modseq).max()
    } else {
        None
    };
    Ok(Matches { hits, mod_seq })
}

/// The text keys of one SEARCH, prepared on the local index or judged by the shard owner.
enum Prepared<'a> {
    Local(search_index::Exact<'a>),
    Remote(search_index::Verdicts),
}

/// One message's text source from either kind.
enum Source<'a> {
    Local(search_index::IndexedText<'a>),
    Remote(search_index::VerdictText<'a>),
}

impl Prepared<'_> {
    fn required(&self, criteria: &[SearchKey]) -> Option<std::collections::HashSet<u64>> {
        match self {
            Prepared::Local(e) => e.required(criteria),
            Prepared::Remote(v) => v.required(criteria),
        }
    }

    fn source(&self, blob: store::BlobRef) -> Source<'_> {
        match self {
            Prepared::Local(e) => Source::Local(e.source(blob)),
            Prepared::Remote(v) => Source::Remote(v.source(blob)),
        }
    }
}

impl Source<'_> {
    fn as_text(&self) -> &dyn imap_search::TextSource {
        match self {
            Source::Local(t) => t,
            Source::Remote(t) => t,
        }
    }

    fn failed(&self) -> bool {
        use search_index::Judged;
        match self {
            Source::Local(t) => Judged::failed(t),
            Source::Remote(t) => t.failed(),
        }
    }
}

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
pub(crate) fn answer_esearch<S>(s: &mut Session<S>, tag: &Tag, a: EsearchAnswer<'_>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
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
        s.saved = Some(saved);
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

/// The request, as parsed.
pub(crate) struct SearchRequest {
    pub(crate) uid: bool,
    pub(crate) charset: Option<String>,
    pub(crate) ret: Option<Vec<SearchReturn>>,
    pub(crate) criteria: Vec<SearchKey>,
}

/// SEARCH / UID SEARCH
pub(crate) async fn search<S>(s: &mut Session<S>, tag: &Tag, req: SearchRequest) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if let Err(r) = check_charset(req.charset.as_deref()) {
        return r;
    }
    let found = match matching(s, req.criteria, false, |_, _| ()).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let ids: Vec<u32> = found
        .hits
        .iter()
        .map(|h| if req.uid { h.uid } else { h.seq })
        .collect();
    // IMAP4rev2 has no SEARCH response: a SEARCH without RETURN is RETURN (ALL) (RFC 9051
    // §6.4.4), answered with ESEARCH.
    let ret = match req.ret {
        None if s.enabled.rev2 => Some(Vec::new()),
        ret => ret,
    };
    match ret {
        None => s.send(&Response::Search(SearchResponse {
            ids,
            mod_seq: found.mod_seq,
        })),
        Some(ret) => {
            let uids: Vec<u32> = found.hits.iter().map(|h| h.uid).collect();
            let relevancy: Vec<u8> = found.hits.iter().map(|h| h.relevancy).collect();
            let answer = EsearchAnswer {
                uid: req.uid,
                ret: &ret,
                ids: &ids,
                uids: &uids,
                relevancy: &relevancy,
                mod_seq: found.mod_seq,
                order: Order::Ascending,
            };
            answer_esearch(s, tag, answer);
        }
    }
    Reply::ok("SEARCH completed")
}
