//! SELECT's reads and its one write: the snapshot (the mailbox and every message's UID, flags
//! and MODSEQ, in one statement) and the `\Recent` claim ([`crate::rules::recent`]).

use super::conn::{Conn, Param, one, opt, u32_of};
use super::mailboxes::lock_mailbox;
use super::mailboxes::not_found;
use super::rows::{self, MAILBOX_COLS, STATE_COLS, state_at};
use crate::error::Result;
use crate::rules::recent;
use crate::types::*;
use Param::Int;

pub(crate) async fn snapshot<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<Snapshot> {
    // The mailbox row joined with its messages; an empty mailbox gives one row without one.
    let sql = format!(
        "SELECT {}, {} FROM mailboxes m LEFT JOIN messages msg ON msg.mailbox_id = m.id \
         WHERE m.id = $1 AND m.account_id = $2 ORDER BY msg.uid",
        prefixed("m", MAILBOX_COLS),
        prefixed("msg", STATE_COLS)
    );
    let mut info = None;
    let mut messages = Vec::new();
    c.query(&sql, &[Int(mailbox.0), Int(account.0)], &mut |r| {
        if info.is_none() {
            info = Some(rows::mailbox(r)?);
        }
        if r.opt_int(6)?.is_some() {
            messages.push(state_at(r, 6)?);
        }
        Ok(())
    })
    .await?;
    Ok(Snapshot {
        mailbox: info.ok_or_else(|| not_found(mailbox))?,
        messages,
    })
}

/// `cols` with every column qualified by `table`.
fn prefixed(table: &str, cols: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{table}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The claim's fast path ([`recent::nothing_to_claim`]): `Some` of the claim's answer when
/// there is nothing to claim; `None` also when the mailbox is not the account's (the claim
/// then says so).
pub(crate) async fn nothing_recent<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<Option<std::ops::Range<u32>>> {
    let sql = "SELECT recent_uid, uid_next FROM mailboxes WHERE id = $1 AND account_id = $2";
    let row = opt(c, sql, &[Int(mailbox.0), Int(account.0)], |r| {
        Ok((u32_of(r.int(0)?)?, u32_of(r.int(1)?)?))
    })
    .await?;
    Ok(row.and_then(|(recent, next)| recent::nothing_to_claim(recent, next)))
}

pub(crate) async fn claim_recent<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<std::ops::Range<u32>> {
    let info = lock_mailbox(c, account, mailbox).await?;
    let sql = "SELECT recent_uid FROM mailboxes WHERE id = $1";
    let mark = one(c, sql, &[Int(mailbox.0)], |r| u32_of(r.int(0)?)).await?;
    let claimed = recent::claim(mark, info.uid_next);
    c.execute(
        "UPDATE mailboxes SET recent_uid = $2 WHERE id = $1",
        &[Int(mailbox.0), Int(i64::from(claimed.end))],
    )
    .await?;
    Ok(claimed)
}
