//! How SEARCH, SORT and THREAD find their messages: [`matching`] is the one matching loop, so
//! the three agree on every key. Every message is decided by the exact semantics of the
//! `imap-search` crate; where a search index can judge the text keys, it narrows the rows read
//! and supplies the text. Which one judges — the local index, the shard owner's verdicts (the
//! cluster), or nobody (every body is read) — is `search_index::Searcher`'s choice, made once
//! per search, behind the `TextJudge` trait:
//!
//! ```text
//!  criteria ─▶ $ substituted ─▶ Searcher::prepare ─┬─ local index (search-index on this node)
//!                                                  ├─ verdicts from the shard owner
//!                                                  └─ none: brute force
//!            ─▶ rows (narrowed by a text key every match needs) ─▶ judge each ─▶ Matches
//! ```
//!
//! Messages at or above the index's watermark (not indexed yet) are read as without an index,
//! so the result is the brute-force one either way (search-index's crate docs).

use crate::context::SelectedCtx;
use crate::flags::search_flags;
use crate::messages::{body, load, no_facts, view_records, whole};
use crate::reply::{CommandError, Reply};
use imap_proto::command::SearchKey;
use imap_proto::response::Code;
use mail_model::MessageFacts;
use store::MessageRecord;

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
pub(crate) fn has_modseq(key: &SearchKey) -> bool {
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
pub(crate) async fn matching<T>(
    cx: &SelectedCtx<'_>,
    criteria: Vec<SearchKey>,
    keep_reads_facts: bool,
    mut keep: impl FnMut(&MessageRecord, &MessageFacts) -> T,
) -> Result<Matches<T>, CommandError> {
    let account = cx.account();
    let criteria: Vec<SearchKey> = criteria
        .into_iter()
        .map(|k| substitute(k, cx.saved_search()))
        .collect();
    let view = &cx.sel.view;
    let mailbox = cx.sel.id;
    let uids: Vec<u32> = (1..=view.exists())
        .filter_map(|seq| view.uid(seq))
        .collect();
    let needs_text = imap_search::any_needs_text(&criteria);
    let ctx = imap_search::Context {
        max_seq: view.exists(),
        max_uid: uids.last().copied().unwrap_or(0),
        now: store::now_ms() / 1000,
    };
    let judge = if needs_text {
        let searcher = &cx.shared.searcher;
        match searcher.prepare(account, mailbox, &criteria).await {
            Ok(judge) => judge,
            Err(e) => {
                tracing::warn!(session = cx.session, error = %e, "reading every message");
                None
            }
        }
    } else {
        None
    };
    let store = cx.store();
    // A text key every match needs: only messages whose body is among its candidates (or
    // that are not indexed yet) can match, so only those rows are read.
    let uids = match judge
        .as_ref()
        .and_then(|j| Some((j.required(&criteria)?, j.watermark())))
    {
        Some((bodies, watermark)) => {
            let map = cx
                .shared
                .uid_maps
                .get(
                    store,
                    search_index::MailboxAt {
                        account,
                        mailbox,
                        uid_validity: view.uid_validity(),
                    },
                    ctx.max_uid,
                )
                .await?;
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
        store.fetch(account, mailbox, &uids).await?
    } else if criteria.iter().any(imap_search::needs_record) {
        store.fetch_meta(account, mailbox, &uids).await?
    } else {
        // Flags, numbers and MODSEQ only: the session's view answers, no store round trip.
        view_records(view, uids.iter().copied())
    };
    let fuzzy = criteria.iter().any(has_fuzzy);
    let placeholder = no_facts();
    let mut hits = Vec::new();
    for rec in &records {
        let uid = rec.state.uid;
        // A message expunged elsewhere is searched as the session still sees it until the
        // session is told (the store keeps its row, as FETCH returns its data).
        let Some(seq) = view.seq(uid) else { continue };
        let state = view.state(seq).unwrap_or_else(|| rec.state.clone());
        let indexed = judge.as_ref().is_some_and(|j| uid < j.watermark());
        let with_body = needs_text && !indexed;
        let (raw, owned) = if want_facts {
            let (raw, facts) = load(cx.shared, rec, whole(with_body)).await?;
            (raw, Some(facts))
        } else if with_body {
            (Some(body(cx.shared, rec).await?), None)
        } else {
            (None, None)
        };
        let facts = owned.as_ref().unwrap_or(placeholder);
        let text = raw.as_deref().map(mail_model::search_text);
        let msg = imap_search::Message {
            seq,
            uid,
            flags: search_flags(&state.flags),
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
        let decide = |msg: &imap_search::Message<'_>,
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
        if let Some(j) = judge.as_ref().filter(|_| indexed) {
            let source = j.text(rec.blob);
            let judged = decide(&msg, Some(&*source as &dyn imap_search::TextSource));
            if !source.failed() {
                answer = Some(judged);
            }
        }
        let (hit, relevancy) = match answer {
            Some(judged) => judged,
            // The index has no text for this body (too large to index, or lost): read the
            // message itself. Its octets only: the facts the keys need are already in `msg`.
            None if indexed => {
                let raw = body(cx.shared, rec).await?;
                let text = mail_model::search_text(&raw);
                let msg = imap_search::Message {
                    text: Some(&text),
                    ..msg
                };
                decide(&msg, None)
            }
            None => decide(&msg, None),
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
