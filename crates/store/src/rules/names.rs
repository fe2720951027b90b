//! Names: mailbox names, account addresses and domains as the store keeps them, the mailboxes
//! every account starts with, and which mailboxes a RENAME touches.

use crate::error::{Result, StoreError};
use crate::types::SpecialUse;

/// The hierarchy delimiter.
pub const DELIMITER: char = '/';

/// The inbox's name; any case of it names the inbox (RFC 9051 §5.1).
pub const INBOX: &str = "INBOX";

/// The mailboxes every new account gets, subscribed (SPECIAL-USE attributes: RFC 6154).
pub const DEFAULT_MAILBOXES: [(&str, Option<SpecialUse>); 6] = [
    (INBOX, None),
    ("Sent", Some(SpecialUse::Sent)),
    ("Drafts", Some(SpecialUse::Drafts)),
    ("Trash", Some(SpecialUse::Trash)),
    ("Junk", Some(SpecialUse::Junk)),
    ("Archive", Some(SpecialUse::Archive)),
];

/// Checks a mailbox name and normalises `INBOX` (any case) as its first component.
pub fn mailbox(name: &str) -> Result<String> {
    let bad = |why: &str| {
        Err(StoreError::Cannot(format!(
            "bad mailbox name {name:?}: {why}"
        )))
    };
    if name.is_empty() || name.len() > 1024 {
        return bad("empty or too long");
    }
    if name.starts_with(DELIMITER) || name.ends_with(DELIMITER) || name.contains("//") {
        return bad("empty hierarchy level");
    }
    if name.chars().any(|c| c.is_control() || c == '*' || c == '%') {
        return bad("control or wildcard character");
    }
    let (first, rest) = match name.split_once(DELIMITER) {
        Some((f, r)) => (f, Some(r)),
        None => (name, None),
    };
    let first = if first.eq_ignore_ascii_case(INBOX) {
        INBOX
    } else {
        first
    };
    Ok(match rest {
        Some(r) => format!("{first}{DELIMITER}{r}"),
        None => first.to_string(),
    })
}

/// The prefix every mailbox below `name` starts with.
pub fn children_prefix(name: &str) -> String {
    format!("{name}{DELIMITER}")
}

/// Whether a (normalised) mailbox may be deleted: not INBOX (RFC 9051 §6.3.5).
pub fn deletable(name: &str) -> Result<()> {
    if name == INBOX {
        return Err(StoreError::Cannot("INBOX cannot be deleted".into()));
    }
    Ok(())
}

/// Whether `from` may be renamed to `to` (both normalised): not to INBOX, not into itself.
pub fn renamable(from: &str, to: &str) -> Result<()> {
    if to == INBOX {
        return Err(StoreError::Cannot("cannot rename to INBOX".into()));
    }
    if to == from || to.starts_with(&children_prefix(from)) {
        return Err(StoreError::Cannot(
            "cannot rename a mailbox into itself".into(),
        ));
    }
    Ok(())
}

/// The new name of `name` (`from` itself or a mailbox below it) when `from` becomes `to`.
pub fn renamed(name: &str, from: &str, to: &str) -> String {
    format!("{to}{}", &name[from.len().min(name.len())..])
}

/// The order in which the mailboxes of a renamed subtree get their new names, one at a time,
/// so that no new name meets an old name of the same subtree not yet renamed (a unique name
/// per account holds after every step): shortest first when the names get shorter (a new name
/// can only equal a shorter old one), longest first when they get longer.
pub fn rename_order(names: &mut [(i64, String)], from: &str, to: &str) {
    if to.len() <= from.len() {
        names.sort_by_key(|(_, n)| n.len());
    } else {
        names.sort_by_key(|(_, n)| std::cmp::Reverse(n.len()));
    }
}

/// The one form of an account name that every part of Strata uses (the store, the failed-login
/// limits, the login cache, the logs), decided here once: surrounding blanks removed, lower
/// case, Unicode NFC, and a domain given in its ASCII form (`xn--` labels, RFC 5891) turned
/// into its Unicode form, as domains are stored. So ` Alice@Example.ORG ` and
/// `alice@example.org` are one account to the limiter too, and a guesser cannot count
/// variants apart.
pub fn canonical_address(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let name: String = name.trim().to_lowercase().nfc().collect();
    match name.rsplit_once('@') {
        Some((local, domain)) if domain.split('.').any(|l| l.starts_with("xn--")) => {
            match idna::domain_to_unicode(domain) {
                (unicode, Ok(())) => format!("{local}@{}", unicode.nfc().collect::<String>()),
                _ => name,
            }
        }
        _ => name,
    }
}

