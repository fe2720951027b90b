//! APPEND (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502): new rows with the mailbox's next UIDs and
//! one MODSEQ ([`crate::rules::uids`]), the account charged ([`crate::rules::quota`]) and each
//! body's tombstone checked ([`crate::rules::blobs`]), in one transaction.

use super::accounts::charge;
use super::blobs::use_blob;
use super::conn::{Conn, stored};
use super::keywords::define;
use super::mailboxes::{lock_mailbox, set_mailbox};
use super::messages::{NewRow, insert};
use super::{Events, event};
use crate::error::{Result, StoreError};
use crate::rules::quota::Charge;
use crate::rules::{blobs, uids};
use crate::types::*;

pub(crate) async fn append<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    messages: &[NewMessage],
) -> Result<(AppendResult, Events)> {
    if messages.is_empty() {
        return Err(StoreError::Cannot("nothing to append".into()));
    }
    let info = lock_mailbox(c, account, mailbox).await?;
    let assigned = uids::assign(&info, messages.len())?;
    let keywords = messages.iter().flat_map(|m| &m.flags.keywords);
    define(c, mailbox, keywords.map(String::as_str)).await?;
    charge(
        c,
        account,
        Charge::of_messages(messages.iter().map(|m| m.size)),
    )
    .await?;
    for (blob, put_started_ms) in blobs::lock_order(messages) {
        use_blob(c, &blob, put_started_ms).await?;
    }
    let saved = crate::clock::now_secs();
    let mut uids = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let uid = assigned.uid(i);
        let row = NewRow {
            account,
            mailbox,
            modseq: assigned.modseq,
            saved,
            uid,
            blob: &m.blob.hex(),
            size: stored(m.size),
            internal_date: m.internal_date,
            internal_zone: i64::from(m.internal_zone),
            flags: i64::from(m.flags.system),
            keywords: &m.flags.keywords_text(),
            facts: &m.facts,
        };
        insert(c, row).await?;
        uids.push(uid);
    }
    set_mailbox(c, mailbox, assigned.modseq, assigned.uid_next).await?;
    let result = AppendResult {
        uid_validity: info.uid_validity,
        uids,
        modseq: assigned.modseq,
    };
    Ok((result, vec![event(account, mailbox, assigned.modseq)]))
}
