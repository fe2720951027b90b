//! LOGIN and AUTHENTICATE (RFC 9051 §6.2; SASL PLAIN, RFC 4616, LOGIN, and SCRAM-SHA-256,
//! RFC 7677, with SASL-IR, RFC 4959). Passwords are checked against the account's argon2id
//! hash off the async threads; SCRAM against the stored verifier. A failure is answered only
//! after the configured delay, and counts toward the per-address and per-user limits.

use crate::session::{Reply, Session};
use crate::state::{Transition, User};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use imap_proto::command::InitialResponse;
use imap_proto::response::Code;
use tokio::io::{AsyncRead, AsyncWrite};

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
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        tokio::sync::Semaphore::new(cores)
    })
}

/// What every mechanism checks before looking at credentials: the connection may
/// authenticate, and neither the address nor the user is blocked by the failure limits.
async fn admissible<S>(s: &Session<S>, username: &str) -> Result<(), Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if !s.conn.auth_allowed {
        return Err(
            Reply::no("authentication needs an encrypted connection").code(Code::PrivacyRequired)
        );
    }
    let ip = s.conn.peer.map(|p| p.ip());
    if s.shared.auth_limiter.blocked(ip, username) {
        tokio::time::sleep(s.shared.config.auth_failure_delay).await;
        return Err(Reply::no("too many failed logins; try again later").code(Code::Limit));
    }
    Ok(())
}

/// A failed authentication: counted, logged, answered after the delay.
async fn failed<S>(s: &Session<S>, username: &str) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    s.shared
        .auth_limiter
        .failed(s.conn.peer.map(|p| p.ip()), username);
    tracing::warn!(session = s.id, user = %username, peer = ?s.conn.peer, "login failed");
    tokio::time::sleep(s.shared.config.auth_failure_delay).await;
    Reply::no("authentication failed").code(Code::AuthenticationFailed)
}

/// Checks a password and returns the user, or the reply to send.
async fn check<S>(s: &mut Session<S>, username: &[u8], password: &[u8]) -> Result<User, Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let username = String::from_utf8_lossy(username).into_owned();
    admissible(s, &username).await?;
    let creds = match s.shared.store.credentials(&username).await {
        Ok(c) => c,
        Err(e) => return Err(crate::errors::store_reply(e)),
    };
    let hash = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(dummy_hash);
    let password = password.to_vec();
    let for_scram = password.clone();
    // Password hashing is CPU- and memory-heavy: at most one per core at a time, so a login
    // flood from many addresses queues instead of exhausting memory (invariant 6).
    let _permit = hashing_slots().acquire().await;
    let ok = tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(&password, hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false);
    match creds {
        Some(c) if ok => {
            if c.scram_sha256.is_none() {
                add_scram_verifier(s, c.address.clone(), for_scram);
            }
            Ok(User {
                account: c.account,
                address: c.address,
            })
        }
        _ => Err(failed(s, &username).await),
    }
}

/// An account whose password was set before Strata knew SCRAM has no verifier; the first
/// successful password login derives and stores one, in the background, so that SCRAM-SHA-256
/// works from then on.
fn add_scram_verifier<S>(s: &Session<S>, address: String, password: Vec<u8>) {
    let store = s.shared.store.clone();
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

/// LOGIN user password.
pub(crate) async fn login<S>(s: &mut Session<S>, username: &[u8], password: &[u8]) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    match check(s, username, password).await {
        Ok(user) => logged_in(s, user),
        Err(r) => r,
    }
}

fn logged_in<S>(s: &mut Session<S>, user: User) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let max = s.shared.config.max_sessions_per_account;
    match s.shared.account_sessions.take(user.account.0, max) {
        Some(slot) => s.account_slot = Some(slot),
        None => {
            return Reply::no("too many sessions for this account").code(Code::Limit);
        }
    }
    tracing::info!(session = s.id, user = %user.address, "logged in");
    // The capability list changes with login (RFC 9051 §6.2.3): send it with the OK.
    let caps =
        super::any::capability_list(&s.conn, true, s.shared.config.limits.max_append_literal);
    Reply::ok("logged in")
        .code(Code::Capability(caps))
        .then(Transition::Login(user))
}

/// AUTHENTICATE mechanism [initial-response]: PLAIN, LOGIN or SCRAM-SHA-256.
pub(crate) async fn authenticate<S>(
    s: &mut Session<S>,
    mechanism: &str,
    initial: Option<InitialResponse>,
) -> std::io::Result<Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    match mechanism {
        "PLAIN" => {}
        "LOGIN" => return login_mechanism(s, initial).await,
        "SCRAM-SHA-256" => return scram_sha256(s, initial).await,
        _ => {
            return Ok(
                Reply::no(format!("mechanism {mechanism} is not supported")).code(Code::Cannot)
            );
        }
    }
    let data = match initial {
        Some(InitialResponse::Data(d)) => d,
        Some(InitialResponse::Empty) => Vec::new(),
        None => match challenge(s, b"").await? {
            Ok(d) => d,
            Err(r) => return Ok(r),
        },
    };
    // RFC 4616: [authzid] NUL authcid NUL passwd
    let parts: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let [authz, authc, pass] = parts[..] else {
        return Ok(Reply::bad("malformed PLAIN response"));
    };
    if !authz.is_empty() && !authz.eq_ignore_ascii_case(authc) {
        return Ok(Reply::no("cannot act as another user").code(Code::AuthorizationFailed));
    }
    Ok(match check(s, authc, pass).await {
        Ok(user) => logged_in(s, user),
        Err(r) => r,
    })
}

