//! Account administration (`strata user …`): checks addresses and passwords, hashes passwords
//! with argon2id, and calls the [`MailStore`] account methods.
//!
//! ```text
//!  cli ──▶ UserAdmin::add(address, password)
//!            ├─ check_address, check_password   (before the slow hash)
//!            ├─ hash_password (argon2id, costs from [auth])
//!            ├─ MailStore::create_account       (domain + default mailboxes)
//!            └─ MailStore::set_scram            (SCRAM-SHA-256 verifier, RFC 5803 form)
//! ```

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use store::{Account, MailStore, QuotaLimits, StoreError};

/// Longest password accepted, in bytes: long enough for any passphrase, short enough that a
/// hostile input cannot make hashing expensive.
pub const MAX_PASSWORD_LEN: usize = strata_admin::MAX_PASSWORD_LEN;

/// Why an account command failed. Each message fits on one line.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// USER is not `name@domain`.
    #[error("bad address {0:?}: {1}")]
    BadAddress(String, &'static str),
    /// The password is not acceptable.
    #[error("password refused: {0}")]
    BadPassword(&'static str),
    /// The account exists already.
    #[error("user {0} already exists")]
    Exists(String),
    /// There is no such account.
    #[error("user {0} does not exist")]
    NotFound(String),
    /// The argon2 parameters or hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Any other storage failure.
    #[error("{0}")]
    Store(StoreError),
}

/// Checks `name@domain` and returns it lower-cased (addresses are case-insensitive logins).
pub fn check_address(address: &str) -> Result<String, UserError> {
    let bad = |why| Err(UserError::BadAddress(address.to_string(), why));
    if address.len() > 254 {
        return bad("longer than 254 characters");
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains white space or control characters");
    }
    let Some((local, domain)) = address.split_once('@') else {
        return bad("expected name@domain");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("the name before @ must have 1 to 64 characters");
    }
    if domain.is_empty() {
        return bad("the domain after @ is missing");
    }
    if domain.contains('@') {
        return bad("more than one @");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !domain.split('.').all(label_ok) {
        return bad("the domain is not a domain name");
    }
    Ok(address.to_lowercase())
}

/// Refuses passwords that no IMAP client could send or that are surely mistakes: empty ones,
/// ones with NUL (SASL PLAIN's separator), CR or LF (line ends in LOGIN), and very long ones.
/// The rule is the admin API's ([`strata_admin::password_problem`]).
pub fn check_password(password: &str) -> Result<(), UserError> {
    match strata_admin::password_problem(password) {
        None => Ok(()),
        Some(why) => Err(UserError::BadPassword(why)),
    }
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str, params: &Params) -> Result<String, UserError> {
    check_password(password)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon2
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

/// Checks a password against a PHC string; the costs come from the string. `false` for a
/// wrong password or a hash that cannot be parsed.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A change to one quota limit (RFC 9208): leave it, set it, or remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitChange {
    /// Keep the current limit.
    Keep,
    /// `none`: no limit.
    Unlimited,
    /// A limit (octets for STORAGE, a count for MESSAGE).
    Set(u64),
}

impl LimitChange {
    fn apply(self, current: Option<u64>) -> Option<u64> {
        match self {
            LimitChange::Keep => current,
            LimitChange::Unlimited => None,
            LimitChange::Set(n) => Some(n),
        }
    }
}

/// Account administration over a [`MailStore`].
pub struct UserAdmin<'a, S: MailStore + ?Sized> {
    store: &'a S,
    params: Params,
}

impl<'a, S: MailStore + ?Sized> UserAdmin<'a, S> {
    /// Administers the accounts of `store`; new hashes use `params`.
    pub fn new(store: &'a S, params: Params) -> Self {
        UserAdmin { store, params }
    }

    /// Creates `address` (and its domain if new) with the default mailboxes. Returns the
    /// canonical address.
    pub async fn add(&self, address: &str, password: &str) -> Result<String, UserError> {
        let address = check_address(address)?;
        let hash = hash_password(password, &self.params)?;
        self.store
            .create_account(&address, &hash)
            .await
            .map_err(|e| map_store(e, &address))?;
        self.store_scram(&address, password).await?;
        Ok(address)
    }

    /// Stores the SCRAM-SHA-256 verifier of `password` (none if SASLprep refuses it; then only
    /// LOGIN/PLAIN can match it).
    async fn store_scram(&self, address: &str, password: &str) -> Result<(), UserError> {
        let verifier = imap_server::scram::Verifier::new(password, imap_server::scram::ITERATIONS);
        self.store
            .set_scram(address, verifier.map(|v| v.encode()).as_deref())
            .await
            .map_err(|e| map_store(e, address))
    }

    /// Replaces the password of `address`.
    pub async fn passwd(&self, address: &str, password: &str) -> Result<String, UserError> {
        let address = check_address(address)?;
        // Fail fast, before the slow hash, when the account does not exist.
        self.find(&address).await?;
        let hash = hash_password(password, &self.params)?;
        self.store
            .set_password(&address, &hash)
            .await
            .map_err(|e| map_store(e, &address))?;
        self.store_scram(&address, password).await?;
        Ok(address)
    }

    /// Deletes `address` and all its mail (bodies are collected later by the blob sweep).
    pub async fn delete(&self, address: &str) -> Result<String, UserError> {
        let address = check_address(address)?;
        self.store
            .delete_account(&address)
            .await
            .map_err(|e| map_store(e, &address))?;
        Ok(address)
    }

    /// All accounts, by address.
    pub async fn list(&self) -> Result<Vec<Account>, UserError> {
        self.store
            .list_accounts(None)
            .await
            .map_err(UserError::Store)
    }

    /// Changes the quota limits of `address` and returns the limits now in force.
    pub async fn set_quota(
        &self,
        address: &str,
        storage: LimitChange,
        messages: LimitChange,
    ) -> Result<(String, QuotaLimits), UserError> {
        let address = check_address(address)?;
        let current = self.find(&address).await?.quota;
        let limits = QuotaLimits {
            storage: storage.apply(current.storage),
            messages: messages.apply(current.messages),
        };
        self.store
            .set_quota(&address, limits)
            .await
            .map_err(|e| map_store(e, &address))?;
        Ok((address, limits))
    }

    /// The account `address` (already canonical).
    async fn find(&self, address: &str) -> Result<Account, UserError> {
        let domain = address.rsplit_once('@').map(|(_, d)| d);
        self.store
            .list_accounts(domain)
            .await
            .map_err(UserError::Store)?
            .into_iter()
            .find(|a| a.address == address)
            .ok_or_else(|| UserError::NotFound(address.to_string()))
    }
}

/// Names the account in the errors an operator can act on.
fn map_store(e: StoreError, address: &str) -> UserError {
    match e {
        StoreError::AlreadyExists(_) => UserError::Exists(address.to_string()),
        StoreError::NotFound(_) => UserError::NotFound(address.to_string()),
        e => UserError::Store(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            check_address("Alice@Example.ORG").ok().as_deref(),
            Some("alice@example.org")
        );
        for bad in [
            "alice",
            "alice@",
            "@example.org",
            "a@b@c.org",
            "al ice@example.org",
            "alice@exa mple.org",
            "alice@example..org",
            "alice@-example.org",
            "alice\0@example.org",
            "",
        ] {
            assert!(check_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords() {
        assert!(check_password("correct horse battery staple").is_ok());
        for bad in ["", "a\0b", "a\nb", "a\rb"] {
            assert!(check_password(bad).is_err(), "{bad:?}");
        }
        assert!(check_password(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_err());
    }

    /// Hashes are argon2id PHC strings carrying the configured costs, salted, verifiable.
    #[test]
    fn hash_and_verify() {
        let params = Params::new(64, 1, 1, None).expect("params");
        let h1 = hash_password("s3cret", &params).expect("hash");
        let h2 = hash_password("s3cret", &params).expect("hash");
        assert!(h1.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h1}");
        assert_ne!(h1, h2, "random salt");
        assert!(verify_password("s3cret", &h1));
        assert!(!verify_password("S3cret", &h1));
        assert!(!verify_password("s3cret", "not a hash"));
    }
}
