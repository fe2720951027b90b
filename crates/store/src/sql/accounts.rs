//! Tenants (domains), accounts, credentials and quota.

use super::{SqlStore, col_i64, now};
use crate::error::{Result, StoreError};
use crate::types::*;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};

/// The mailboxes every new account gets.
const DEFAULT_MAILBOXES: [(&str, Option<SpecialUse>); 6] = [
    ("INBOX", None),
    ("Sent", Some(SpecialUse::Sent)),
    ("Drafts", Some(SpecialUse::Drafts)),
    ("Trash", Some(SpecialUse::Trash)),
    ("Junk", Some(SpecialUse::Junk)),
    ("Archive", Some(SpecialUse::Archive)),
];

/// Splits and checks `local@domain`, lower-cased.
pub(crate) fn parse_address(address: &str) -> Result<(String, String)> {
    let address = address.trim().to_lowercase();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(StoreError::Cannot(format!(
            "{address:?} is not local@domain"
        )));
    };
    check_domain(domain)?;
    if local.is_empty() || local.len() > 64 || local.chars().any(|c| c.is_whitespace() || c == '@')
    {
        return Err(StoreError::Cannot(format!(
            "{address:?} has a bad local part"
        )));
    }
    Ok((local.to_string(), domain.to_string()))
}

fn check_domain(domain: &str) -> Result<()> {
    let ok = !domain.is_empty()
        && domain.len() <= 253
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Cannot(format!(
            "{domain:?} is not a domain name"
        )))
    }
}

fn account_from_row(row: &AnyRow) -> Result<Account> {
    Ok(Account {
        id: AccountId(col_i64(row, "id")?),
        domain: DomainId(col_i64(row, "domain_id")?),
        address: row.try_get("address")?,
        quota: limits_from_row(row)?,
    })
}

/// The quota limits of an `accounts` row (NULL is unlimited).
fn limits_from_row(row: &AnyRow) -> Result<QuotaLimits> {
    let limit = |col: &str| -> Result<Option<u64>> {
        Ok(row.try_get::<Option<i64>, _>(col)?.map(|v| v as u64))
    };
    Ok(QuotaLimits {
        storage: limit("quota_storage")?,
        messages: limit("quota_messages")?,
    })
}

