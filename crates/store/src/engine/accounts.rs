//! Tenants (domains), accounts, credentials and quota.

use super::conn::{Conn, Param, all, one, opt};
use super::mailboxes::insert_mailbox;
use super::{rows, taken};
use crate::error::{Result, StoreError};
use crate::rules::names::{self, DEFAULT_MAILBOXES};
use crate::rules::quota::{self, Charge};
use crate::rules::uids;
use crate::types::*;
use Param::{Int, OptInt, OptText, Text};

pub(crate) async fn create_domain<C: Conn>(c: &mut C, name: &str) -> Result<DomainId> {
    let name = names::domain(name)?;
    let sql = "INSERT INTO domains (name) VALUES ($1) RETURNING id";
    one(c, sql, &[Text(&name)], |r| Ok(DomainId(r.int(0)?)))
        .await
        .map_err(taken(&name))
}

pub(crate) async fn list_domains<C: Conn>(c: &mut C) -> Result<Vec<Domain>> {
    let sql = "SELECT id, name FROM domains ORDER BY name";
    all(c, sql, &[], |r| {
        Ok(Domain {
            id: DomainId(r.int(0)?),
            name: r.text(1)?.to_string(),
        })
    })
    .await
}

pub(crate) async fn delete_domain<C: Conn>(c: &mut C, name: &str) -> Result<()> {
    let name = names::domain(name).unwrap_or_default();
    let sql = "SELECT COUNT(*) FROM accounts a JOIN domains d ON a.domain_id = d.id \
               WHERE d.name = $1";
    let accounts = one(c, sql, &[Text(&name)], |r| r.int(0)).await?;
    if accounts > 0 {
        return Err(StoreError::Cannot(format!(
            "domain {name} still has {accounts} accounts"
        )));
    }
    let done = c
        .execute("DELETE FROM domains WHERE name = $1", &[Text(&name)])
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound(format!("domain {name}")));
    }
    Ok(())
}

pub(crate) async fn create_account<C: Conn>(
    c: &mut C,
    address: &str,
    password_hash: &str,
) -> Result<AccountId> {
    let (local, domain) = names::address(address)?;
    let address = format!("{local}@{domain}");
    c.execute(
        "INSERT INTO domains (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
        &[Text(&domain)],
    )
    .await?;
    let sql = "SELECT id FROM domains WHERE name = $1";
    let domain_id = one(c, sql, &[Text(&domain)], |r| r.int(0)).await?;
    let sql = "INSERT INTO accounts (domain_id, address, password_hash, next_uid_validity) \
               VALUES ($1, $2, $3, $4) RETURNING id";
    let params = [
        Int(domain_id),
        Text(&address),
        Text(password_hash),
        Int(uids::first_uid_validity(crate::clock::now_secs())),
    ];
    let account = one(c, sql, &params, |r| Ok(AccountId(r.int(0)?)))
        .await
        .map_err(taken(&address))?;
    for (name, special_use) in DEFAULT_MAILBOXES {
        insert_mailbox(c, account, name, special_use).await?;
        c.execute(
            "INSERT INTO subscriptions (account_id, name) VALUES ($1, $2)",
            &[Int(account.0), Text(name)],
        )
        .await?;
    }
    Ok(account)
}

pub(crate) async fn delete_account<C: Conn>(c: &mut C, address: &str) -> Result<()> {
    let (local, domain) = names::address(address)?;
    let address = format!("{local}@{domain}");
    // Lock order of every writer: mailbox rows (by id) before the account row (an APPEND locks
    // its mailbox, then charges the account's quota). Deleting the account row first would
    // cascade into the mailboxes in the opposite order.
    let lock = format!(
        "SELECT id FROM mailboxes \
         WHERE account_id = (SELECT id FROM accounts WHERE address = $1) ORDER BY id{}",
        C::FOR_UPDATE
    );
    all(c, &lock, &[Text(&address)], |r| r.int(0)).await?;
    let done = c
        .execute("DELETE FROM accounts WHERE address = $1", &[Text(&address)])
        .await?;
    if done == 0 {
        return Err(StoreError::NotFound(format!("account {address}")));
    }
    Ok(())
}

