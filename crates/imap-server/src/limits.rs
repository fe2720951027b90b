//! Authentication rate limits: failed logins per client address and per user name within a
//! sliding minute. Over either limit, logins are refused without checking the password, so a
//! guessing client learns nothing and costs no hashing (ARCHITECTURE.md invariant 6).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window the limits count over.
const WINDOW: Duration = Duration::from_secs(60);
/// Most distinct addresses and names remembered; past it the table starts afresh (a spray of
/// names must not grow memory without bound).
const MAX_KEYS: usize = 100_000;

/// Failed-login counters, shared by every session of a process.
#[derive(Debug)]
pub struct AuthLimiter {
    per_ip: u32,
    per_user: u32,
    /// Failure times per key (`ip:…` or `user:…`). A std mutex: held for a map update only.
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl AuthLimiter {
    /// Limits of failures per minute per address and per user name (0 = no limit).
    pub fn new(per_ip: u32, per_user: u32) -> AuthLimiter {
        AuthLimiter {
            per_ip,
            per_user,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(ip: Option<IpAddr>, user: &str) -> [(String, bool); 2] {
        [
            (ip.map(|i| format!("ip:{i}")).unwrap_or_default(), true),
            // The store's one form of a name: variants of it are one account here too.
            (
                format!("user:{}", store::rules::names::canonical_address(user)),
                false,
            ),
        ]
    }

    /// True if `ip` or `user` has used up its failures for the current minute.
    pub fn blocked(&self, ip: Option<IpAddr>, user: &str) -> bool {
        let Ok(mut t) = self.failures.lock() else {
            return false;
        };
        let now = Instant::now();
        Self::keys(ip, user).iter().any(|(key, is_ip)| {
            let limit = if *is_ip { self.per_ip } else { self.per_user };
            if key.is_empty() || limit == 0 {
                return false;
            }
            let Some(q) = t.get_mut(key) else {
                return false;
            };
            while q.front().is_some_and(|&f| now.duration_since(f) > WINDOW) {
                q.pop_front();
            }
            q.len() as u32 >= limit
        })
    }

    /// Records a failed login.
    pub fn failed(&self, ip: Option<IpAddr>, user: &str) {
        let Ok(mut t) = self.failures.lock() else {
            return;
        };
        if t.len() >= MAX_KEYS {
            t.clear();
        }
        for (key, _) in Self::keys(ip, user) {
            if !key.is_empty() {
                let q = t.entry(key).or_default();
                q.push_back(Instant::now());
                if q.len() > 1000 {
                    q.pop_front();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_address_and_per_user() {
        let l = AuthLimiter::new(3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(!l.blocked(Some(a), "alice@x"));
        l.failed(Some(a), "alice@x");
        l.failed(Some(b), "Alice@X");
        assert!(
            l.blocked(Some(b), "alice@x"),
            "two failures for alice from anywhere"
        );
        assert!(!l.blocked(Some(b), "bob@x"));
        l.failed(Some(a), "carol@x");
        l.failed(Some(a), "dave@x");
        assert!(
            l.blocked(Some(a), "erin@x"),
            "three failures from address a"
        );
        assert!(!AuthLimiter::new(0, 0).blocked(Some(a), "alice@x"));
    }
}

/// Authenticated sessions per account, and per account and client address, so that one
/// account cannot take every connection slot of a frontend, nor one client machine every
/// session of an account. Keyed by `(account, None)` and `(account, Some(address))`.
#[derive(Debug, Default)]
pub struct AccountSessions(Mutex<HashMap<(i64, Option<IpAddr>), usize>>);

/// One account session; released on drop.
#[derive(Debug)]
pub struct AccountSlot {
    keys: Vec<(i64, Option<IpAddr>)>,
    table: std::sync::Arc<AccountSessions>,
}

impl Drop for AccountSlot {
    fn drop(&mut self) {
        if let Ok(mut t) = self.table.0.lock() {
            for key in &self.keys {
                if let Some(n) = t.get_mut(key) {
                    *n -= 1;
                    if *n == 0 {
                        t.remove(key);
                    }
                }
            }
        }
    }
}

/// Which session limit a login met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionLimit {
    /// The account's.
    Account(usize),
    /// The account's from one address.
    AccountIp(usize),
}

impl AccountSessions {
    /// A slot for `account` from `ip`, or the limit it meets: `max` sessions of the account,
    /// `max_ip` of the account from that address (0 = no limit).
    pub fn take(
        self: &std::sync::Arc<Self>,
        account: i64,
        ip: Option<IpAddr>,
        max: usize,
        max_ip: usize,
    ) -> Result<AccountSlot, SessionLimit> {
        let Ok(mut t) = self.0.lock() else {
            return Err(SessionLimit::Account(max));
        };
        let count = |t: &HashMap<_, usize>, k| t.get(&k).copied().unwrap_or(0);
        if max > 0 && count(&t, (account, None)) >= max {
            return Err(SessionLimit::Account(max));
        }
        let mut keys = vec![(account, None)];
        if let Some(ip) = ip {
            if max_ip > 0 && count(&t, (account, Some(ip))) >= max_ip {
                return Err(SessionLimit::AccountIp(max_ip));
            }
            keys.push((account, Some(ip)));
        }
        for k in &keys {
            *t.entry(*k).or_insert(0) += 1;
        }
        Ok(AccountSlot {
            keys,
            table: self.clone(),
        })
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;

    #[test]
    fn sessions_count_per_account_and_per_account_and_address() {
        let t = std::sync::Arc::new(AccountSessions::default());
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let s1 = t.take(1, Some(a), 3, 2).unwrap();
        let _s2 = t.take(1, Some(a), 3, 2).unwrap();
        assert_eq!(
            t.take(1, Some(a), 3, 2).unwrap_err(),
            SessionLimit::AccountIp(2)
        );
        let _s3 = t.take(1, Some(b), 3, 2).unwrap();
        assert_eq!(
            t.take(1, Some(b), 3, 2).unwrap_err(),
            SessionLimit::Account(3)
        );
        assert!(t.take(2, Some(a), 3, 2).is_ok(), "another account");
        drop(s1);
        assert!(t.take(1, Some(a), 3, 2).is_ok(), "a slot freed on drop");
    }
}
