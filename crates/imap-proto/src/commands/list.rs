//! `LIST`, basic (RFC 9051 §6.3.9) or extended (RFC 5258) with the selection and return options
//! of RFC 5258, RFC 5819 LIST-STATUS and RFC 6154 SPECIAL-USE, and IMAP4rev1's `LSUB`
//! (RFC 3501 §6.3.9).
//!
//! `RETURN (STATUS (…))` takes STATUS's items, whose grammar is in [`super::mailbox`].

use super::mailbox::{encode_status_items, parse_status_item};
use crate::command::CommandBody;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::types::{Mailbox, StatusItem};
use crate::write::Writer;

/// Extended LIST (RFC 5258) or basic LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCommand {
    /// Selection options (`LIST (SUBSCRIBED) …`).
    pub selection: Vec<ListSelect>,
    /// The reference name.
    pub reference: Mailbox,
    /// Patterns; more than one only in the extended form `("a" "b")`.
    pub patterns: Vec<String>,
    /// `RETURN (…)` options; empty when absent.
    pub ret: Vec<ListReturn>,
}

/// LIST selection options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListSelect {
    /// `SUBSCRIBED`
    Subscribed,
    /// `REMOTE`
    Remote,
    /// `RECURSIVEMATCH`
    RecursiveMatch,
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
}

/// LIST return options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListReturn {
    /// `SUBSCRIBED`
    Subscribed,
    /// `CHILDREN`
    Children,
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
    /// `STATUS (items)` (RFC 5819)
    Status(Vec<StatusItem>),
}

/// `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`
pub(crate) fn parse_list(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mut selection = Vec::new();
    if p.peek() == Some(b'(') {
        selection = p.list(0, |p| {
            Ok(match p.keyword()?.as_str() {
                "SUBSCRIBED" => ListSelect::Subscribed,
                "REMOTE" => ListSelect::Remote,
                "RECURSIVEMATCH" => ListSelect::RecursiveMatch,
                "SPECIAL-USE" => ListSelect::SpecialUse,
                // RFC 5258 §3: unrecognised selection options are an error.
                o => {
                    return Err(ErrorKind::Syntax(format!(
                        "unknown LIST selection option {o}"
                    )));
                }
            })
        })?;
        // RFC 5258 §3: RECURSIVEMATCH needs a base option (SUBSCRIBED is the only one here).
        if selection.contains(&ListSelect::RecursiveMatch)
            && !selection.contains(&ListSelect::Subscribed)
        {
            return Err(ErrorKind::Syntax(
                "RECURSIVEMATCH without SUBSCRIBED".into(),
            ));
        }
        p.sp()?;
    }
    let reference = p.mailbox()?;
    p.sp()?;
    let patterns = if p.peek() == Some(b'(') {
        p.list(1, |p| p.list_mailbox())?
    } else {
        vec![p.list_mailbox()?]
    };
    let mut ret = Vec::new();
    if p.eat_sp() {
        if !p.eat_word("RETURN") {
            return Err(ErrorKind::Syntax("expected RETURN".into()));
        }
        p.sp()?;
        ret = p.list(0, |p| {
            Ok(match p.keyword()?.as_str() {
                "SUBSCRIBED" => ListReturn::Subscribed,
                "CHILDREN" => ListReturn::Children,
                "SPECIAL-USE" => ListReturn::SpecialUse,
                "STATUS" => {
                    p.sp()?;
                    ListReturn::Status(p.list(1, parse_status_item)?)
                }
                o => return Err(ErrorKind::Syntax(format!("unknown LIST return option {o}"))),
            })
        })?;
    }
    Ok(CommandBody::List(ListCommand {
        selection,
        reference,
        patterns,
        ret,
    }))
}

/// `lsub = "LSUB" SP mailbox SP list-mailbox` (RFC 3501 §9)
pub(crate) fn parse_lsub(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let reference = p.mailbox()?;
    p.sp()?;
    Ok(CommandBody::Lsub {
        reference,
        pattern: p.list_mailbox()?,
    })
}

