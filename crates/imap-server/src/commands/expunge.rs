//! EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315).

use crate::context::SelectedCtx;
use crate::messages::resolve;
use crate::reply::{Outcome, Reply};
use crate::updates::with_highest_modseq;
use imap_proto::types::SequenceSet;

/// Most messages one write of an EXPUNGE removes.
const EXPUNGE_CHUNK: usize = 1000;

/// EXPUNGE, or UID EXPUNGE set. The expunged messages are reported by the sync that follows
/// every command.
pub(crate) async fn expunge(cx: &mut SelectedCtx<'_>, uids: Option<&SequenceSet>) -> Outcome {
    cx.writable()?;
    let only: Option<Vec<u32>> = match uids {
        Some(set) => Some(
            resolve(cx.sel, true, set, cx.saved_search())?
                .into_iter()
                .map(|t| t.1)
                .collect(),
        ),
        None => None,
    };
    // A large EXPUNGE is written EXPUNGE_CHUNK messages at a time, so it does not hold the
    // store's single writer (and every other tenant's writes) for long: the \Deleted messages
    // the session knows of (its view was brought up to date before the command), then, for a
    // plain EXPUNGE, whatever another session flagged meanwhile, in one last write.
    let deleted: Vec<u32> = match &only {
        Some(uids) => uids.clone(),
        None => {
            let view = &cx.sel.view;
            (1..=view.exists())
                .filter_map(|seq| view.state(seq))
                .filter(|st| st.flags.has(store::Flags::DELETED))
                .map(|st| st.uid)
                .collect()
        }
    };
    let (account, mailbox) = (cx.account(), cx.sel.id);
    let mut removed = false;
    if deleted.len() > EXPUNGE_CHUNK {
        for chunk in deleted.chunks(EXPUNGE_CHUNK) {
            let r = cx.store().expunge(account, mailbox, Some(chunk)).await?;
            removed |= !r.uids.is_empty();
        }
    }
    if only.is_none() || deleted.len() <= EXPUNGE_CHUNK {
        let r = cx
            .store()
            .expunge(account, mailbox, only.as_deref())
            .await?;
        removed |= !r.uids.is_empty();
    }
    // RFC 7162 §3.2.7, §3.2.9 (via §3.2.10): with QRESYNC, the tagged OK of an EXPUNGE that
    // removed something carries the new HIGHESTMODSEQ.
    if removed && cx.enabled.qresync {
        return Ok(with_highest_modseq(cx, Reply::ok("EXPUNGE completed")).await);
    }
    Ok(Reply::ok("EXPUNGE completed"))
}
