//! Bearer tokens and tenancy.
//!
//! Every call carries `authorization: Bearer <token>`. The server keeps only the SHA-256 of
//! each token, so a leaked config file does not leak a usable token, and compares the hash of
//! the presented token with every configured one in constant time. A token without a domain is
//! an operator's; a token with a domain is a tenant's and reaches only that domain's accounts
//! (ARCHITECTURE.md invariant 5: tenants are isolated).
//!
//! ```text
//!  metadata ──▶ Tokens::authenticate ──▶ Caller { operator | tenant(domain) }
//!                 (missing/unknown: UNAUTHENTICATED)   │ require_operator / domain / account
//!                                                      └─▶ PERMISSION_DENIED outside the tenant
//! ```

use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use tonic::Status;
use tonic::metadata::MetadataMap;

use crate::names;

/// One configured token: the SHA-256 of the secret (64 hex digits) and, for a tenant token,
/// the one domain it may administer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminToken {
    /// Lower- or upper-case hex of the SHA-256 of the token (see [`token_sha256`]).
    pub token_sha256: String,
    /// `None`: an operator token (everything); `Some(domain)`: only that domain's accounts.
    pub domain: Option<String>,
}

impl AdminToken {
    /// The entry for the secret `token` (hashes it), e.g. for tests or a generated token.
    pub fn from_secret(token: &str, domain: Option<&str>) -> AdminToken {
        AdminToken {
            token_sha256: token_sha256(token),
            domain: domain.map(str::to_string),
        }
    }
}

/// The hex SHA-256 of a token, the form the server configuration holds.
pub fn token_sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why the token configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// `token_sha256` is not 64 hex digits.
    #[error("admin token hash {0:?} is not 64 hex digits (the SHA-256 of the token)")]
    BadHash(String),
    /// The tenant domain is not a domain name.
    #[error("admin token domain {0:?} is not a domain name")]
    BadDomain(String),
}

/// The configured tokens, parsed.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    sha256: [u8; 32],
    /// Canonical (lower-case) tenant domain.
    domain: Option<String>,
}

impl Tokens {
    /// Parses the configured tokens. No tokens means every call is refused.
    pub fn new(tokens: impl IntoIterator<Item = AdminToken>) -> Result<Tokens, TokenError> {
        let mut entries = Vec::new();
        for t in tokens {
            let sha256 = parse_hex(&t.token_sha256).ok_or(TokenError::BadHash(t.token_sha256))?;
            let domain = match t.domain {
                None => None,
                Some(d) => Some(names::canonical_domain(&d).map_err(|_| TokenError::BadDomain(d))?),
            };
            entries.push(Entry { sha256, domain });
        }
        Ok(Tokens { entries })
    }

    /// Who is calling: the bearer token of `metadata` checked against every configured hash.
    /// Every entry is compared, in constant time, so timing reveals neither which entry
    /// matched nor how much of a hash did.
    pub(crate) fn authenticate(&self, metadata: &MetadataMap) -> Result<Caller, Status> {
        let token = bearer(metadata)?;
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = subtle::Choice::from(0);
        let mut index = 0u32;
        for (i, e) in self.entries.iter().enumerate() {
            let eq = e.sha256.ct_eq(&digest);
            index = u32::conditional_select(&index, &(i as u32), eq);
            found |= eq;
        }
        if !bool::from(found) {
            return Err(Status::unauthenticated("unknown admin token"));
        }
        let entry = self
            .entries
            .get(index as usize)
            .ok_or_else(|| Status::internal("token table changed"))?;
        Ok(Caller {
            domain: entry.domain.clone(),
        })
    }
}

/// The token of an `authorization: Bearer <token>` header.
fn bearer(metadata: &MetadataMap) -> Result<&str, Status> {
    let missing = || Status::unauthenticated("missing `authorization: Bearer <token>` metadata");
    let value = metadata.get("authorization").ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}

fn parse_hex(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// An authenticated caller: an operator, or a tenant bound to one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// `None` for an operator; the canonical domain of a tenant.
    domain: Option<String>,
}

impl Caller {
    /// The tenant's domain, `None` for an operator.
    pub(crate) fn tenant(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// Refuses tenants: for calls that span domains (reindex all, cluster status).
    pub(crate) fn require_operator(&self, what: &str) -> Result<(), Status> {
        match &self.domain {
            None => Ok(()),
            Some(d) => Err(Status::permission_denied(format!(
                "{what} needs an operator token; this token is limited to {d}"
            ))),
        }
    }

    /// Checks that the caller may act on `domain` (already canonical).
    pub(crate) fn allow_domain(&self, domain: &str) -> Result<(), Status> {
        match &self.domain {
            Some(d) if d != domain => Err(Status::permission_denied(format!(
                "this token is limited to {d}, not {domain}"
            ))),
            _ => Ok(()),
        }
    }

    /// Canonicalises `address` and checks that the caller may act on it; returns the
    /// canonical address to pass to the store.
    pub(crate) fn account(&self, address: &str) -> Result<String, Status> {
        let address = names::canonical_address(address)?;
        self.allow_domain(names::domain_of(&address))?;
        Ok(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(value: &str) -> MetadataMap {
        let mut m = MetadataMap::new();
        m.insert("authorization", value.parse().expect("ascii"));
        m
    }

    #[test]
    fn tokens_and_tenants() {
        let tokens = Tokens::new([
            AdminToken::from_secret("op", None),
            AdminToken::from_secret("ten", Some("Example.ORG")),
        ])
        .expect("tokens");
        let op = tokens.authenticate(&meta("Bearer op")).expect("operator");
        assert_eq!(op.tenant(), None);
        assert!(op.account("x@other.org").is_ok());
        let ten = tokens.authenticate(&meta("bearer  ten ")).expect("tenant");
        assert_eq!(ten.tenant(), Some("example.org"));
        assert_eq!(
            ten.account("Bob@EXAMPLE.org").expect("own"),
            "bob@example.org"
        );
        let denied = ten.account("bob@other.org").expect_err("other domain");
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
        // A sub-domain or a look-alike is another domain.
        assert!(ten.account("bob@sub.example.org").is_err());
        assert!(ten.account("bob@example.org.evil").is_err());
        assert!(ten.require_operator("cluster status").is_err());
        for bad in ["Bearer nope", "Basic op", "Bearer", "op"] {
            let e = tokens.authenticate(&meta(bad)).expect_err(bad);
            assert_eq!(e.code(), tonic::Code::Unauthenticated, "{bad}");
        }
        let e = tokens.authenticate(&MetadataMap::new()).expect_err("none");
        assert_eq!(e.code(), tonic::Code::Unauthenticated);
    }

    #[test]
    fn bad_config() {
        let bad = AdminToken {
            token_sha256: "abc".into(),
            domain: None,
        };
        assert!(Tokens::new([bad]).is_err());
        assert!(Tokens::new([AdminToken::from_secret("t", Some("not a domain"))]).is_err());
        assert_eq!(token_sha256("abc").len(), 64);
    }
}
