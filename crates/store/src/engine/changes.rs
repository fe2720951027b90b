//! The changes after a MODSEQ: what IDLE, NOOP and every command boundary report to a session
//! (and QRESYNC to a client that comes back), in one statement.

use super::conn::{Conn, Param};
use super::mailboxes::not_found;
use super::rows::state_at;
use crate::error::Result;
use crate::types::*;
use Param::Int;

pub(crate) async fn changes_since<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    modseq: u64,
) -> Result<Changes> {
    let since = super::conn::stored(modseq);
    // After every command of every session. Rows of kind 0: the mailbox (uid = its UIDNEXT,
    // modseq = its HIGHESTMODSEQ), absent if it is not the account's; 1: changed messages;
    // 2: expunged UIDs.
    let sql = "SELECT CAST(0 AS BIGINT), uid_next, CAST(0 AS BIGINT), '', highest_modseq \
                 FROM mailboxes WHERE id = $1 AND account_id = $3 \
               UNION ALL \
               SELECT CAST(1 AS BIGINT), uid, flags, keywords, modseq \
                 FROM messages WHERE mailbox_id = $1 AND modseq > $2 \
               UNION ALL \
               SELECT CAST(2 AS BIGINT), uid, CAST(0 AS BIGINT), '', modseq \
                 FROM expunged WHERE mailbox_id = $1 AND modseq > $2 \
               ORDER BY 1, 2";
    let mut out = Changes {
        changed: Vec::new(),
        expunged: Vec::new(),
        highest_modseq: 0,
        uid_next: 0,
    };
    let mut found = false;
    c.query(
        sql,
        &[Int(mailbox.0), Int(since), Int(account.0)],
        &mut |r| {
            match r.int(0)? {
                0 => {
                    found = true;
                    let head = state_at(r, 1)?;
                    out.uid_next = head.uid;
                    out.highest_modseq = head.modseq;
                }
                1 => out.changed.push(state_at(r, 1)?),
                _ => out.expunged.push(state_at(r, 1)?.uid),
            }
            Ok(())
        },
    )
    .await?;
    if !found {
        return Err(not_found(mailbox));
    }
    Ok(out)
}
