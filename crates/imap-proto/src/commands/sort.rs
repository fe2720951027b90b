//! `[UID] SORT` (RFC 5256 §3) with the ESORT return options (RFC 5267), the DISPLAYFROM and
//! DISPLAYTO keys (RFC 5957) and RELEVANCY (RFC 6203).
//!
//! The search program and the return options are SEARCH's, from [`super::search`].

use super::search::{SearchKey, SearchReturn, encode_keys, encode_return_opts};
use super::search::{parse_keys, parse_return_opts};
use crate::command::CommandBody;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::write::Writer;

/// One SORT criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortCriterion {
    /// `REVERSE`
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

/// SORT keys (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// `ARRIVAL`
    Arrival,
    /// `CC`
    Cc,
    /// `DATE`
    Date,
    /// `FROM`
    From,
    /// `SIZE`
    Size,
    /// `SUBJECT`
    Subject,
    /// `TO`
    To,
    /// `DISPLAYFROM`
    DisplayFrom,
    /// `DISPLAYTO`
    DisplayTo,
    /// `RELEVANCY` (RFC 6203)
    Relevancy,
}

impl SortKey {
    /// Every key.
    pub const ALL: [SortKey; 10] = [
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::Date,
        SortKey::From,
        SortKey::Size,
        SortKey::Subject,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
        SortKey::Relevancy,
    ];

    /// Wire name.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Cc => "CC",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Size => "SIZE",
            SortKey::Subject => "SUBJECT",
            SortKey::To => "TO",
            SortKey::DisplayFrom => "DISPLAYFROM",
            SortKey::DisplayTo => "DISPLAYTO",
            SortKey::Relevancy => "RELEVANCY",
        }
    }
}

/// `SORT [SP sort-return-opts] SP sort-criteria SP charset 1*(SP search-key)`
pub(crate) fn parse_sort(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let ret = parse_return_opts(p)?;
    let criteria = p.list(1, |p| {
        let reverse = p.eat_word("REVERSE") && {
            p.sp()?;
            true
        };
        let k = p.keyword()?;
        let key = SortKey::ALL
            .into_iter()
            .find(|s| s.name() == k)
            .ok_or_else(|| ErrorKind::Syntax(format!("unknown sort key {k}")))?;
        Ok(SortCriterion { reverse, key })
    })?;
    p.sp()?;
    let charset = p.charset()?;
    p.sp()?;
    let keys = parse_keys(p)?;
    Ok(CommandBody::Sort {
        uid,
        ret,
        criteria,
        charset,
        keys,
    })
}

/// `[ RETURN (…)] (criteria) charset keys`
pub(crate) fn encode_sort<'w>(
    ret: Option<&[SearchReturn]>,
    criteria: &[SortCriterion],
    charset: &str,
    keys: &[SearchKey],
    w: &'w mut Writer,
) -> &'w mut Writer {
    encode_return_opts(ret, w).raw(b" (");
    for (i, c) in criteria.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        if c.reverse {
            w.raw(b"REVERSE ");
        }
        w.raw(c.key.name().as_bytes());
    }
    w.raw(b") ").atom_or_string(charset.as_bytes()).sp();
    encode_keys(keys, w)
}

#[cfg(test)]
mod tests {
    use super::{SortCriterion, SortKey};
    use crate::command::CommandBody;
    use crate::commands::search::{SearchKey, SearchReturn};
    use crate::commands::testing::{check, parses, refuses, syntax};

    #[test]
    fn sort() {
        let body = CommandBody::Sort {
            uid: true,
            ret: Some(vec![SearchReturn::Min, SearchReturn::Relevancy]),
            criteria: vec![
                SortCriterion {
                    reverse: true,
                    key: SortKey::Date,
                },
                SortCriterion {
                    reverse: false,
                    key: SortKey::DisplayFrom,
                },
            ],
            charset: "UTF-8".into(),
            keys: vec![SearchKey::Undeleted],
        };
        check(
            body,
            b"a1 UID SORT RETURN (MIN RELEVANCY) (REVERSE DATE DISPLAYFROM) UTF-8 UNDELETED\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[(
            b"a SORT (reverse arrival SUBJECT) utf-8 ALL\r\n",
            CommandBody::Sort {
                uid: false,
                ret: None,
                criteria: vec![
                    SortCriterion {
                        reverse: true,
                        key: SortKey::Arrival,
                    },
                    SortCriterion {
                        reverse: false,
                        key: SortKey::Subject,
                    },
                ],
                charset: "UTF-8".into(),
                keys: vec![SearchKey::All],
            },
        )]);
        refuses(&[
            (
                b"a SORT (FROB) UTF-8 ALL\r\n",
                syntax("unknown sort key FROB"),
            ),
            (b"a SORT () UTF-8 ALL\r\n", syntax("empty list")),
            // sort = ["UID" SP] "SORT" SP sort-criteria SP charset 1*(SP search-key)
            (
                b"a SORT (DATE) ALL\r\n",
                syntax("expected SP at end of command"),
            ),
        ]);
    }
}
