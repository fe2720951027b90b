//! The mailbox tree, subscriptions and STATUS counts.

use super::accounts::charge_quota;
use super::messages::Transfer;
use super::{SqlStore, col_i64};
use crate::error::{Result, StoreError};
use crate::types::*;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};

/// The hierarchy delimiter.
pub const DELIMITER: char = '/';

/// Checks a mailbox name and normalises `INBOX` (any case) as its first component.
pub(crate) fn normalize_name(name: &str) -> Result<String> {
    let bad = |why: &str| {
        Err(StoreError::Cannot(format!(
            "bad mailbox name {name:?}: {why}"
        )))
    };
    if name.is_empty() || name.len() > 1024 {
        return bad("empty or too long");
    }
    if name.starts_with(DELIMITER) || name.ends_with(DELIMITER) || name.contains("//") {
        return bad("empty hierarchy level");
    }
    if name.chars().any(|c| c.is_control() || c == '*' || c == '%') {
        return bad("control or wildcard character");
    }
    let (first, rest) = match name.split_once(DELIMITER) {
        Some((f, r)) => (f, Some(r)),
        None => (name, None),
    };
    let first = if first.eq_ignore_ascii_case("INBOX") {
        "INBOX"
    } else {
        first
    };
    Ok(match rest {
        Some(r) => format!("{first}{DELIMITER}{r}"),
        None => first.to_string(),
    })
}

pub(crate) fn mailbox_from_row(row: &AnyRow) -> Result<MailboxInfo> {
    let special_use: Option<String> = row.try_get("special_use")?;
    Ok(MailboxInfo {
        id: MailboxId(col_i64(row, "id")?),
        name: row.try_get("name")?,
        uid_validity: col_i64(row, "uid_validity")? as u32,
        uid_next: col_i64(row, "uid_next")? as u32,
        highest_modseq: col_i64(row, "highest_modseq")? as u64,
        special_use: special_use.as_deref().and_then(SpecialUse::from_name),
    })
}

/// Columns of `mailboxes` that [`mailbox_from_row`] reads.
pub(crate) const MAILBOX_COLS: &str =
    "id, name, uid_validity, uid_next, highest_modseq, special_use";

