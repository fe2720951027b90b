//! Domains, accounts, credentials and quotas.

use super::{Invalid, required};
use crate::pb;
use store::{Account, AccountId, Credentials, Domain, DomainId, QuotaLimits, QuotaUsage};

impl From<Domain> for pb::Domain {
    fn from(d: Domain) -> Self {
        pb::Domain {
            id: d.id.0,
            name: d.name,
        }
    }
}

impl TryFrom<pb::Domain> for Domain {
    type Error = Invalid;
    fn try_from(d: pb::Domain) -> Result<Self, Invalid> {
        Ok(Domain {
            id: DomainId(d.id),
            name: d.name,
        })
    }
}

impl From<QuotaLimits> for pb::QuotaLimits {
    fn from(q: QuotaLimits) -> Self {
        pb::QuotaLimits {
            storage: q.storage,
            messages: q.messages,
        }
    }
}

impl From<pb::QuotaLimits> for QuotaLimits {
    fn from(q: pb::QuotaLimits) -> Self {
        QuotaLimits {
            storage: q.storage,
            messages: q.messages,
        }
    }
}

impl From<QuotaUsage> for pb::QuotaUsage {
    fn from(q: QuotaUsage) -> Self {
        pb::QuotaUsage {
            storage: q.storage,
            messages: q.messages,
            limits: Some(q.limits.into()),
        }
    }
}

impl TryFrom<pb::QuotaUsage> for QuotaUsage {
    type Error = Invalid;
    fn try_from(q: pb::QuotaUsage) -> Result<Self, Invalid> {
        Ok(QuotaUsage {
            storage: q.storage,
            messages: q.messages,
            limits: required(q.limits, "quota limits")?.into(),
        })
    }
}

impl From<Account> for pb::Account {
    fn from(a: Account) -> Self {
        pb::Account {
            id: a.id.0,
            domain: a.domain.0,
            address: a.address,
            quota: Some(a.quota.into()),
        }
    }
}

impl TryFrom<pb::Account> for Account {
    type Error = Invalid;
    fn try_from(a: pb::Account) -> Result<Self, Invalid> {
        Ok(Account {
            id: AccountId(a.id),
            domain: DomainId(a.domain),
            address: a.address,
            quota: required(a.quota, "account quota")?.into(),
        })
    }
}

impl From<Credentials> for pb::Credentials {
    fn from(c: Credentials) -> Self {
        pb::Credentials {
            account: c.account.0,
            domain: c.domain.0,
            address: c.address,
            password_hash: c.password_hash,
            scram_sha256: c.scram_sha256,
        }
    }
}

impl TryFrom<pb::Credentials> for Credentials {
    type Error = Invalid;
    fn try_from(c: pb::Credentials) -> Result<Self, Invalid> {
        Ok(Credentials {
            account: AccountId(c.account),
            domain: DomainId(c.domain),
            address: c.address,
            password_hash: c.password_hash,
            scram_sha256: c.scram_sha256,
        })
    }
}
