//! STORE (RFC 9051 §6.4.6, RFC 7162 UNCHANGEDSINCE): the rows whose flags change, as
//! [`crate::rules::flags::store`] decides, take one new MODSEQ.

use super::conn::{Conn, Param, all, stored};
use super::keywords::define;
use super::mailboxes::{lock_mailbox, set_mailbox};
use super::messages::span;
use super::rows::{STATE_COLS, state_at};
use super::{Events, event};
use crate::error::Result;
use crate::rules::{flags, uids};
use crate::types::*;
use Param::{Int, Text};

pub(crate) async fn store_flags<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    update: &FlagUpdate,
) -> Result<(FlagUpdateResult, Events)> {
    let info = lock_mailbox(c, account, mailbox).await?;
    let modseq = uids::next_modseq(&info);
    let Some((lo, hi)) = span(&update.uids) else {
        return Ok((flags::store([], update, modseq), Vec::new()));
    };
    let sql = format!(
        "SELECT {STATE_COLS} FROM messages WHERE mailbox_id = $1 AND uid BETWEEN $2 AND $3 \
         ORDER BY uid"
    );
    let current = all(c, &sql, &[Int(mailbox.0), Int(lo), Int(hi)], |r| {
        state_at(r, 0)
    })
    .await?;
    let result = flags::store(current, update, modseq);
    if result.updated.is_empty() {
        return Ok((result, Vec::new()));
    }
    let keywords = result.updated.iter().flat_map(|m| &m.flags.keywords);
    define(c, mailbox, keywords.map(String::as_str)).await?;
    for m in &result.updated {
        c.execute(
            "UPDATE messages SET flags = $3, keywords = $4, modseq = $5 \
             WHERE mailbox_id = $1 AND uid = $2",
            &[
                Int(mailbox.0),
                Int(i64::from(m.uid)),
                Int(i64::from(m.flags.system)),
                Text(&m.flags.keywords_text()),
                Int(stored(modseq)),
            ],
        )
        .await?;
    }
    set_mailbox(c, mailbox, modseq, info.uid_next).await?;
    Ok((result, vec![event(account, mailbox, modseq)]))
}
