//! The mailbox tree, subscriptions, STATUS counts and the `\Recent` claim.

use super::accounts::charge;
use super::conn::{Conn, Param, all, one, opt, u32_of, u64_of};
use super::copy::{Transfer, transfer};
use super::rows::{self, MAILBOX_COLS};
use super::{Events, event, taken};
use crate::error::{Result, StoreError};
use crate::rules::expunge::EXPUNGED_FLAGS;
use crate::rules::names::{self, INBOX};
use crate::rules::quota::Charge;
use crate::rules::uids;
use crate::types::*;
use Param::{Int, OptText, Text};

/// Inserts a mailbox with the account's next UIDVALIDITY (locking the account row).
pub(crate) async fn insert_mailbox<C: Conn>(
    c: &mut C,
    account: AccountId,
    name: &str,
    special_use: Option<SpecialUse>,
) -> Result<MailboxInfo> {
    let name = names::mailbox(name)?;
    let sql = format!(
        "SELECT next_uid_validity FROM accounts WHERE id = $1{}",
        C::FOR_UPDATE
    );
    let counter = opt(c, &sql, &[Int(account.0)], |r| r.int(0))
        .await?
        .ok_or_else(|| StoreError::NotFound("account".into()))?;
    let (uid_validity, next) = uids::take_uid_validity(counter)?;
    c.execute(
        "UPDATE accounts SET next_uid_validity = $2 WHERE id = $1",
        &[Int(account.0), Int(next)],
    )
    .await?;
    let sql = format!(
        "INSERT INTO mailboxes (account_id, name, uid_validity, special_use) \
         VALUES ($1, $2, $3, $4) RETURNING {MAILBOX_COLS}"
    );
    let params = [
        Int(account.0),
        Text(&name),
        Int(i64::from(uid_validity)),
        OptText(special_use.map(SpecialUse::name)),
    ];
    one(c, &sql, &params, rows::mailbox)
        .await
        .map_err(taken(&name))
}

/// A mailbox of `account` by id, locked until the transaction ends (`NotFound` if it is not
/// the account's).
pub(crate) async fn lock_mailbox<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<MailboxInfo> {
    let sql = format!(
        "SELECT {MAILBOX_COLS} FROM mailboxes WHERE id = $1 AND account_id = $2{}",
        C::FOR_UPDATE
    );
    opt(c, &sql, &[Int(mailbox.0), Int(account.0)], rows::mailbox)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))
}

/// A mailbox of `account` by (normalised) name, locked until the transaction ends.
async fn lock_named<C: Conn>(
    c: &mut C,
    account: AccountId,
    name: &str,
) -> Result<Option<MailboxInfo>> {
    let sql = format!(
        "SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 AND name = $2{}",
        C::FOR_UPDATE
    );
    opt(c, &sql, &[Int(account.0), Text(name)], rows::mailbox).await
}

/// A mailbox of `account` by (normalised) name, without locking it.
async fn mailbox_named<C: Conn>(
    c: &mut C,
    account: AccountId,
    name: &str,
) -> Result<Option<MailboxInfo>> {
    let sql = format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 AND name = $2");
    opt(c, &sql, &[Int(account.0), Text(name)], rows::mailbox).await
}