/// Splits and checks `local@domain`, in its [`canonical_address`] form.
pub fn address(address: &str) -> Result<(String, String)> {
    let address = canonical_address(address);
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(StoreError::Cannot(format!(
            "{address:?} is not local@domain"
        )));
    };
    let domain = self::domain(domain)?;
    if local.is_empty() || local.len() > 64 || local.chars().any(|c| c.is_whitespace() || c == '@')
    {
        return Err(StoreError::Cannot(format!(
            "{address:?} has a bad local part"
        )));
    }
    Ok((local.to_string(), domain))
}

/// A domain name as stored: in the form [`canonical_address`] gives it, checked.
pub fn domain(domain: &str) -> Result<String> {
    let domain = match canonical_address(&format!("x@{}", domain.trim())).split_once('@') {
        Some((_, d)) => d.to_string(),
        None => String::new(),
    };
    let ok = !domain.is_empty()
        && domain.len() <= 253
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    if ok {
        Ok(domain)
    } else {
        Err(StoreError::Cannot(format!(
            "{domain:?} is not a domain name"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_canonical_form_per_account_name() {
        let want = "alice@example.org";
        for variant in [
            "alice@example.org",
            " alice@example.org ",
            "\tALICE@Example.ORG\r\n",
        ] {
            assert_eq!(canonical_address(variant), want, "{variant:?}");
        }
        // Unicode: NFC whatever the client composed, and the domain's ASCII form.
        let composed = "jos\u{e9}@b\u{fc}cher.example";
        assert_eq!(
            canonical_address("JOSE\u{301}@B\u{dc}CHER.example"),
            composed
        );
        assert_eq!(
            canonical_address("jos\u{e9}@xn--bcher-kva.example"),
            composed
        );
        assert_eq!(
            address("José@XN--BCHER-KVA.example").unwrap().1,
            "b\u{fc}cher.example"
        );
        assert_eq!(
            domain(" XN--BCHER-KVA.Example ").unwrap(),
            "b\u{fc}cher.example"
        );
    }

    #[test]
    fn mailbox_names() {
        assert_eq!(mailbox("inbox").unwrap(), "INBOX");
        assert_eq!(mailbox("Inbox/Sub").unwrap(), "INBOX/Sub");
        assert_eq!(mailbox("Inboxes").unwrap(), "Inboxes");
        for bad in ["", "/a", "a/", "a//b", "a*", "a%b", "a\nb"] {
            assert!(mailbox(bad).is_err(), "{bad:?}");
        }
        assert!(mailbox(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn rename_rules() {
        assert!(renamable("a", "INBOX").is_err());
        assert!(renamable("a", "a").is_err());
        assert!(renamable("a", "a/b").is_err());
        assert!(renamable("a", "ab").is_ok());
        assert_eq!(renamed("a/b/c", "a/b", "x"), "x/c");
        assert_eq!(renamed("a/b", "a/b", "x"), "x");
        // Names get shorter: a/b/x must become a/x before a/b/b/x takes the name a/b/x.
        let mut names = vec![(1, "a/b/b/x".to_string()), (2, "a/b/x".to_string())];
        rename_order(&mut names, "a/b", "a");
        assert_eq!(names[0].1, "a/b/x");
        let mut names = vec![(1, "a".to_string()), (2, "a/b".to_string())];
        rename_order(&mut names, "a", "a1");
        assert_eq!(names[0].1, "a/b");
    }

    #[test]
    fn addresses_and_domains() {
        assert_eq!(
            address(" Bob@Example.ORG ").unwrap(),
            ("bob".to_string(), "example.org".to_string())
        );
        for bad in [
            "bob",
            "@example.org",
            "bob@",
            "b b@example.org",
            "bob@ex..org",
        ] {
            assert!(address(bad).is_err(), "{bad:?}");
        }
        assert_eq!(domain("Example.Org").unwrap(), "example.org");
        assert!(domain("exa mple.org").is_err());
    }
}