/// Sends a SASL challenge (`+ base64`) and reads the client's base64 response: the decoded
/// octets, or the reply for a cancelled (`*`), broken or closed exchange.
async fn challenge<S>(s: &mut Session<S>, text: &[u8]) -> std::io::Result<Result<Vec<u8>, Reply>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let b64 = base64::engine::general_purpose::STANDARD;
    s.out
        .raw(b"+ ")
        .raw(b64.encode(text).as_bytes())
        .raw(b"\r\n");
    s.flush().await?;
    let Some(line) = s.read_line().await? else {
        return Ok(Err(Reply::bad("connection closed during authentication")));
    };
    if &line[..] == b"*" {
        return Ok(Err(Reply::bad("authentication cancelled")));
    }
    Ok(b64
        .decode(&line)
        .map_err(|_| Reply::bad("the response is not base64")))
}

/// The LOGIN SASL mechanism (draft-murchison-sasl-login, what Outlook and older clients use):
/// user name and password, each in answer to a challenge; a SASL-IR initial response is the
/// user name.
async fn login_mechanism<S>(
    s: &mut Session<S>,
    initial: Option<InitialResponse>,
) -> std::io::Result<Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let user = match initial {
        Some(InitialResponse::Data(d)) => d,
        Some(InitialResponse::Empty) => Vec::new(),
        None => match challenge(s, b"Username:").await? {
            Ok(d) => d,
            Err(r) => return Ok(r),
        },
    };
    let pass = match challenge(s, b"Password:").await? {
        Ok(d) => d,
        Err(r) => return Ok(r),
    };
    Ok(match check(s, &user, &pass).await {
        Ok(user) => logged_in(s, user),
        Err(r) => r,
    })
}

/// SCRAM-SHA-256 (RFC 7677): client-first (or the SASL-IR initial response), our challenge,
/// the client's proof, our signature as a last challenge that the client answers with an empty
/// line, then the tagged OK (RFC 9051 §6.2.2).
async fn scram_sha256<S>(
    s: &mut Session<S>,
    initial: Option<InitialResponse>,
) -> std::io::Result<Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    use crate::scram::{ClientFirst, ScramError, Verifier};
    let first = match initial {
        Some(InitialResponse::Data(d)) => d,
        Some(InitialResponse::Empty) => Vec::new(),
        None => match challenge(s, b"").await? {
            Ok(d) => d,
            Err(r) => return Ok(r),
        },
    };
    let first = match ClientFirst::parse(&first) {
        Ok(f) => f,
        Err(ScramError::Authorization) => {
            return Ok(Reply::no("cannot act as another user").code(Code::AuthorizationFailed));
        }
        Err(e) => return Ok(Reply::bad(e.to_string())),
    };
    let username = first.username.clone();
    if let Err(r) = admissible(s, &username).await {
        return Ok(r);
    }
    let creds = match s.shared.store.credentials(&username).await {
        Ok(c) => c,
        Err(e) => return Ok(crate::errors::store_reply(e)),
    };
    let verifier = creds.as_ref().and_then(|c| c.scram_sha256.as_deref());
    if creds.is_some() && verifier.is_none() {
        tracing::info!(session = s.id, user = %username,
            "no SCRAM verifier yet: the user must log in once with a password mechanism");
    }
    let verifier = verifier
        .and_then(Verifier::decode)
        .unwrap_or_else(|| Verifier::decoy(&username));
    let (exchange, server_first) = first.challenge(verifier);
    let client_final = match challenge(s, server_first.as_bytes()).await? {
        Ok(d) => d,
        Err(r) => return Ok(r),
    };
    let server_final = match (exchange.finish(&client_final), creds) {
        (Ok(v), Some(c)) => (v, c),
        (Err(e @ ScramError::Malformed(_)), _) => return Ok(Reply::bad(e.to_string())),
        _ => return Ok(failed(s, &username).await),
    };
    // The client checks our signature and answers with an empty response.
    match challenge(s, server_final.0.as_bytes()).await? {
        Ok(d) if d.is_empty() => {}
        Ok(_) => {
            return Ok(Reply::bad(
                "expected an empty response after the server signature",
            ));
        }
        Err(r) => return Ok(r),
    }
    let c = server_final.1;
    Ok(logged_in(
        s,
        User {
            account: c.account,
            address: c.address,
        },
    ))
}

/// STARTTLS (RFC 9051 §6.2.1): the tagged OK goes out in cleartext, then the handshake; any
/// bytes the client pipelined after the command are discarded (they were not protected), and
/// the session continues, unauthenticated, over TLS with a fresh capability list.
pub(crate) async fn starttls<S>(s: &mut Session<S>, tag: &imap_proto::Tag) -> std::io::Result<Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let Some(upgrade) = s.upgrade.take() else {
        return Ok(Reply::bad("STARTTLS is not available on this connection"));
    };
    let ok = imap_proto::response::StatusResponse::tagged(
        tag.clone(),
        imap_proto::response::State::Ok,
        "begin TLS negotiation now",
    );
    s.send(&imap_proto::response::Response::Status(ok));
    s.flush().await?;
    s.rbuf.clear();
    s.receiver = imap_proto::Receiver::new(s.shared.config.limits);
    let limit = s.shared.config.login_timeout;
    tokio::time::timeout(limit, upgrade(&mut s.io))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake"))??;
    s.conn.tls = true;
    s.conn.auth_allowed = true;
    Ok(Reply::ok("").silent())
}
