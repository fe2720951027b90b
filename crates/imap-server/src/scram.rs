//! SCRAM-SHA-256 (RFC 5802 with RFC 7677): the verifier stored per account and the server side
//! of the four-message exchange, without channel binding (no `-PLUS`).
//!
//! ```text
//!  client-first  n,,n=user,r=<cnonce>            ─▶ ClientFirst::parse
//!  server-first  r=<cnonce><snonce>,s=<salt>,i=<n> ◀─ ClientFirst::challenge (with the Verifier)
//!  client-final  c=biws,r=<nonce>,p=<proof>       ─▶ Exchange::finish (checks the proof)
//!  server-final  v=<signature>                    ◀─ sent as a last challenge, then OK
//! ```
//!
//! Written here on RustCrypto's sha2/hmac/pbkdf2 and the stringprep crate's SASLprep: the
//! SCRAM crates on crates.io are either unmaintained forks or under a source-available licence,
//! and the mechanism itself is a small message grammar around those primitives.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// PBKDF2 iterations for new verifiers (RFC 7677 §4 asks for at least 4096).
pub const ITERATIONS: u32 = 10_000;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Why an exchange failed; the session answers every one with a NO (or BAD for a malformed
/// message) and the failure delay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    /// A message does not follow the RFC 5802 §7 grammar.
    #[error("malformed SCRAM message: {0}")]
    Malformed(&'static str),
    /// The client asked for channel binding, which this server does not offer.
    #[error("channel binding is not supported")]
    ChannelBinding,
    /// The client wants to act as another user.
    #[error("authorization identity differs from the user")]
    Authorization,
    /// The proof is wrong (wrong password, or no such user).
    #[error("invalid proof")]
    InvalidProof,
}

/// What the server stores instead of a password: salt, iterations, StoredKey and ServerKey.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    iterations: u32,
    salt: Vec<u8>,
    stored_key: [u8; 32],
    server_key: [u8; 32],
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl Verifier {
    /// Derives the verifier of `password` with a fresh random salt. `None` if SASLprep
    /// (RFC 4013) refuses the password, so no SCRAM login can match it.
    pub fn new(password: &str, iterations: u32) -> Option<Verifier> {
        let mut salt = vec![0u8; 16];
        getrandom::fill(&mut salt).ok()?;
        Verifier::with_salt(password, salt, iterations)
    }

    /// Derives the verifier of `password` with the given salt.
    pub fn with_salt(password: &str, salt: Vec<u8>, iterations: u32) -> Option<Verifier> {
        let prepared = stringprep::saslprep(password).ok()?;
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2::<HmacSha256>(prepared.as_bytes(), &salt, iterations, &mut salted).ok()?;
        let client_key = hmac(&salted, b"Client Key");
        Some(Verifier {
            iterations,
            salt,
            stored_key: Sha256::digest(client_key).into(),
            server_key: hmac(&salted, b"Server Key"),
        })
    }

    /// A verifier no password matches, the same for every call with the same `username` in
    /// this process: an unknown user gets a plausible, stable salt, so the exchange does not
    /// tell whether the account exists.
    pub fn decoy(username: &str) -> Verifier {
        static SECRET: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
        let secret = SECRET.get_or_init(|| {
            let mut s = [0u8; 32];
            // Without randomness the decoy salt is still stable and the proof still fails.
            let _ = getrandom::fill(&mut s);
            s
        });
        let mut keys = [0u8; 32];
        getrandom::fill(&mut keys).unwrap_or_default();
        Verifier {
            iterations: ITERATIONS,
            salt: hmac(secret, username.to_lowercase().as_bytes())[..16].to_vec(),
            stored_key: keys,
            server_key: keys,
        }
    }

    /// RFC 5803 form: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
    pub fn encode(&self) -> String {
        format!(
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            B64.encode(&self.salt),
            B64.encode(self.stored_key),
            B64.encode(self.server_key)
        )
    }

    /// Reads the RFC 5803 form; `None` if it is not a SCRAM-SHA-256 verifier.
    pub fn decode(s: &str) -> Option<Verifier> {
        let rest = s.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        Some(Verifier {
            iterations: iterations.parse().ok().filter(|&i| i > 0)?,
            salt: B64.decode(salt).ok()?,
            stored_key: B64.decode(stored).ok()?.try_into().ok()?,
            server_key: B64.decode(server).ok()?.try_into().ok()?,
        })
    }
}

/// `saslname` of RFC 5802 §7: `=2C` is `,` and `=3D` is `=`; any other `=` is an error.
fn decode_saslname(s: &str) -> Result<String, ScramError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        match rest.get(i..i + 3) {
            Some("=2C") => out.push(','),
            Some("=3D") => out.push('='),
            _ => return Err(ScramError::Malformed("bad escape in a name")),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    if out.is_empty() {
        return Err(ScramError::Malformed("empty name"));
    }
    Ok(out)
}

/// A printable nonce (RFC 5802 §7: `printable` is %x21-2B / %x2D-7E).
fn valid_nonce(n: &str) -> bool {
    !n.is_empty() && n.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

/// The client's first message, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFirst {
    /// The authentication identity (`n=`), decoded.
    pub username: String,
    gs2_header: String,
    bare: String,
    nonce: String,
}

impl ClientFirst {
    /// Parses `gs2-header client-first-message-bare`.
    pub fn parse(msg: &[u8]) -> Result<ClientFirst, ScramError> {
        let msg = std::str::from_utf8(msg).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let mut parts = msg.splitn(3, ',');
        let cbind = parts.next().unwrap_or_default();
        let authzid = parts.next().ok_or(ScramError::Malformed("no gs2 header"))?;
        let bare = parts.next().ok_or(ScramError::Malformed("no gs2 header"))?;
        match cbind {
            // "y": the client could bind but believes we cannot, which is true.
            "n" | "y" => {}
            c if c.starts_with("p=") => return Err(ScramError::ChannelBinding),
            _ => return Err(ScramError::Malformed("bad channel binding flag")),
        }
        let acting_as = match authzid {
            "" => None,
            a => Some(decode_saslname(
                a.strip_prefix("a=")
                    .ok_or(ScramError::Malformed("bad authzid"))?,
            )?),
        };
        let mut attrs = bare.split(',');
        let user = attrs.next().unwrap_or_default();
        if user.starts_with("m=") {
            // RFC 5802 §5.1: a mandatory extension we do not know ends the exchange.
            return Err(ScramError::Malformed("unsupported mandatory extension"));
        }
        let username = decode_saslname(
            user.strip_prefix("n=")
                .ok_or(ScramError::Malformed("no user name"))?,
        )?;
        let nonce = attrs
            .next()
            .and_then(|r| r.strip_prefix("r="))
            .filter(|n| valid_nonce(n))
            .ok_or(ScramError::Malformed("no valid nonce"))?;
        // Optional extensions are `ALPHA "=" value`; they are ignored.
        if !attrs.all(|a| {
            a.len() > 1 && a.as_bytes()[0].is_ascii_alphabetic() && a.as_bytes()[1] == b'='
        }) {
            return Err(ScramError::Malformed("bad extension"));
        }
        if let Some(a) = acting_as
            && !a.eq_ignore_ascii_case(&username)
        {
            return Err(ScramError::Authorization);
        }
        Ok(ClientFirst {
            username,
            gs2_header: format!("{cbind},{authzid},"),
            bare: bare.to_string(),
            nonce: nonce.to_string(),
        })
    }

    /// The server-first message for `verifier`, with a fresh random server nonce, and the
    /// state that checks the client's answer.
    pub fn challenge(self, verifier: Verifier) -> (Exchange, String) {
        let mut raw = [0u8; 18];
        getrandom::fill(&mut raw).unwrap_or_default();
        let server_nonce = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        self.challenge_with_nonce(verifier, &server_nonce)
    }

    /// Like [`challenge`](Self::challenge) with a given server nonce (tests use RFC 7677's).
    pub fn challenge_with_nonce(
        self,
        verifier: Verifier,
        server_nonce: &str,
    ) -> (Exchange, String) {
        let nonce = format!("{}{server_nonce}", self.nonce);
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&verifier.salt),
            verifier.iterations
        );
        let exchange = Exchange {
            gs2_header: self.gs2_header,
            auth_prefix: format!("{},{server_first},", self.bare),
            nonce,
            verifier,
        };
        (exchange, server_first)
    }
}

