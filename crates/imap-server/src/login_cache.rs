//! The login cache: after a password is verified against the account's argon2id hash, later
//! logins with the same name, password and stored hash are verified from memory (like
//! Dovecot's auth cache), so a client that logs in and out all day pays the hash once.
//!
//! What is kept is a keyed hash (HMAC-SHA256 with a random key made at start, never written
//! anywhere) of the login name, the account's stored PHC string and the password, never the
//! password itself. The stored hash is part of the key, and every login still reads the
//! account's credentials: a password change (a new PHC string, new salt) or a deleted account
//! misses at once, on every node, with no message between nodes. Only successes are kept; a
//! wrong password always pays the full hash, so the cache tells an attacker nothing. Entries
//! expire after a TTL and the cache holds a bounded number of them.

use hmac::{KeyInit, Mac};
use std::time::{Duration, Instant};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Verified (login name, stored hash, password) triples, as keyed hashes.
pub struct LoginCache {
    key: [u8; 32],
    entries: quick_cache::sync::Cache<[u8; 32], Instant>,
    ttl: Duration,
}

impl LoginCache {
    /// A cache of at most `capacity` entries, each valid for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> LoginCache {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No randomness: a key from the clock and this process still differs between
            // processes; the entries only ever live in this one.
            use sha2::Digest;
            let seed = format!("{:?} {} {:p}", Instant::now(), std::process::id(), &key);
            key = sha2::Sha256::digest(seed.as_bytes()).into();
        }
        LoginCache {
            key,
            entries: quick_cache::sync::Cache::new(capacity.max(1)),
            ttl,
        }
    }

    fn digest(&self, login: &str, stored_hash: &str, password: &[u8]) -> [u8; 32] {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        // Each field with its length, so that no two triples share an input.
        for field in [login.as_bytes(), stored_hash.as_bytes(), password] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field);
        }
        mac.finalize().into_bytes().into()
    }

    /// Whether this password was verified for this login name and stored hash within the TTL.
    pub fn verified(&self, login: &str, stored_hash: &str, password: &[u8]) -> bool {
        let d = self.digest(login, stored_hash, password);
        match self.entries.get(&d) {
            Some(at) if at.elapsed() < self.ttl => true,
            Some(_) => {
                self.entries.remove(&d);
                false
            }
            None => false,
        }
    }

    /// Records a successful verification.
    pub fn remember(&self, login: &str, stored_hash: &str, password: &[u8]) {
        let d = self.digest(login, stored_hash, password);
        self.entries.insert(d, Instant::now());
    }

    /// Entries held (expired ones included until they are looked up or evicted).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_name_hash_and_password_hit() {
        let c = LoginCache::new(100, Duration::from_secs(60));
        assert!(!c.verified("ann", "$argon2id$a", b"pw"));
        c.remember("ann", "$argon2id$a", b"pw");
        assert!(c.verified("ann", "$argon2id$a", b"pw"));
        assert!(
            !c.verified("ann", "$argon2id$a", b"pw2"),
            "another password"
        );
        assert!(
            !c.verified("ann", "$argon2id$b", b"pw"),
            "the password was changed"
        );
        assert!(!c.verified("bob", "$argon2id$a", b"pw"), "another name");
        // Field boundaries count: ("an", "n…") is not ("ann", "…").
        assert!(!c.verified("an", "n$argon2id$a", b"pw"));
    }

    #[test]
    fn entries_expire_and_are_bounded() {
        let c = LoginCache::new(100, Duration::from_millis(30));
        c.remember("ann", "h", b"pw");
        assert!(c.verified("ann", "h", b"pw"));
        std::thread::sleep(Duration::from_millis(40));
        assert!(!c.verified("ann", "h", b"pw"), "expired");
        let small = LoginCache::new(10, Duration::from_secs(60));
        for i in 0..1000 {
            small.remember(&format!("u{i}"), "h", b"pw");
        }
        assert!(small.len() <= 20, "{} entries", small.len());
    }

    #[test]
    fn two_processes_never_share_keys() {
        let (a, b) = (
            LoginCache::new(1, Duration::from_secs(1)),
            LoginCache::new(1, Duration::from_secs(1)),
        );
        assert_ne!(a.digest("ann", "h", b"pw"), b.digest("ann", "h", b"pw"));
    }
}
