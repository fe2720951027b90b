//! EXPUNGE and UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315): the `\\Deleted` rows
//! [`crate::rules::expunge`] selects are removed and remembered for QRESYNC; their quota is freed.

use super::accounts::charge;
use super::conn::{Conn, Param, all, u32_of, u64_of};
use super::mailboxes::{lock_mailbox, set_mailbox};
use super::messages::remove;
use super::{Events, event};
use crate::error::Result;
use crate::rules::expunge::{self, Candidate, EXPUNGED_FLAGS};
use crate::types::*;
use Param::Int;

pub(crate) async fn expunge<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    only: Option<&[u32]>,
) -> Result<(ExpungeResult, Events)> {
    let info = lock_mailbox(c, account, mailbox).await?;
    let sql = "SELECT uid, flags, size FROM messages \
               WHERE mailbox_id = $1 AND (flags & $2) = $2 ORDER BY uid";
    let params = [Int(mailbox.0), Int(i64::from(EXPUNGED_FLAGS))];
    let candidates = all(c, sql, &params, |r| {
        Ok(Candidate {
            uid: u32_of(r.int(0)?)?,
            flags: u8::try_from(r.int(1)? & 0xff).unwrap_or(0),
            size: u64_of(r.int(2)?)?,
        })
    })
    .await?;
    let plan = expunge::plan(&info, candidates, only);
    if plan.result.uids.is_empty() {
        return Ok((plan.result, Vec::new()));
    }
    let modseq = plan.result.modseq;
    remove(c, mailbox, &plan.result.uids, modseq).await?;
    charge(c, account, plan.freed).await?;
    set_mailbox(c, mailbox, modseq, info.uid_next).await?;
    Ok((plan.result, vec![event(account, mailbox, modseq)]))
}