/// The arguments of LIST (RFC 5258): ` [(select) ]reference pattern|(patterns)[ RETURN (…)]`.
pub(crate) fn encode_list<'w>(l: &ListCommand, w: &'w mut Writer) -> &'w mut Writer {
    w.sp();
    if !l.selection.is_empty() {
        w.raw(b"(");
        for (i, s) in l.selection.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            w.raw(match s {
                ListSelect::Subscribed => b"SUBSCRIBED".as_slice(),
                ListSelect::Remote => b"REMOTE",
                ListSelect::RecursiveMatch => b"RECURSIVEMATCH",
                ListSelect::SpecialUse => b"SPECIAL-USE",
            });
        }
        w.raw(b") ");
    }
    w.mailbox(&l.reference).sp();
    match l.patterns.as_slice() {
        [one] => w.list_mailbox(one.as_bytes()),
        many => {
            w.raw(b"(");
            for (i, p) in many.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.list_mailbox(p.as_bytes());
            }
            w.raw(b")")
        }
    };
    if l.ret.is_empty() {
        return w;
    }
    w.raw(b" RETURN (");
    for (i, r) in l.ret.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        match r {
            ListReturn::Subscribed => w.raw(b"SUBSCRIBED"),
            ListReturn::Children => w.raw(b"CHILDREN"),
            ListReturn::SpecialUse => w.raw(b"SPECIAL-USE"),
            ListReturn::Status(items) => encode_status_items(items, w.raw(b"STATUS ")),
        };
    }
    w.raw(b")")
}

/// ` reference pattern`
pub(crate) fn encode_lsub<'w>(
    reference: &Mailbox,
    pattern: &str,
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp()
        .mailbox(reference)
        .sp()
        .list_mailbox(pattern.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::{ListCommand, ListReturn, ListSelect};
    use crate::command::CommandBody;
    use crate::commands::testing::{check, mb, parses, refuses, syntax};
    use crate::types::StatusItem;

    #[test]
    fn list_basic_and_extended() {
        let l = |selection, patterns: &[&str], ret| {
            CommandBody::List(ListCommand {
                selection,
                reference: mb(""),
                patterns: patterns.iter().map(|s| s.to_string()).collect(),
                ret,
            })
        };
        check(l(vec![], &["*"], vec![]), b"a1 LIST \"\" *\r\n");
        check(l(vec![], &["a b%"], vec![]), b"a1 LIST \"\" \"a b%\"\r\n");
        check(
            l(
                vec![ListSelect::Subscribed, ListSelect::RecursiveMatch],
                &["INBOX*", "Foo/%"],
                vec![
                    ListReturn::Children,
                    ListReturn::SpecialUse,
                    ListReturn::Status(vec![StatusItem::Messages, StatusItem::Unseen]),
                ],
            ),
            b"a1 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX* Foo/%) \
              RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))\r\n",
        );
        check(
            CommandBody::Lsub {
                reference: mb("#news."),
                pattern: "comp.mail.*".into(),
            },
            b"a1 LSUB #news. comp.mail.*\r\n",
        );
    }

    #[test]
    fn parse_table() {
        let list = |selection, patterns: &[&str], ret| {
            CommandBody::List(ListCommand {
                selection,
                reference: mb(""),
                patterns: patterns.iter().map(|s| s.to_string()).collect(),
                ret,
            })
        };
        parses(&[
            (b"a LIST \"\" %\r\n", list(vec![], &["%"], vec![])),
            (
                b"a LIST (special-use) \"\" (\"*\" INBOX) RETURN (STATUS (UNSEEN))\r\n",
                list(
                    vec![ListSelect::SpecialUse],
                    &["*", "INBOX"],
                    vec![ListReturn::Status(vec![StatusItem::Unseen])],
                ),
            ),
            (
                b"a LSUB \"#news.\" comp.mail.*\r\n",
                CommandBody::Lsub {
                    reference: mb("#news."),
                    pattern: "comp.mail.*".into(),
                },
            ),
        ]);
        refuses(&[
            (
                b"a LIST (RECURSIVEMATCH) \"\" *\r\n",
                syntax("RECURSIVEMATCH without SUBSCRIBED"),
            ),
            (
                b"a LIST (FROB) \"\" *\r\n",
                syntax("unknown LIST selection option FROB"),
            ),
            (b"a LIST \"\" * (CHILDREN)\r\n", syntax("expected RETURN")),
            (
                b"a LIST \"\" * RETURN (STATUS ())\r\n",
                syntax("empty list"),
            ),
        ]);
    }
}