impl SqlStore {
    /// Inserts a mailbox inside a write transaction, with a fresh UIDVALIDITY.
    pub(crate) async fn insert_mailbox(
        &self,
        tx: &mut Transaction<'static, Any>,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo> {
        let name = normalize_name(name)?;
        let row = sqlx::query(
            "UPDATE accounts SET next_uid_validity = next_uid_validity + 1 WHERE id = $1 \
             RETURNING next_uid_validity - 1 AS v",
        )
        .bind(account.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("account".into()))?;
        let uid_validity = col_i64(&row, "v")?;
        let sql = format!(
            "INSERT INTO mailboxes (account_id, name, uid_validity, special_use) \
             VALUES ($1, $2, $3, $4) RETURNING {MAILBOX_COLS}"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(account.0)
            .bind(&name)
            .bind(uid_validity)
            .bind(special_use.map(|s| s.name().to_string()))
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::AlreadyExists(_) => StoreError::AlreadyExists(name.clone()),
                e => e,
            })?;
        mailbox_from_row(&row)
    }

    /// Reads and locks (PostgreSQL) the row of a mailbox of `account`, by id.
    pub(crate) async fn lock_mailbox(
        &self,
        tx: &mut Transaction<'static, Any>,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<MailboxInfo> {
        let sql = format!(
            "SELECT {MAILBOX_COLS} FROM mailboxes WHERE id = $1 AND account_id = $2{}",
            self.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(mailbox.0)
            .bind(account.0)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))?;
        mailbox_from_row(&row)
    }

    async fn mailbox_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        account: AccountId,
        name: &str,
    ) -> Result<Option<MailboxInfo>> {
        let sql = format!(
            "SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 AND name = $2{}",
            self.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(account.0)
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref().map(mailbox_from_row).transpose()
    }

    pub(crate) async fn create_mailbox_impl(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo> {
        let mut w = self.write().await?;
        let info = self
            .insert_mailbox(&mut w.tx, account, name, special_use)
            .await?;
        w.commit().await?;
        self.publish(account, info.id, info.highest_modseq);
        Ok(info)
    }

    pub(crate) async fn delete_mailbox_impl(&self, account: AccountId, name: &str) -> Result<()> {
        let name = normalize_name(name)?;
        if name == "INBOX" {
            return Err(StoreError::Cannot("INBOX cannot be deleted".into()));
        }
        let mut w = self.write().await?;
        let info = self
            .mailbox_in(&mut w.tx, account, &name)
            .await?
            .ok_or_else(|| StoreError::NotFound(name.clone()))?;
        let prefix = format!("{name}{DELIMITER}");
        let children: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM mailboxes WHERE account_id = $1 AND substr(name, 1, CAST($3 AS INTEGER)) = $2",
        )
        .bind(account.0)
        .bind(&prefix)
        .bind(prefix.chars().count() as i64)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("n")?;
        if children > 0 {
            return Err(StoreError::HasChildren);
        }
        let usage = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS s FROM messages \
             WHERE mailbox_id = $1",
        )
        .bind(info.id.0)
        .fetch_one(&mut *w.tx)
        .await?;
        let (n, s) = (col_i64(&usage, "n")?, col_i64(&usage, "s")?);
        charge_quota(&mut w.tx, account, -s, -n).await?;
        sqlx::query("DELETE FROM mailboxes WHERE id = $1")
            .bind(info.id.0)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        self.publish(account, info.id, info.highest_modseq);
        Ok(())
    }

    pub(crate) async fn rename_mailbox_impl(
        &self,
        account: AccountId,
        from: &str,
        to: &str,
    ) -> Result<()> {
        let (from, to) = (normalize_name(from)?, normalize_name(to)?);
        if to == "INBOX" {
            return Err(StoreError::Cannot("cannot rename to INBOX".into()));
        }
        if to.starts_with(&format!("{from}{DELIMITER}")) || to == from {
            return Err(StoreError::Cannot(
                "cannot rename a mailbox into itself".into(),
            ));
        }
        let mut w = self.write().await?;
        let src = self
            .mailbox_in(&mut w.tx, account, &from)
            .await?
            .ok_or_else(|| StoreError::NotFound(from.clone()))?;
        if self.mailbox_in(&mut w.tx, account, &to).await?.is_some() {
            return Err(StoreError::AlreadyExists(to));
        }
        if from == "INBOX" {
            // RFC 9051 §6.3.6: INBOX's messages move to the new name; INBOX stays, empty.
            let dst = self.insert_mailbox(&mut w.tx, account, &to, None).await?;
            let uids: Vec<u32> = sqlx::query("SELECT uid FROM messages WHERE mailbox_id = $1")
                .bind(src.id.0)
                .fetch_all(&mut *w.tx)
                .await?
                .iter()
                .map(|r| col_i64(r, "uid").map(|u| u as u32))
                .collect::<Result<_>>()?;
            let t = Transfer {
                account,
                from: src.id,
                uids: &uids,
                to: dst.id,
                is_move: true,
            };
            let (_, expunged) = self.copy_in(&mut w.tx, &t).await?;
            w.commit().await?;
            self.publish(account, src.id, expunged.modseq);
            self.publish(account, dst.id, dst.highest_modseq);
            return Ok(());
        }
        let old_prefix = format!("{from}{DELIMITER}");
        sqlx::query(
            "UPDATE mailboxes SET name = $3 || substr(name, CAST($4 AS INTEGER)) \
             WHERE account_id = $1 AND (name = $2 OR substr(name, 1, CAST($5 AS INTEGER)) = $6)",
        )
        .bind(account.0)
        .bind(&from)
        .bind(&to)
        .bind(from.chars().count() as i64 + 1)
        .bind(old_prefix.chars().count() as i64)
        .bind(&old_prefix)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await?;
        self.publish(account, src.id, src.highest_modseq);
        Ok(())
    }

    pub(crate) async fn list_mailboxes_impl(&self, account: AccountId) -> Result<Vec<MailboxInfo>> {
        let sql =
            format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 ORDER BY name");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(account.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(mailbox_from_row).collect()
    }

    pub(crate) async fn mailbox_impl(&self, account: AccountId, name: &str) -> Result<MailboxInfo> {
        let name = normalize_name(name)?;
        let sql =
            format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 AND name = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(account.0)
            .bind(&name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(name))?;
        mailbox_from_row(&row)
    }

    pub(crate) async fn set_subscribed_impl(
        &self,
        account: AccountId,
        name: &str,
        subscribed: bool,
    ) -> Result<()> {
        let name = normalize_name(name)?;
        let mut w = self.write().await?;
        let sql = if subscribed {
            "INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM subscriptions WHERE account_id = $1 AND name = $2"
        };
        sqlx::query(sql)
            .bind(account.0)
            .bind(&name)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(())
    }

    pub(crate) async fn subscriptions_impl(&self, account: AccountId) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name")
                .bind(account.0)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
    }

    pub(crate) async fn status_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<MailboxStatus> {
        let mut tx = self.read().await?;
        let sql = format!(
            "SELECT {MAILBOX_COLS}, recent_uid FROM mailboxes WHERE id = $1 AND account_id = $2"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(mailbox.0)
            .bind(account.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))?;
        let info = mailbox_from_row(&row)?;
        let recent_uid = col_i64(&row, "recent_uid")?;
        let c = sqlx::query(
            "SELECT COUNT(*) AS messages, \
               CAST(COALESCE(SUM(CASE WHEN (flags & 1) = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS unseen, \
               CAST(COALESCE(SUM(CASE WHEN (flags & 8) <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS deleted, \
               CAST(COALESCE(SUM(CASE WHEN (flags & 8) <> 0 THEN size ELSE 0 END), 0) AS BIGINT) AS deleted_size, \
               CAST(COALESCE(SUM(size), 0) AS BIGINT) AS size, \
               CAST(COALESCE(SUM(CASE WHEN uid >= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS recent \
             FROM messages WHERE mailbox_id = $1",
        )
        .bind(mailbox.0)
        .bind(recent_uid)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(MailboxStatus {
            messages: col_i64(&c, "messages")? as u32,
            unseen: col_i64(&c, "unseen")? as u32,
            deleted: col_i64(&c, "deleted")? as u32,
            deleted_storage: col_i64(&c, "deleted_size")? as u64,
            size: col_i64(&c, "size")? as u64,
            uid_next: info.uid_next,
            uid_validity: info.uid_validity,
            highest_modseq: info.highest_modseq,
            recent: col_i64(&c, "recent")? as u32,
        })
    }

    /// The \Recent claim's fast path: most SELECTs find nothing new to claim, answered by a
    /// read without a write transaction (and its fsync): `Some` of the claim's answer then. A
    /// race with an APPEND is harmless: that message is claimed by the next SELECT, as if it
    /// had arrived just after this one.
    pub(crate) async fn nothing_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<Option<u32>> {
        let row = sqlx::query(
            "SELECT recent_uid, uid_next FROM mailboxes WHERE id = $1 AND account_id = $2",
        )
        .bind(mailbox.0)
        .bind(account.0)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = row {
            let recent: i64 = row.try_get("recent_uid")?;
            let next: i64 = row.try_get("uid_next")?;
            if recent >= next {
                return Ok(Some(recent as u32));
            }
        }
        Ok(None)
    }

    pub(crate) async fn claim_recent_impl(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<u32> {
        if let Some(claimed) = self.nothing_recent(account, mailbox).await? {
            return Ok(claimed);
        }
        let mut w = self.write().await?;
        let info = self.lock_mailbox(&mut w.tx, account, mailbox).await?;
        let first: i64 = sqlx::query("SELECT recent_uid FROM mailboxes WHERE id = $1")
            .bind(mailbox.0)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("recent_uid")?;
        sqlx::query("UPDATE mailboxes SET recent_uid = $2 WHERE id = $1")
            .bind(mailbox.0)
            .bind(info.uid_next as i64)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(first as u32)
    }
}
