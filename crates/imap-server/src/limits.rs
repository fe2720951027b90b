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

/// Authenticated sessions per account, so that one account cannot take every connection
/// slot of a frontend.
#[derive(Debug, Default)]
pub struct AccountSessions(Mutex<HashMap<i64, usize>>);

/// One account session; released on drop.
#[derive(Debug)]
pub struct AccountSlot {
    account: i64,
    table: std::sync::Arc<AccountSessions>,
}

impl Drop for AccountSlot {
    fn drop(&mut self) {
        if let Ok(mut t) = self.table.0.lock()
            && let Some(n) = t.get_mut(&self.account)
        {
            *n -= 1;
            if *n == 0 {
                t.remove(&self.account);
            }
        }
    }
}

impl AccountSessions {
    /// A slot for `account`, or `None` if it already has `max` sessions (0 = no limit).
    pub fn take(self: &std::sync::Arc<Self>, account: i64, max: usize) -> Option<AccountSlot> {
        let mut t = self.0.lock().ok()?;
        let n = t.entry(account).or_insert(0);
        if max > 0 && *n >= max {
            return None;
        }
        *n += 1;
        Some(AccountSlot {
            account,
            table: self.clone(),
        })
    }
}