pub(crate) async fn list_accounts<C: Conn>(
    c: &mut C,
    domain: Option<&str>,
) -> Result<Vec<Account>> {
    let cols = rows::ACCOUNT_COLS;
    match domain {
        Some(d) => {
            let sql = format!(
                "SELECT {cols} FROM accounts \
                 WHERE domain_id = (SELECT id FROM domains WHERE name = $1) ORDER BY address"
            );
            let d = names::domain(d).unwrap_or_default();
            all(c, &sql, &[Text(&d)], rows::account).await
        }
        None => {
            let sql = format!("SELECT {cols} FROM accounts ORDER BY address");
            all(c, &sql, &[], rows::account).await
        }
    }
}

/// What [`update_account`] changes.
pub(crate) enum AccountUpdate<'a> {
    /// A new password hash; the SCRAM verifier of the old password is forgotten.
    Password(&'a str),
    /// The SCRAM-SHA-256 verifier of the current password (or none).
    Scram(Option<&'a str>),
    /// Quota limits.
    Quota(QuotaLimits),
}

pub(crate) async fn update_account<C: Conn>(
    c: &mut C,
    address: &str,
    update: AccountUpdate<'_>,
) -> Result<()> {
    let (local, domain) = names::address(address)?;
    let address = format!("{local}@{domain}");
    let limit = |v: Option<u64>| OptInt(v.map(super::conn::stored));
    let done = match update {
        AccountUpdate::Password(hash) => {
            let sql = "UPDATE accounts SET password_hash = $2, scram_sha256 = NULL \
                       WHERE address = $1";
            c.execute(sql, &[Text(&address), Text(hash)]).await?
        }
        AccountUpdate::Scram(scram) => {
            let sql = "UPDATE accounts SET scram_sha256 = $2 WHERE address = $1";
            c.execute(sql, &[Text(&address), OptText(scram)]).await?
        }
        AccountUpdate::Quota(l) => {
            let sql = "UPDATE accounts SET quota_storage = $2, quota_messages = $3 \
                       WHERE address = $1";
            let params = [Text(&address), limit(l.storage), limit(l.messages)];
            c.execute(sql, &params).await?
        }
    };
    if done == 0 {
        return Err(StoreError::NotFound(format!("account {address}")));
    }
    Ok(())
}

pub(crate) async fn credentials<C: Conn>(c: &mut C, address: &str) -> Result<Option<Credentials>> {
    let Ok((local, domain)) = names::address(address) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {} FROM accounts WHERE address = $1",
        rows::CREDENTIAL_COLS
    );
    let address = format!("{local}@{domain}");
    opt(c, &sql, &[Text(&address)], rows::credentials).await
}

pub(crate) async fn quota_usage<C: Conn>(c: &mut C, account: AccountId) -> Result<QuotaUsage> {
    let sql = format!("SELECT {} FROM accounts WHERE id = $1", rows::QUOTA_COLS);
    opt(c, &sql, &[Int(account.0)], |r| rows::quota(r, 0))
        .await?
        .ok_or_else(|| StoreError::NotFound("account".into()))
}

/// Charges `charge` to the account (locking its row until the transaction ends) and checks
/// the result against its limits ([`quota::check`]); a refusal rolls the whole write back.
pub(crate) async fn charge<C: Conn>(c: &mut C, account: AccountId, charge: Charge) -> Result<()> {
    if charge.is_zero() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE accounts SET used_storage = used_storage + $2, \
                             used_messages = used_messages + $3 \
         WHERE id = $1 RETURNING {}",
        rows::QUOTA_COLS
    );
    let params = [Int(account.0), Int(charge.storage), Int(charge.messages)];
    let after = opt(c, &sql, &params, |r| rows::quota(r, 0))
        .await?
        .ok_or_else(|| StoreError::NotFound("account".into()))?;
    quota::check(&after, charge)
}