/// Records that `mailbox` reached `modseq` and `uid_next`.
pub(crate) async fn set_mailbox<C: Conn>(
    c: &mut C,
    mailbox: MailboxId,
    modseq: u64,
    uid_next: u32,
) -> Result<()> {
    c.execute(
        "UPDATE mailboxes SET highest_modseq = $2, uid_next = $3 WHERE id = $1",
        &[
            Int(mailbox.0),
            Int(super::conn::stored(modseq)),
            Int(i64::from(uid_next)),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn create_mailbox<C: Conn>(
    c: &mut C,
    account: AccountId,
    name: &str,
    special_use: Option<SpecialUse>,
) -> Result<(MailboxInfo, Events)> {
    let info = insert_mailbox(c, account, name, special_use).await?;
    let ev = event(account, info.id, info.highest_modseq);
    Ok((info, vec![ev]))
}

pub(crate) async fn delete_mailbox<C: Conn>(
    c: &mut C,
    account: AccountId,
    name: &str,
) -> Result<((), Events)> {
    let name = names::mailbox(name)?;
    names::deletable(&name)?;
    let info = lock_named(c, account, &name)
        .await?
        .ok_or_else(|| StoreError::NotFound(name.clone()))?;
    let prefix = names::children_prefix(&name);
    let sql = "SELECT COUNT(*) FROM mailboxes \
               WHERE account_id = $1 AND substr(name, 1, CAST($3 AS INTEGER)) = $2";
    let params = [
        Int(account.0),
        Text(&prefix),
        Int(prefix.chars().count() as i64),
    ];
    if one(c, sql, &params, |r| r.int(0)).await? > 0 {
        return Err(StoreError::HasChildren);
    }
    let sql = "SELECT size FROM messages WHERE mailbox_id = $1";
    let sizes = all(c, sql, &[Int(info.id.0)], |r| u64_of(r.int(0)?)).await?;
    charge(c, account, Charge::of_messages(sizes).freed()).await?;
    c.execute("DELETE FROM mailboxes WHERE id = $1", &[Int(info.id.0)])
        .await?;
    Ok(((), vec![event(account, info.id, info.highest_modseq)]))
}

pub(crate) async fn rename_mailbox<C: Conn>(
    c: &mut C,
    account: AccountId,
    from: &str,
    to: &str,
) -> Result<((), Events)> {
    let (from, to) = (names::mailbox(from)?, names::mailbox(to)?);
    names::renamable(&from, &to)?;
    // A name taken meanwhile collides with the renamed row's unique name below instead.
    if mailbox_named(c, account, &to).await?.is_some() {
        return Err(StoreError::AlreadyExists(to));
    }
    if from == INBOX {
        // RFC 9051 §6.3.6: INBOX's messages move to the new name; INBOX stays, empty.
        let src = lock_named(c, account, &from)
            .await?
            .ok_or_else(|| StoreError::NotFound(from.clone()))?;
        let dst = insert_mailbox(c, account, &to, None).await?;
        let sql = "SELECT uid FROM messages WHERE mailbox_id = $1 ORDER BY uid";
        let uids = all(c, sql, &[Int(src.id.0)], |r| u32_of(r.int(0)?)).await?;
        let t = Transfer {
            account,
            from: src.id,
            uids: &uids,
            to: dst.id,
            is_move: true,
        };
        let (_, mut events) = transfer(c, &t).await?;
        if events.is_empty() {
            // An empty INBOX: the new mailbox is news all the same.
            events.push(event(account, dst.id, dst.highest_modseq));
        }
        return Ok(((), events));
    }
    // The whole subtree locked at once, in id order (as every writer that locks several
    // mailbox rows does), so that a concurrent rename of a part of it waits and then finds it
    // renamed, and two renames never wait on each other's rows in opposite orders.
    let prefix = names::children_prefix(&from);
    let sql = format!(
        "SELECT {MAILBOX_COLS} FROM mailboxes \
         WHERE account_id = $1 AND (name = $2 OR substr(name, 1, CAST($3 AS INTEGER)) = $4) \
         ORDER BY id{}",
        C::FOR_UPDATE
    );
    let params = [
        Int(account.0),
        Text(&from),
        Int(prefix.chars().count() as i64),
        Text(&prefix),
    ];
    let rows = all(c, &sql, &params, rows::mailbox).await?;
    let src = rows
        .iter()
        .find(|m| m.name == from)
        .cloned()
        .ok_or_else(|| StoreError::NotFound(from.clone()))?;
    let mut subtree: Vec<(i64, String)> = rows.into_iter().map(|m| (m.id.0, m.name)).collect();
    names::rename_order(&mut subtree, &from, &to);
    for (id, name) in &subtree {
        let new = names::renamed(name, &from, &to);
        c.execute(
            "UPDATE mailboxes SET name = $2 WHERE id = $1",
            &[Int(*id), Text(&new)],
        )
        .await
        .map_err(taken(&new))?;
    }
    Ok(((), vec![event(account, src.id, src.highest_modseq)]))
}

pub(crate) async fn list_mailboxes<C: Conn>(
    c: &mut C,
    account: AccountId,
) -> Result<Vec<MailboxInfo>> {
    let sql = format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 ORDER BY name");
    all(c, &sql, &[Int(account.0)], rows::mailbox).await
}

pub(crate) async fn mailbox<C: Conn>(
    c: &mut C,
    account: AccountId,
    name: &str,
) -> Result<MailboxInfo> {
    let name = names::mailbox(name)?;
    let sql = format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 AND name = $2");
    opt(c, &sql, &[Int(account.0), Text(&name)], rows::mailbox)
        .await?
        .ok_or(StoreError::NotFound(name))
}

pub(crate) async fn set_subscribed<C: Conn>(
    c: &mut C,
    account: AccountId,
    name: &str,
    subscribed: bool,
) -> Result<()> {
    let name = names::mailbox(name)?;
    let sql = if subscribed {
        "INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM subscriptions WHERE account_id = $1 AND name = $2"
    };
    c.execute(sql, &[Int(account.0), Text(&name)]).await?;
    Ok(())
}

pub(crate) async fn subscriptions<C: Conn>(c: &mut C, account: AccountId) -> Result<Vec<String>> {
    let sql = "SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name";
    all(c, sql, &[Int(account.0)], |r| Ok(r.text(0)?.to_string())).await
}

/// STATUS, in one statement (one consistent view on either backend): the mailbox row with its
/// messages counted by the rules' definitions: unseen without `\Seen`, deleted with
/// [`EXPUNGED_FLAGS`] (what EXPUNGE would remove), recent at or above the mailbox's `\Recent`
/// mark ([`recent`]).
pub(crate) async fn status<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<MailboxStatus> {
    let sql = "SELECT m.uid_next, m.uid_validity, m.highest_modseq, \
           CAST(COUNT(msg.uid) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN (msg.flags & $3) = 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN (msg.flags & $4) = $4 THEN 1 ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN (msg.flags & $4) = $4 THEN msg.size ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(msg.size), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN msg.uid >= m.recent_uid THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM mailboxes m LEFT JOIN messages msg ON msg.mailbox_id = m.id \
         WHERE m.id = $1 AND m.account_id = $2 \
         GROUP BY m.id, m.uid_next, m.uid_validity, m.highest_modseq, m.recent_uid";
    let params = [
        Int(mailbox.0),
        Int(account.0),
        Int(i64::from(Flags::SEEN)),
        Int(i64::from(EXPUNGED_FLAGS)),
    ];
    opt(c, sql, &params, |r| {
        Ok(MailboxStatus {
            uid_next: u32_of(r.int(0)?)?,
            uid_validity: u32_of(r.int(1)?)?,
            highest_modseq: u64_of(r.int(2)?)?,
            messages: u32_of(r.int(3)?)?,
            unseen: u32_of(r.int(4)?)?,
            deleted: u32_of(r.int(5)?)?,
            deleted_storage: u64_of(r.int(6)?)?,
            size: u64_of(r.int(7)?)?,
            recent: u32_of(r.int(8)?)?,
        })
    })
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))
}

pub(crate) fn not_found(mailbox: MailboxId) -> StoreError {
    StoreError::NotFound(format!("mailbox {mailbox}"))
}

/// `NotFound` unless `mailbox` exists and is `account`'s.
pub(crate) async fn check_mailbox<C: Conn>(
    c: &mut C,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<()> {
    let sql = "SELECT id FROM mailboxes WHERE id = $1 AND account_id = $2";
    opt(c, sql, &[Int(mailbox.0), Int(account.0)], |r| r.int(0))
        .await?
        .ok_or_else(|| not_found(mailbox))?;
    Ok(())
}
