//! THREAD / UID THREAD (RFC 5256 §3) over the messages that match the search criteria. The
//! algorithms are `imap_search::thread`'s (pure); here the messages are found, and the few
//! headers step 5 of REFERENCES needs are read.
//!
//! ```text
//!  criteria ─▶ searcher::matching ─▶ ThreadMsg { id, seq, sent date, base subject,
//!                                              Message-ID, references }   (stored facts)
//!     ORDEREDSUBJECT ─▶ * THREAD
//!     REFERENCES: build ─▶ reply candidates: is the subject a reply? ─▶ finish ─▶ * THREAD
//! ```
//!
//! Whether a subject is a reply or forward is only needed when two threads share a base
//! subject (step 5), and it is not among the stored facts, so it is read from the header of
//! those messages alone.

use crate::context::SelectedCtx;
use crate::reply::{CommandError, Outcome, Reply};
use crate::searcher::{check_charset, matching};
use imap_proto::command::{SearchKey, ThreadAlgorithm};
use imap_proto::response::Response;
use imap_search::thread::{
    References, ThreadMsg, msg_id, ordered_subject, references, reply_or_forward,
};

/// What THREAD keeps of a matching message, beyond its numbers.
struct Kept {
    date: i64,
    subject: String,
    message_id: Option<String>,
    references: Vec<String>,
    /// The body and its header's byte range, to read Subject if step 5 needs it.
    header: (blob_store::BlobId, mail_model::Span),
}

/// The request, as parsed.
pub(crate) struct ThreadRequest {
    /// `UID THREAD`
    pub(crate) uid: bool,
    /// Threading algorithm.
    pub(crate) algorithm: ThreadAlgorithm,
    /// Charset of the search strings, upper-cased.
    pub(crate) charset: String,
    /// Search criteria, ANDed.
    pub(crate) keys: Vec<SearchKey>,
}

/// THREAD / UID THREAD
pub(crate) async fn thread(s: &mut SelectedCtx<'_>, req: ThreadRequest) -> Outcome {
    if let ThreadAlgorithm::Other(a) = &req.algorithm {
        return Err(CommandError::bad(format!(
            "unknown threading algorithm {a}"
        )));
    }
    check_charset(Some(&req.charset))?;
    let found = matching(s, req.keys, true, |rec, facts| Kept {
        date: facts.sort.sent_date.unwrap_or(rec.internal_date),
        subject: facts.sort.subject.clone(),
        message_id: facts.thread.message_id.as_deref().and_then(msg_id),
        references: references(&facts.thread),
        header: (
            blob_store::BlobId {
                sha256: rec.blob.sha256,
                size: rec.size,
            },
            facts.parts.first().map_or((0, 0), |p| p.header),
        ),
    })
    .await?;
    let mut headers = Vec::with_capacity(found.hits.len());
    let msgs: Vec<ThreadMsg> = found
        .hits
        .into_iter()
        .map(|h| {
            headers.push(h.data.header);
            ThreadMsg {
                id: if req.uid { h.uid } else { h.seq },
                seq: h.seq,
                date: h.data.date,
                subject: h.data.subject,
                message_id: h.data.message_id,
                references: h.data.references,
            }
        })
        .collect();
    let threads = if req.algorithm == ThreadAlgorithm::OrderedSubject {
        ordered_subject(&msgs)
    } else {
        let refs = References::build(&msgs);
        let mut replies = vec![false; msgs.len()];
        for i in refs.reply_candidates() {
            let (blob, (start, end)) = headers[i];
            let header = s
                .shared
                .blobs
                .get_range(blob, start..end)
                .await
                .map_err(store::bodies::blob_error)?;
            let text = mail_model::search_text(&header);
            replies[i] = text
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("Subject"))
                .is_some_and(|(_, subject)| reply_or_forward(subject));
        }
        refs.finish(|i| replies[i])
    };
    s.send(&Response::Thread(threads));
    Ok(Reply::ok("THREAD completed"))
}
