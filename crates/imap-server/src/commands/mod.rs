//! One module per command family, each with `handle` functions; [`dispatch`] picks the family.
//! Every handler has already been checked against the state ([`crate::state::State::allows`]).

pub(crate) mod any;
pub(crate) mod append;
pub(crate) mod auth;
pub(crate) mod fetch;
pub(crate) mod idle;
pub(crate) mod list;
pub(crate) mod mailbox;
pub(crate) mod message;
pub(crate) mod quota;
pub(crate) mod search;
pub(crate) mod select;
pub(crate) mod sort;
pub(crate) mod thread;

use crate::session::{Reply, Session};
use crate::state::Selected;
use crate::view::SyncMode;
use imap_proto::command::SearchReturn;
use imap_proto::types::SequenceSet;
use imap_proto::{CommandBody, Tag};
use tokio::io::{AsyncRead, AsyncWrite};

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

/// A message's octets (only when `with_body`) and its facts. The facts were stored at APPEND;
/// if they cannot be read back (a format change), they are computed again from the octets.
pub(crate) async fn load(
    shared: &crate::config::Shared,
    rec: &store::MessageRecord,
    with_body: bool,
) -> Result<(Option<bytes::Bytes>, mail_model::MessageFacts), Reply> {
    let raw = if with_body {
        Some(body(shared, rec).await?)
    } else {
        None
    };
    let facts = match serde_json::from_slice(&rec.facts) {
        Ok(f) => f,
        Err(_) => mail_model::analyze(raw.as_deref().unwrap_or_default()),
    };
    Ok((raw, facts))
}

/// What the session's view knows of `uids`, as store rows with nothing else filled in: for
/// commands that need only UID, flags and MODSEQ. A message expunged elsewhere (not reported
/// yet) is left out, as the store would.
pub(crate) fn view_records(
    view: &crate::view::MailboxView,
    uids: impl IntoIterator<Item = u32>,
) -> Vec<store::MessageRecord> {
    uids.into_iter()
        .filter_map(|uid| {
            let seq = view.seq(uid).filter(|&seq| !view.is_gone(seq))?;
            view.state(seq)
        })
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
    shared: &crate::config::Shared,
    rec: &store::MessageRecord,
) -> Result<bytes::Bytes, Reply> {
    let id = blob_store::BlobId {
        sha256: rec.blob.sha256,
        size: rec.size,
    };
    let body = shared.blobs.get(id).await;
    body.map_err(|e| crate::errors::store_reply(store::bodies::blob_error(e)))
}

/// A mailbox's OBJECTID (RFC 8474): stable for the mailbox's life, across RENAME.
pub(crate) fn mailbox_id(id: store::MailboxId) -> String {
    format!("F{}", id.0)
}

/// How the selected mailbox is synced after `body` (RFC 9051 §7.4.1: no EXPUNGE during
/// FETCH, STORE or SEARCH by sequence number).
pub(crate) fn sync_mode(body: &CommandBody) -> SyncMode {
    use CommandBody::*;
    match body {
        Fetch { uid: false, .. }
        | Store { uid: false, .. }
        | Search { uid: false, .. }
        | Sort { uid: false, .. }
        | Thread { uid: false, .. } => SyncMode::NoExpunge,
        _ => SyncMode::Full,
    }
}

/// Runs the handler of `body`.
pub(crate) async fn dispatch<S: AsyncRead + AsyncWrite + Unpin + Send>(
    s: &mut Session<S>,
    tag: &Tag,
    body: CommandBody,
) -> std::io::Result<Reply> {
    use CommandBody::*;
    Ok(match body {
        Capability => any::capability(s),
        Noop | Check => any::noop(),
        Logout => any::logout(s),
        Id(params) => any::id(s, params),
        Enable(caps) => any::enable(s, caps),
        Namespace => any::namespace(s),
        Login { username, password } => auth::login(s, &username, &password).await,
        StartTls => auth::starttls(s, tag).await?,
        Compress(mechanism) => any::compress(s, tag, &mechanism).await?,
        Authenticate {
            mechanism,
            initial_response,
        } => auth::authenticate(s, &mechanism, initial_response).await?,
        Create {
            mailbox,
            special_use,
        } => mailbox::create(s, &mailbox, &special_use).await,
        Delete(m) => mailbox::delete(s, &m).await,
        Rename { from, to } => mailbox::rename(s, &from, &to).await,
        Subscribe(m) => mailbox::subscribe(s, &m, true).await,
        Unsubscribe(m) => mailbox::subscribe(s, &m, false).await,
        Status { mailbox, items } => mailbox::status(s, &mailbox, &items).await,
        List(l) => list::list(s, l).await,
        Lsub { reference, pattern } => list::lsub(s, &reference, &pattern).await,
        Select { mailbox, params } => select::select(s, &mailbox, params, false).await,
        Examine { mailbox, params } => select::select(s, &mailbox, params, true).await,
        Close => select::close(s).await,
        Unselect => select::unselect(s),
        Append { mailbox, messages } => append::append(s, &mailbox, messages).await,
        Fetch {
            uid,
            set,
            items,
            modifiers,
        } => fetch::fetch(s, uid, &set, &items, &modifiers).await,
        Store {
            uid,
            set,
            unchanged_since,
            action,
            silent,
            flags,
        } => {
            let req = message::StoreRequest {
                uid,
                set: &set,
                unchanged_since,
                action,
                silent,
                flags: &flags,
            };
            message::store(s, req).await
        }
        Copy { uid, set, mailbox } => message::copy(s, uid, &set, &mailbox, false).await,
        Move { uid, set, mailbox } => message::copy(s, uid, &set, &mailbox, true).await,
        Expunge { uids } => message::expunge(s, uids.as_ref()).await,
        Idle => idle::idle(s).await?,
        GetQuotaRoot(m) => quota::getquotaroot(s, &m).await,
        GetQuota(root) => quota::getquota(s, &root).await,
        SetQuota { .. } => quota::setquota(),
        Search {
            uid,
            charset,
            ret,
            criteria,
        } => {
            let saves = ret
                .as_ref()
                .is_some_and(|r| r.contains(&SearchReturn::Save));
            let req = search::SearchRequest {
                uid,
                charset,
                ret,
                criteria,
            };
            let reply = search::search(s, tag, req).await;
            // RFC 5182 §2.1: a SEARCH with SAVE that fails leaves `$` empty.
            if saves && reply.cond != imap_proto::response::State::Ok {
                s.saved = Some(Vec::new());
            }
            reply
        }
        Sort {
            uid,
            ret,
            criteria,
            charset,
            keys,
        } => {
            let saves = ret
                .as_ref()
                .is_some_and(|r| r.contains(&SearchReturn::Save));
            let req = sort::SortRequest {
                uid,
                ret,
                criteria,
                charset,
                keys,
            };
            let reply = sort::sort(s, tag, req).await;
            // RFC 5182 §2.1: as for SEARCH, a failed SORT with SAVE leaves `$` empty.
            if saves && reply.cond != imap_proto::response::State::Ok {
                s.saved = Some(Vec::new());
            }
            reply
        }
        Thread {
            uid,
            algorithm,
            charset,
            keys,
        } => {
            let req = thread::ThreadRequest {
                uid,
                algorithm,
                charset,
                keys,
            };
            thread::thread(s, req).await
        }
    })
}
