//! Case-insensitive substring matching for the text keys (RFC 9051 §6.4.4: "In all search keys
//! that use strings, a message matches the key if the string is a substring of the associated
//! text. The matching is case-insensitive.").
//!
//! # What "case-insensitive" means here
//!
//! RFC 5255 §4.1 (I18NLEVEL) names `i;unicode-casemap` (RFC 5051) as the comparator for SEARCH,
//! and Dovecot uses it: a case mapping plus NFKD. [`fold`] does the same in the other order,
//! which gives the same equivalence classes for everything we tested:
//!
//! 1. **NFKD** (compatibility decomposition, with canonical reordering of combining marks):
//!    `é` becomes `e` + U+0301, `ﬁ` becomes `fi`, full-width `Ａ` becomes `A`, half-width
//!    `ｶ` becomes `カ`, the Kelvin sign becomes `K`.
//! 2. **Simple case folding** of every resulting character, one character to one character:
//!    its simple lower-case mapping of its simple upper-case mapping (a mapping to several
//!    characters is not applied). `Σ`/`σ`/`ς`, `ſ`/`s`, `ẞ`/`ß` fold together.
//!
//! Consequences, all shared with Dovecot unless noted:
//! - substring matching happens on decomposed text, so `cafe` matches `café` (the accent
//!   follows the match) but `hello` does not match `héllo` and `café` does not match `cafe`;
//!   precomposed and decomposed accents match each other;
//! - full folding is not applied: `STRASSE` does not match `straße`;
//! - `ẞ` (U+1E9E) matches `ß` (Unicode's simple case folding). Dovecot's titlecase mapping
//!   leaves both alone, so there they differ: a deliberate difference;
//! - dotless `ı` folds to `i` (its upper case is `I`); `İ` becomes `i` + U+0307, so `istanbul`
//!   does not match `İstanbul` but `İSTANBUL` does.
//!
//! A search index that folds its text with [`fold`] before cutting n-grams agrees with this
//! oracle.

use unicode_normalization::UnicodeNormalization;

/// Simple case folding of one character: the simple lower-case mapping of its simple
/// upper-case mapping (a mapping to several characters is not applied). Apply it after NFKD;
/// [`fold`] does both.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let up = single(c.to_uppercase()).unwrap_or(c);
    single(up.to_lowercase()).unwrap_or(up)
}

/// The one character of a case mapping, or `None` when it maps to several.
fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// What SEARCH string keys compare: NFKD, then [`fold_char`] on every character (see the
/// crate docs). ASCII text only has its letters lower-cased.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.nfkd().map(fold_char).collect()
}

/// A search string, folded once and matched against many haystacks.
#[derive(Debug, Clone)]
pub struct Needle {
    folded: String,
}

impl Needle {
    /// Folds `raw`: the key's string as sent. It should be UTF-8 (the session rejects other
    /// charsets with `[BADCHARSET]`); invalid sequences become U+FFFD and match only U+FFFD.
    pub fn new(raw: &[u8]) -> Needle {
        Needle {
            folded: fold(&String::from_utf8_lossy(raw)),
        }
    }

    /// The folded needle.
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// True for the empty string, which is a substring of every text.
    pub fn is_empty(&self) -> bool {
        self.folded.is_empty()
    }

    /// True if the needle is a case-insensitive substring of `hay`.
    pub fn found_in(&self, hay: &str) -> bool {
        if self.folded.is_empty() {
            return true;
        }
        if hay.is_ascii() {
            // An ASCII text folds to ASCII, which cannot hold a non-ASCII folded needle.
            return self.folded.is_ascii()
                && hay.len() >= self.folded.len()
                && hay.to_ascii_lowercase().contains(&self.folded);
        }
        fold(hay).contains(&self.folded)
    }

    /// True if the needle is a substring of `folded`, a text already [`fold`]ed.
    pub fn found_in_folded(&self, folded: &str) -> bool {
        folded.contains(&self.folded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_pairs() {
        let same = [
            ("K", "k"),
            ("\u{212A}", "k"), // Kelvin sign
            ("Σ", "σ"),
            ("ς", "σ"),
            ("ẞ", "ß"),
            ("ſ", "s"),
            ("ǅ", "ǆ"),
            ("Ǆ", "ǆ"),
            ("Ä", "ä"),
            ("A\u{308}", "ä"),
            ("Ω", "ω"),
            ("\u{2126}", "ω"), // Ohm sign
            ("И", "и"),
            ("Ա", "ա"),
            ("ı", "i"),
            ("ﬁ", "FI"),
            ("ＡＢＣ", "abc"),
            ("ｶﾀｶﾅ", "カタカナ"),
            ("a\u{301}\u{323}", "a\u{323}\u{301}"),
        ];
        for (a, b) in same {
            assert_eq!(fold(a), fold(b), "{a} vs {b}");
        }
        // Full folding is not applied.
        assert_ne!(fold("straße"), fold("STRASSE"));
        assert_eq!(fold("STRAẞE"), fold("straße"));
        // Scripts without case keep their letters.
        for s in ["สวัสดี", "مرحبا", "你好", "こんにちは"] {
            assert_eq!(fold(s), s.nfkd().collect::<String>());
        }
        assert_eq!(fold("café"), "cafe\u{301}");
    }

    #[test]
    fn needles() {
        let n = Needle::new("GRÜSSE".as_bytes());
        assert!(n.found_in("viele grüsse"));
        assert!(!n.found_in("viele grüße"));
        assert!(Needle::new(b"").found_in(""));
        assert!(Needle::new(b"Hello").found_in("say hELLo!"));
        assert!(!Needle::new("héllo".as_bytes()).found_in("hello"));
        // Decomposed text: an accent after the match does not get in the way, one inside does.
        assert!(Needle::new(b"cafe").found_in("CAFÉ"));
        assert!(!Needle::new(b"hello").found_in("HÉLLO"));
        assert!(Needle::new("ｈｅｌｌｏ".as_bytes()).found_in("say hello"));
        assert!(!Needle::new(b"\xff").found_in("abc"));
        assert!(Needle::new(b"\xff").found_in("a\u{fffd}c"));
    }
}
