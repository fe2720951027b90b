//! Reading the messages a command names: message sets resolved against the session's view,
//! rows from the view, octets from the blob store and facts from the store.

use crate::config::Shared;
use crate::reply::{CommandError, Reply};
use crate::state::Selected;
use crate::view::MailboxView;
use imap_proto::types::SequenceSet;

/// Resolves a message set of the selected mailbox to `(seq, uid)` pairs: by sequence number
/// (a number past the end is BAD) or by UID (missing UIDs are ignored); `$` is the saved
/// search result (RFC 5182; empty when nothing was saved).
pub(crate) fn resolve(
    sel: &Selected,
    uid: bool,
    set: &SequenceSet,
    saved: Option<&[u32]>,
) -> Result<Vec<(u32, u32)>, Reply> {
    if *set == SequenceSet::Saved {
        let uids = saved.unwrap_or_default();
        return Ok(uids
            .iter()
            .filter_map(|u| Some((sel.view.seq(*u)?, *u)))
            .collect());
    }
    if uid {
        Ok(sel.view.by_uid(set))
    } else {
        sel.view.by_seq(set).map_err(|e| Reply::bad(e.to_string()))
    }
}

/// A message's facts (stored at APPEND) and as many of its first octets as `reach` asks for
/// given them (`None`: none; an end at or past the size: all of it), so that a header fetch
/// reads headers and not attachments. Facts that cannot be read back (a format change) are
/// computed again from the whole message, which is then returned whole: the caller asked for
/// facts, and facts made from nothing would be wrong ones.
pub(crate) async fn load(
    shared: &Shared,
    rec: &store::MessageRecord,
    reach: impl Fn(&mail_model::MessageFacts) -> Option<u64>,
) -> Result<(Option<bytes::Bytes>, mail_model::MessageFacts), CommandError> {
    if let Some(facts) = mail_model::MessageFacts::decode(&rec.facts) {
        let raw = match reach(&facts) {
            Some(end) => Some(body_prefix(shared, rec, end).await?),
            None => None,
        };
        return Ok((raw, facts));
    }
    let raw = body(shared, rec).await?;
    let facts = mail_model::analyze(&raw);
    Ok((Some(raw), facts))
}

/// For [`load`]: the whole message when `with_body`, else none of it.
pub(crate) fn whole(with_body: bool) -> impl Fn(&mail_model::MessageFacts) -> Option<u64> {
    move |_| with_body.then_some(u64::MAX)
}

/// The body's address in the blob store.
pub(crate) fn blob_id(rec: &store::MessageRecord) -> blob_store::BlobId {
    blob_store::BlobId {
        sha256: rec.blob.sha256,
        size: rec.size,
    }
}

/// The first `end` octets of a message (all of it when `end` reaches its size).
async fn body_prefix(
    shared: &Shared,
    rec: &store::MessageRecord,
    end: u64,
) -> Result<bytes::Bytes, CommandError> {
    if end >= rec.size {
        return body(shared, rec).await;
    }
    Ok(shared
        .blobs
        .get_range(blob_id(rec), 0..end)
        .await
        .map_err(store::bodies::blob_error)?)
}

/// What the session's view knows of `uids`, as store rows with nothing else filled in: for
/// commands that need only UID, flags and MODSEQ. A message expunged elsewhere and not
/// reported yet is included with what the session knows of it, as the store returns its kept
/// row: the session sees it until it is told.
pub(crate) fn view_records(
    view: &MailboxView,
    uids: impl IntoIterator<Item = u32>,
) -> Vec<store::MessageRecord> {
    uids.into_iter()
        .filter_map(|uid| view.state(view.seq(uid)?))
        .map(|state| store::MessageRecord {
            state,
            blob: store::BlobRef { sha256: [0; 32] },
            size: 0,
            internal_date: 0,
            internal_zone: 0,
            save_date: 0,
            email_id: String::new(),
            facts: Vec::new(),
        })
        .collect()
}

/// Facts for code paths whose items never look at them (one parse of nothing per process).
pub(crate) fn no_facts() -> &'static mail_model::MessageFacts {
    static NO_FACTS: std::sync::LazyLock<mail_model::MessageFacts> =
        std::sync::LazyLock::new(|| mail_model::analyze(b""));
    &NO_FACTS
}

/// A message's octets from the blob store.
pub(crate) async fn body(
    shared: &Shared,
    rec: &store::MessageRecord,
) -> Result<bytes::Bytes, CommandError> {
    Ok(shared
        .blobs
        .get(blob_id(rec))
        .await
        .map_err(store::bodies::blob_error)?)
}

/// The tagged answer to a BINARY that cannot be served (RFC 3516 §4.3).
pub(crate) fn binary_reply(e: mail_model::BinaryError) -> Reply {
    match e {
        mail_model::BinaryError::UnknownCte(_) => Reply::no("unknown content transfer encoding")
            .code(imap_proto::response::Code::UnknownCte),
        other => Reply::no(format!("cannot decode: {other}")),
    }
}

/// Messages whose octets up to the furthest small item are read at once (one read); past
/// this, each item reads its own range, so a header field of the last part of a 60 MB
/// message reads that part's header, not the 60 MB before it.
const PREFIX_MAX: u64 = 1024 * 1024;

/// The stored octets of one message that the items held in memory are cut from: a prefix
/// read once when it is small, else each range read when asked for.
pub(crate) struct Octets<'a> {
    shared: &'a Shared,
    rec: &'a store::MessageRecord,
    prefix: Option<bytes::Bytes>,
}

impl<'a> Octets<'a> {
    /// The message's facts and its octets for items reaching `reach(facts)` octets into it
    /// (`None`: no item reads octets), as [`load`] gives them, the prefix read only up to
    /// [`PREFIX_MAX`].
    pub(crate) async fn load(
        shared: &'a Shared,
        rec: &'a store::MessageRecord,
        reach: impl Fn(&mail_model::MessageFacts) -> Option<u64>,
    ) -> Result<(Octets<'a>, mail_model::MessageFacts), CommandError> {
        let (prefix, facts) =
            load(shared, rec, |f| reach(f).filter(|&end| end <= PREFIX_MAX)).await?;
        Ok((
            Octets {
                shared,
                rec,
                prefix,
            },
            facts,
        ))
    }

    /// Octets `span` of the message.
    pub(crate) async fn get(&self, span: mail_model::Span) -> Result<bytes::Bytes, CommandError> {
        let end = span.1.min(self.rec.size);
        let start = span.0.min(end);
        if let Some(p) = &self.prefix
            && end <= p.len() as u64
        {
            return Ok(p.slice(start as usize..end as usize));
        }
        Ok(self
            .shared
            .blobs
            .get_range(blob_id(self.rec), start..end)
            .await
            .map_err(store::bodies::blob_error)?)
    }
}
