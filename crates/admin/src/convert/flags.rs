//! IMAP flag names (`\Seen`, keywords) ⇄ [`store::Flags`].

use store::Flags;

const SYSTEM: [(&str, u8); 5] = [
    ("\\Seen", Flags::SEEN),
    ("\\Answered", Flags::ANSWERED),
    ("\\Flagged", Flags::FLAGGED),
    ("\\Deleted", Flags::DELETED),
    ("\\Draft", Flags::DRAFT),
];

/// Flags from their IMAP names. `\Recent` is ignored (no one can set it, RFC 9051 §2.3.2);
/// another `\`-flag, or a keyword that is not an IMAP atom, is an error naming it.
pub(crate) fn from_names(names: &[String]) -> Result<Flags, String> {
    let mut system = 0;
    let mut keywords = Vec::new();
    for name in names {
        if let Some((_, bit)) = SYSTEM.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            system |= bit;
        } else if name.eq_ignore_ascii_case("\\Recent") {
        } else if is_atom(name) {
            keywords.push(name.clone());
        } else {
            return Err(format!(
                "{name:?} is not a flag (a system flag or an IMAP atom)"
            ));
        }
    }
    Ok(Flags::new(system, keywords))
}

/// The IMAP names of `flags`, system flags first.
pub(crate) fn to_names(flags: &Flags) -> Vec<String> {
    SYSTEM
        .iter()
        .filter(|(_, bit)| flags.has(*bit))
        .map(|(n, _)| n.to_string())
        .chain(flags.keywords.iter().cloned())
        .collect()
}

/// RFC 9051 `atom`: 1*ATOM-CHAR (no `\`, so system flags are never keywords).
fn is_atom(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let names: Vec<String> = ["\\seen", "\\Draft", "$Forwarded", "\\Recent"]
            .map(String::from)
            .into();
        let f = from_names(&names).expect("flags");
        assert_eq!(
            f,
            Flags::new(Flags::SEEN | Flags::DRAFT, ["$Forwarded".into()])
        );
        assert_eq!(to_names(&f), ["\\Seen", "\\Draft", "$Forwarded"]);
        assert!(from_names(&["\\Bogus".to_string()]).is_err());
        assert!(from_names(&["two words".to_string()]).is_err());
    }
}
