//! Checking credentials, for LOGIN (`commands/auth.rs`) and the SASL mechanisms of
//! AUTHENTICATE (`session/sasl.rs`). Passwords are checked against the account's argon2id hash
//! off the async threads, or from the login cache ([`crate::login_cache`]) when the same name,
//! password and stored hash were verified lately; a failure is answered only after the
//! configured delay, and counts toward the per-address and per-user limits.

use crate::context::Ctx;
use crate::limits::AccountSlot;
use crate::reply::Reply;
use crate::state::{Transition, User};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use imap_proto::response::Code;

/// A hash of no known password, verified when the user does not exist so that a missing
/// account takes as long as a wrong password. Made once per process.
fn dummy_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        Argon2::default()
            .hash_password_with_salt(b"no password matches this", b"strata-dummy-salt")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
    .clone()
}

/// Concurrent password checks allowed: one per core.
fn hashing_cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// The process's password-check slots ([`hashing_cores`] of them).
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(hashing_cores()))
}

/// What every mechanism checks before looking at credentials: the connection may
/// authenticate, and neither the address nor the user is blocked by the failure limits.
pub(crate) async fn admissible(cx: &Ctx<'_>, username: &str) -> Result<(), Reply> {
    if !cx.conn.auth_allowed {
        return Err(
            Reply::no("authentication needs an encrypted connection").code(Code::PrivacyRequired)
        );
    }
    let ip = cx.conn.peer.map(|p| p.ip());
    if cx.shared.auth_limiter.blocked(ip, username) {
        tokio::time::sleep(cx.shared.config.auth_failure_delay).await;
        return Err(Reply::no("too many failed logins; try again later").code(Code::Limit));
    }
    Ok(())
}

/// A failed authentication: counted, logged, answered after the delay (holding nothing but
/// this session: the hashing slot was released when the check ended).
pub(crate) async fn failed(cx: &Ctx<'_>, username: &str) -> Reply {
    cx.shared
        .auth_limiter
        .failed(cx.conn.peer.map(|p| p.ip()), username);
    // Debug-formatted: a name is the client's text, and CR/LF in it must not forge log lines.
    tracing::warn!(session = cx.session, user = ?username, peer = ?cx.conn.peer, "login failed");
    tokio::time::sleep(cx.shared.config.auth_failure_delay).await;
    Reply::no("authentication failed").code(Code::AuthenticationFailed)
}

/// Checks a password and returns the user, or the reply to send.
pub(crate) async fn check(cx: &Ctx<'_>, username: &[u8], password: &[u8]) -> Result<User, Reply> {
    let username = store::rules::names::canonical_address(&String::from_utf8_lossy(username));
    admissible(cx, &username).await?;
    let creds = cx
        .store()
        .credentials(&username)
        .await
        .map_err(crate::errors::store_reply)?;
    let cache = cx.shared.login_cache.as_deref();
    let cached = match (&creds, cache) {
        (Some(c), Some(cache)) => cache.verified(&username, &c.password_hash, password),
        _ => false,
    };
    let ok = cached || verify(creds.as_ref(), password, cx.conn.peer.map(|p| p.ip())).await;
    if let (true, false, Some(c), Some(cache)) = (ok, cached, &creds, cache) {
        cache.remember(&username, &c.password_hash, password);
    }
    match creds {
        Some(c) if ok => {
            if c.scram_sha256.is_none() {
                add_scram_verifier(cx, c.address.clone(), password.to_vec());
            }
            Ok(User {
                account: c.account,
                address: c.address,
            })
        }
        _ => Err(failed(cx, &username).await),
    }
}

/// Concurrent password checks one client address may have: all slots but one (at least one),
/// so that a flood of logins from one address never holds every slot and a login from
/// elsewhere waits for at most one hash (issue 18: 40 parallel wrong logins from one address
/// delayed a good one from another by 40 s).
fn per_address_slots() -> usize {
    hashing_cores().max(2) - 1
}

/// The hashing gate of one client address (a semaphore of [`per_address_slots`]).
fn address_gate(ip: std::net::IpAddr) -> std::sync::Arc<tokio::sync::Semaphore> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    static GATES: std::sync::OnceLock<
        Mutex<HashMap<std::net::IpAddr, Arc<tokio::sync::Semaphore>>>,
    > = std::sync::OnceLock::new();
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if gates.len() >= 10_000 {
        // Bounded: forget the gates nobody is waiting on.
        gates.retain(|_, g| Arc::strong_count(g) > 1);
    }
    gates
        .entry(ip)
        .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(per_address_slots())))
        .clone()
}

/// Verifies `password` against the account's argon2id hash (a dummy hash when there is no
/// account, so that both take as long).
async fn verify(
    creds: Option<&store::Credentials>,
    password: &[u8],
    ip: Option<std::net::IpAddr>,
) -> bool {
    let hash = creds.map_or_else(dummy_hash, |c| c.password_hash.clone());
    let password = password.to_vec();
    // Password hashing is CPU- and memory-heavy: at most one per core at a time, so a login
    // flood from many addresses queues instead of exhausting memory (invariant 6); and one
    // address never takes every slot. Both are released when the hash is done, before any
    // failure delay.
    let gate = ip.map(address_gate);
    let _mine = match &gate {
        Some(g) => g.acquire().await.ok(),
        None => None,
    };
    let _permit = hashing_slots().acquire().await;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(&password, hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// An account whose password was set before Strata knew SCRAM has no verifier; the first
/// successful password login derives and stores one, in the background, so that SCRAM-SHA-256
/// works from then on.
fn add_scram_verifier(cx: &Ctx<'_>, address: String, password: Vec<u8>) {
    let store = cx.shared.store.clone();
    tokio::spawn(async move {
        let derived = tokio::task::spawn_blocking(move || {
            let password = String::from_utf8(password).ok()?;
            crate::scram::Verifier::new(&password, crate::scram::ITERATIONS)
        })
        .await;
        if let Ok(Some(v)) = derived
            && let Err(e) = store.set_scram(&address, Some(&v.encode())).await
        {
            tracing::warn!(user = %address, error = %e, "could not store the SCRAM verifier");
        }
    });
}

/// The user is authenticated: takes a place in the account's session count (`slot`) and
/// answers with the capabilities after login and the transition.
pub(crate) fn logged_in(cx: &Ctx<'_>, slot: &mut Option<AccountSlot>, user: User) -> Reply {
    let (max, max_ip) = (
        cx.shared.config.max_sessions_per_account,
        cx.shared.config.max_sessions_per_account_ip,
    );
    let ip = cx.conn.peer.map(|p| p.ip());
    match cx
        .shared
        .account_sessions
        .take(user.account.0, ip, max, max_ip)
    {
        Ok(taken) => *slot = Some(taken),
        Err(crate::limits::SessionLimit::Account(n)) => {
            return Reply::no(format!("too many sessions for this account (at most {n})"))
                .code(Code::Limit);
        }
        Err(crate::limits::SessionLimit::AccountIp(n)) => {
            return Reply::no(format!(
                "too many sessions for this account from your address (at most {n})"
            ))
            .code(Code::Limit);
        }
    }
    tracing::info!(session = cx.session, user = %user.address, "logged in");
    // The capability list changes with login (RFC 9051 §6.2.3): send it with the OK.
    let caps = crate::capabilities::capability_list(
        cx.conn,
        true,
        cx.shared.config.limits.max_append_literal,
        false,
    );
    Reply::ok("logged in")
        .code(Code::Capability(caps))
        .then(Transition::Login(user))
}
