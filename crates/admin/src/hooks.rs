//! What the host provides: the cluster side (reindex, status) and password hashing.
//!
//! The admin service depends on neither openraft nor the `strata` binary crate: metad (or the
//! all-in-one server) implements [`ClusterHooks`], and the binary passes its argon2id hasher
//! and SCRAM verifier as a [`PasswordHasher`] (any `Fn(&str) -> Result<(String,
//! Option<String>), String>` is one).

use async_trait::async_trait;
use store::AccountId;

use crate::pb;

/// The cluster operations the service delegates to its host.
#[async_trait]
pub trait ClusterHooks: Send + Sync {
    /// Rebuilds the search index of `accounts`; returns the number of bodies indexed. An
    /// `Err` is reported to the caller as UNAVAILABLE with the text.
    async fn reindex(&self, accounts: Vec<AccountId>) -> Result<u64, String>;

    /// Membership, leadership, shard map, jobs and settings of the control plane. An `Err` is
    /// reported as UNAVAILABLE with the text.
    async fn cluster_status(&self) -> Result<pb::ClusterStatus, String>;

    /// Sets a cluster setting through the control plane (replicated once this returns). An
    /// `Err` is reported as UNAVAILABLE with the text.
    async fn set_setting(&self, key: &str, value: &str) -> Result<(), String>;
}

/// Hashes a new password. The service checks the password's form first (not empty, no NUL,
/// CR or LF, at most 1024 bytes) and calls this on the blocking pool, so it may be slow.
pub trait PasswordHasher: Send + Sync {
    /// The PHC string (argon2id) of `password` and, if one can be derived, its SCRAM-SHA-256
    /// verifier in RFC 5803 form. An `Err` is reported as INTERNAL.
    fn hash(&self, password: &str) -> Result<(String, Option<String>), String>;
}

impl<F> PasswordHasher for F
where
    F: Fn(&str) -> Result<(String, Option<String>), String> + Send + Sync,
{
    fn hash(&self, password: &str) -> Result<(String, Option<String>), String> {
        self(password)
    }
}