/// The server between its first message and the client's final one.
#[derive(Debug)]
pub struct Exchange {
    gs2_header: String,
    auth_prefix: String,
    nonce: String,
    verifier: Verifier,
}

impl Exchange {
    /// Checks the client-final message; on success returns the server-final message
    /// (`v=<ServerSignature>`).
    pub fn finish(&self, msg: &[u8]) -> Result<String, ScramError> {
        let msg = std::str::from_utf8(msg).map_err(|_| ScramError::Malformed("not UTF-8"))?;
        let (without_proof, proof) = msg
            .rsplit_once(",p=")
            .ok_or(ScramError::Malformed("no proof"))?;
        let mut attrs = without_proof.split(',');
        let binding = attrs
            .next()
            .and_then(|c| c.strip_prefix("c="))
            .ok_or(ScramError::Malformed("no channel binding"))?;
        if B64.decode(binding).ok().as_deref() != Some(self.gs2_header.as_bytes()) {
            return Err(ScramError::Malformed(
                "channel binding differs from the gs2 header",
            ));
        }
        let nonce = attrs
            .next()
            .and_then(|r| r.strip_prefix("r="))
            .ok_or(ScramError::Malformed("no nonce"))?;
        if nonce != self.nonce {
            return Err(ScramError::Malformed("nonce differs"));
        }
        let proof = B64
            .decode(proof)
            .map_err(|_| ScramError::Malformed("proof is not base64"))?;
        if proof.len() != 32 {
            return Err(ScramError::InvalidProof);
        }
        let auth_message = format!("{}{without_proof}", self.auth_prefix);
        let signature = hmac(&self.verifier.stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(signature).map(|(p, s)| p ^ s).collect();
        let stored: [u8; 32] = Sha256::digest(&client_key).into();
        if !bool::from(stored.ct_eq(&self.verifier.stored_key)) {
            return Err(ScramError::InvalidProof);
        }
        let server_signature = hmac(&self.verifier.server_key, auth_message.as_bytes());
        Ok(format!("v={}", B64.encode(server_signature)))
    }
}

#[cfg(test)]
#[path = "scram_test.rs"]
mod tests;
