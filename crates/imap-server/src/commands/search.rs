//! SEARCH / UID SEARCH (RFC 9051 §6.4.4) with ESEARCH return options (RFC 4731), SEARCHRES
//! (`RETURN (SAVE)` and `$`, RFC 5182) and SEARCH=FUZZY (RFC 6203: FUZZY, RETURN (RELEVANCY)).
//! The messages are found by [`crate::searcher::matching`], as for SORT and THREAD.

use crate::context::SelectedCtx;
use crate::esearch::{EsearchAnswer, Order, answer_esearch};
use crate::reply::{Outcome, Reply};
use crate::searcher::{check_charset, matching};
use imap_proto::Tag;
use imap_proto::command::{SearchKey, SearchReturn};
use imap_proto::response::{Response, SearchResponse};

/// The request, as parsed.
pub(crate) struct SearchRequest {
    pub(crate) uid: bool,
    pub(crate) charset: Option<String>,
    pub(crate) ret: Option<Vec<SearchReturn>>,
    pub(crate) criteria: Vec<SearchKey>,
}

/// SEARCH / UID SEARCH. RFC 5182 §2.1: a SEARCH with SAVE that fails leaves `$` empty.
pub(crate) async fn search(s: &mut SelectedCtx<'_>, tag: &Tag, req: SearchRequest) -> Outcome {
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

async fn run(s: &mut SelectedCtx<'_>, tag: &Tag, req: SearchRequest) -> Outcome {
    check_charset(req.charset.as_deref())?;
    // SEARCH MODSEQ turned CONDSTORE on before this ran (updates::enables_condstore).
    let found = matching(s, req.criteria, false, |_, _| ()).await?;
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
    Ok(Reply::ok("SEARCH completed"))
}
