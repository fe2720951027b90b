//! Addresses, domains and passwords as the admin API accepts them.
//!
//! The rules match the store's (`local@domain`, trimmed and lower-cased) and `strata user`'s
//! password rules, so a request is refused here with INVALID_ARGUMENT and a clear reason
//! before any slow hashing, and the tenant check sees exactly the domain the store will use.

use tonic::Status;

/// Longest password accepted, in bytes (by the admin API and by `strata user`).
pub const MAX_PASSWORD_LEN: usize = 1024;

/// `local@domain`, trimmed and lower-cased, or INVALID_ARGUMENT saying why not.
pub(crate) fn canonical_address(address: &str) -> Result<String, Status> {
    let a = address.trim().to_lowercase();
    let bad = |why: &str| Status::invalid_argument(format!("bad address {address:?}: {why}"));
    if a.len() > 254 {
        return Err(bad("longer than 254 characters"));
    }
    if a.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("contains white space or control characters"));
    }
    let Some((local, domain)) = a.split_once('@') else {
        return Err(bad("expected name@domain"));
    };
    if local.is_empty() || local.len() > 64 {
        return Err(bad("the name before @ must have 1 to 64 characters"));
    }
    if domain.contains('@') {
        return Err(bad("more than one @"));
    }
    if !is_domain(domain) {
        return Err(bad("the domain is not a domain name"));
    }
    Ok(a)
}

/// A domain name, trimmed and lower-cased.
pub(crate) fn canonical_domain(name: &str) -> Result<String, Status> {
    let d = name.trim().to_lowercase();
    if is_domain(&d) {
        Ok(d)
    } else {
        Err(Status::invalid_argument(format!(
            "{name:?} is not a domain name"
        )))
    }
}

fn is_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// The domain of a canonical address.
pub(crate) fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// Why a password is refused, if it is: one no IMAP client could send or that is surely a
/// mistake (empty; NUL, SASL PLAIN's separator; CR or LF, line ends in LOGIN; too long). The
/// one rule for the admin API and `strata user`.
pub fn password_problem(password: &str) -> Option<&'static str> {
    if password.is_empty() {
        Some("it is empty")
    } else if password.contains(['\0', '\r', '\n']) {
        Some("it contains NUL, CR or LF")
    } else if password.len() > MAX_PASSWORD_LEN {
        Some("it is longer than 1024 bytes")
    } else {
        None
    }
}

/// [`password_problem`] as INVALID_ARGUMENT.
pub(crate) fn check_password(password: &str) -> Result<(), Status> {
    match password_problem(password) {
        None => Ok(()),
        Some(why) => Err(Status::invalid_argument(format!("password refused: {why}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            canonical_address(" Alice@Example.ORG ").expect("ok"),
            "alice@example.org"
        );
        for bad in [
            "alice",
            "@x.org",
            "a@b@c.org",
            "a b@x.org",
            "a@x..org",
            "a@-x.org",
            "",
        ] {
            assert!(canonical_address(bad).is_err(), "{bad:?}");
        }
        assert_eq!(domain_of("a@x.org"), "x.org");
    }

    #[test]
    fn passwords() {
        assert!(check_password("correct horse").is_ok());
        for bad in ["", "a\nb", "a\0b"] {
            assert!(check_password(bad).is_err());
        }
        assert!(check_password(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_err());
    }
}
