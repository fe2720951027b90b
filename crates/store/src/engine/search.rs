//! What SEARCH reads beyond FETCH's records: the body of every UID above a point, for the
//! search index's UID maps.

use super::conn::{Conn, Param, all};
use super::mailboxes::check_mailbox;
use super::rows;
use crate::error::Result;
use crate::types::*;
use Param::Int;

pub(crate) async fn uid_blobs<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
    after: u32,
) -> Result<Vec<(u32, BlobRef)>> {
    let sql = "SELECT uid, blob FROM messages WHERE mailbox_id = $1 AND uid > $2 \
                 AND EXISTS (SELECT 1 FROM mailboxes WHERE id = $1 AND account_id = $3) \
               ORDER BY uid";
    let params = [Int(mailbox.0), Int(i64::from(after)), Int(account.0)];
    let found = all(c, sql, &params, |r| {
        Ok((super::conn::u32_of(r.int(0)?)?, rows::blob(r.text(1)?)?))
    })
    .await?;
    if found.is_empty() {
        // Nothing new, or not the account's mailbox.
        check_mailbox(c, account, mailbox).await?;
    }
    Ok(found)
}