impl SqlStore {
    pub(crate) async fn create_domain_impl(&self, name: &str) -> Result<DomainId> {
        let name = name.trim().to_lowercase();
        check_domain(&name)?;
        let mut w = self.write().await?;
        let row = sqlx::query("INSERT INTO domains (name) VALUES ($1) RETURNING id")
            .bind(&name)
            .fetch_one(&mut *w.tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::AlreadyExists(_) => StoreError::AlreadyExists(name.clone()),
                e => e,
            })?;
        w.commit().await?;
        Ok(DomainId(col_i64(&row, "id")?))
    }

    pub(crate) async fn list_domains_impl(&self) -> Result<Vec<Domain>> {
        let rows = sqlx::query("SELECT id, name FROM domains ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Domain {
                    id: DomainId(col_i64(r, "id")?),
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    pub(crate) async fn delete_domain_impl(&self, name: &str) -> Result<()> {
        let name = name.trim().to_lowercase();
        let mut w = self.write().await?;
        let accounts: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM accounts a JOIN domains d ON a.domain_id = d.id \
             WHERE d.name = $1",
        )
        .bind(&name)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("n")?;
        if accounts > 0 {
            return Err(StoreError::Cannot(format!(
                "domain {name} still has {accounts} accounts"
            )));
        }
        let done = sqlx::query("DELETE FROM domains WHERE name = $1")
            .bind(&name)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("domain {name}")));
        }
        w.commit().await?;
        Ok(())
    }

    pub(crate) async fn create_account_impl(&self, address: &str, hash: &str) -> Result<AccountId> {
        let (local, domain) = parse_address(address)?;
        let address = format!("{local}@{domain}");
        let mut w = self.write().await?;
        sqlx::query("INSERT INTO domains (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(&domain)
            .execute(&mut *w.tx)
            .await?;
        let domain_id: i64 = sqlx::query("SELECT id FROM domains WHERE name = $1")
            .bind(&domain)
            .fetch_one(&mut *w.tx)
            .await?
            .try_get("id")?;
        let row = sqlx::query(
            "INSERT INTO accounts (domain_id, address, password_hash, next_uid_validity) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(domain_id)
        .bind(&address)
        .bind(hash)
        .bind(now().clamp(1, u32::MAX as i64 / 2))
        .fetch_one(&mut *w.tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::AlreadyExists(_) => StoreError::AlreadyExists(address.clone()),
            e => e,
        })?;
        let account = AccountId(col_i64(&row, "id")?);
        for (name, special_use) in DEFAULT_MAILBOXES {
            self.insert_mailbox(&mut w.tx, account, name, special_use)
                .await?;
            sqlx::query("INSERT INTO subscriptions (account_id, name) VALUES ($1, $2)")
                .bind(account.0)
                .bind(name)
                .execute(&mut *w.tx)
                .await?;
        }
        w.commit().await?;
        Ok(account)
    }

    pub(crate) async fn delete_account_impl(&self, address: &str) -> Result<()> {
        let (local, domain) = parse_address(address)?;
        let mut w = self.write().await?;
        // Lock order of every writer: mailbox rows (by id) before the account row (an APPEND
        // locks its mailbox, then charges the account's quota). Deleting the account row
        // first would cascade into the mailboxes in the opposite order.
        let lock = format!(
            "SELECT id FROM mailboxes \
             WHERE account_id = (SELECT id FROM accounts WHERE address = $1) ORDER BY id{}",
            self.for_update()
        );
        sqlx::query(AssertSqlSafe(lock))
            .bind(format!("{local}@{domain}"))
            .fetch_all(&mut *w.tx)
            .await?;
        let done = sqlx::query("DELETE FROM accounts WHERE address = $1")
            .bind(format!("{local}@{domain}"))
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {local}@{domain}")));
        }
        w.commit().await?;
        Ok(())
    }

    pub(crate) async fn list_accounts_impl(&self, domain: Option<&str>) -> Result<Vec<Account>> {
        let rows = match domain {
            Some(d) => {
                sqlx::query(
                    "SELECT a.* FROM accounts a JOIN domains d ON a.domain_id = d.id \
                     WHERE d.name = $1 ORDER BY a.address",
                )
                .bind(d.trim().to_lowercase())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query("SELECT * FROM accounts ORDER BY address")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(account_from_row).collect()
    }

    pub(crate) async fn set_password_impl(&self, address: &str, hash: &str) -> Result<()> {
        let (local, domain) = parse_address(address)?;
        let mut w = self.write().await?;
        // A new password invalidates the SCRAM verifier of the old one.
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = $2, scram_sha256 = NULL WHERE address = $1",
        )
        .bind(format!("{local}@{domain}"))
        .bind(hash.to_string())
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {local}@{domain}")));
        }
        w.commit().await?;
        Ok(())
    }

    pub(crate) async fn set_scram_impl(&self, address: &str, scram: Option<&str>) -> Result<()> {
        let (local, domain) = parse_address(address)?;
        let mut w = self.write().await?;
        let done = sqlx::query("UPDATE accounts SET scram_sha256 = $2 WHERE address = $1")
            .bind(format!("{local}@{domain}"))
            .bind(scram.map(str::to_string))
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {local}@{domain}")));
        }
        w.commit().await?;
        Ok(())
    }

    pub(crate) async fn set_quota_impl(&self, address: &str, limits: QuotaLimits) -> Result<()> {
        let (local, domain) = parse_address(address)?;
        let as_i64 = |v: Option<u64>| v.map(|v| v.min(i64::MAX as u64) as i64);
        let mut w = self.write().await?;
        let done = sqlx::query(
            "UPDATE accounts SET quota_storage = $2, quota_messages = $3 WHERE address = $1",
        )
        .bind(format!("{local}@{domain}"))
        .bind(as_i64(limits.storage))
        .bind(as_i64(limits.messages))
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {local}@{domain}")));
        }
        w.commit().await?;
        Ok(())
    }

    pub(crate) async fn credentials_impl(&self, address: &str) -> Result<Option<Credentials>> {
        let Ok((local, domain)) = parse_address(address) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT id, domain_id, address, password_hash, scram_sha256 FROM accounts \
             WHERE address = $1",
        )
        .bind(format!("{local}@{domain}"))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Credentials {
                account: AccountId(col_i64(&r, "id")?),
                domain: DomainId(col_i64(&r, "domain_id")?),
                address: r.try_get("address")?,
                password_hash: r.try_get("password_hash")?,
                scram_sha256: r.try_get("scram_sha256")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn quota_impl(&self, account: AccountId) -> Result<QuotaUsage> {
        let row = sqlx::query(
            "SELECT used_storage, used_messages, quota_storage, quota_messages \
             FROM accounts WHERE id = $1",
        )
        .bind(account.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("account".into()))?;
        quota_from_row(&row)
    }
}

/// Reads usage and limits from an `accounts` row.
pub(crate) fn quota_from_row(row: &AnyRow) -> Result<QuotaUsage> {
    Ok(QuotaUsage {
        storage: col_i64(row, "used_storage")? as u64,
        messages: col_i64(row, "used_messages")? as u64,
        limits: limits_from_row(row)?,
    })
}

/// Locks the account row for a change of its usage and checks that `add_storage` octets and
/// `add_messages` messages fit in its quota, then records them. One statement in the usual case
/// (every statement of a write transaction is a round trip made while SQLite's writer lock is
/// held); a second one only to tell a missing account from one over its quota.
pub(crate) async fn charge_quota(
    tx: &mut Transaction<'static, Any>,
    account: AccountId,
    add_storage: i64,
    add_messages: i64,
) -> Result<()> {
    let charging = i64::from(add_storage > 0 || add_messages > 0);
    let charged = sqlx::query(
        "UPDATE accounts SET used_storage = used_storage + $2, \
                             used_messages = used_messages + $3 \
         WHERE id = $1 AND ($4 = 0 OR ( \
             (quota_storage IS NULL OR used_storage + $5 <= quota_storage) \
             AND (quota_messages IS NULL OR used_messages + $6 <= quota_messages))) \
         RETURNING id",
    )
    .bind(account.0)
    .bind(add_storage)
    .bind(add_messages)
    .bind(charging)
    .bind(add_storage.max(0))
    .bind(add_messages.max(0))
    .fetch_optional(&mut **tx)
    .await?;
    if charged.is_some() {
        return Ok(());
    }
    let exists = sqlx::query("SELECT id FROM accounts WHERE id = $1")
        .bind(account.0)
        .fetch_optional(&mut **tx)
        .await?;
    match exists {
        Some(_) => Err(StoreError::OverQuota),
        None => Err(StoreError::NotFound("account".into())),
    }
}
