//! `[UID] STORE` (RFC 9051 §6.4.6) with the `UNCHANGEDSINCE` modifier (RFC 7162 §3.1.3).

use crate::command::CommandBody;
use crate::encode::flag_list;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::types::{Flag, SequenceSet};
use crate::write::Writer;

/// `+FLAGS`, `-FLAGS` or `FLAGS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAction {
    /// `+FLAGS`
    Add,
    /// `-FLAGS`
    Remove,
    /// `FLAGS`
    Replace,
}

/// `store = "STORE" SP sequence-set [SP store-modifiers] SP store-att-flags`,
/// `store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))`.
pub(crate) fn parse_store(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let set = p.seq_set()?;
    p.sp()?;
    let mut unchanged_since = None;
    if p.peek() == Some(b'(') {
        // store-modifiers; UNCHANGEDSINCE is the only one defined (RFC 7162 §3.1.3).
        p.list(1, |p| {
            let k = p.keyword()?;
            // "Only a single UNCHANGEDSINCE may be specified" (RFC 7162 §7).
            if k != "UNCHANGEDSINCE" || unchanged_since.is_some() {
                return Err(ErrorKind::Syntax(format!(
                    "unknown or repeated STORE modifier {k}"
                )));
            }
            p.sp()?;
            unchanged_since = Some(p.number64()?);
            Ok(())
        })?;
        p.sp()?;
    }
    let action = if p.eat(b'+') {
        StoreAction::Add
    } else if p.eat(b'-') {
        StoreAction::Remove
    } else {
        StoreAction::Replace
    };
    let silent = match p.keyword()?.as_str() {
        "FLAGS" => false,
        "FLAGS.SILENT" => true,
        other => return Err(ErrorKind::Syntax(format!("expected FLAGS, found {other}"))),
    };
    p.sp()?;
    // (flag-list / (flag *(SP flag)))
    let flags = if p.peek() == Some(b'(') {
        p.flag_list()?
    } else {
        let mut v = vec![p.flag()?];
        while p.eat_sp() {
            v.push(p.flag()?);
        }
        v
    };
    Ok(CommandBody::Store {
        uid,
        set,
        unchanged_since,
        action,
        silent,
        flags,
    })
}

/// ` sequence-set [SP store-modifiers]`: ` set [(UNCHANGEDSINCE n)]`.
pub(crate) fn encode_store_set<'w>(
    set: &SequenceSet,
    unchanged_since: Option<u64>,
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().seq_set(set);
    if let Some(n) = unchanged_since {
        w.raw(b" (UNCHANGEDSINCE ").num(n).raw(b")");
    }
    w
}

/// ` store-att-flags`: ` [+|-]FLAGS[.SILENT] (flag …)`.
pub(crate) fn encode_store_flags<'w>(
    action: StoreAction,
    silent: bool,
    flags: &[Flag],
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().raw(match action {
        StoreAction::Add => b"+FLAGS",
        StoreAction::Remove => b"-FLAGS",
        StoreAction::Replace => b"FLAGS",
    });
    if silent {
        w.raw(b".SILENT");
    }
    flag_list(flags, w.sp())
}

#[cfg(test)]
mod tests {
    use super::StoreAction;
    use crate::command::CommandBody;
    use crate::commands::testing::{check, parses, refuses, syntax};
    use crate::types::{Flag, SequenceSet};

    #[test]
    fn store_variants() {
        let store = |action, silent, unchanged_since, flags| CommandBody::Store {
            uid: false,
            set: SequenceSet::range(2, 4),
            unchanged_since,
            action,
            silent,
            flags,
        };
        check(
            store(StoreAction::Add, true, None, vec![Flag::Deleted]),
            b"a1 STORE 2:4 +FLAGS.SILENT (\\Deleted)\r\n",
        );
        check(
            store(StoreAction::Replace, false, Some(0), vec![]),
            b"a1 STORE 2:4 (UNCHANGEDSINCE 0) FLAGS ()\r\n",
        );
        check(
            store(
                StoreAction::Remove,
                false,
                None,
                vec![
                    Flag::Extension("Custom".into()),
                    Flag::Keyword("$Junk".into()),
                ],
            ),
            b"a1 STORE 2:4 -FLAGS (\\Custom $Junk)\r\n",
        );
    }

    #[test]
    fn store_hostile_keyword_is_not_raw() {
        let body = CommandBody::Store {
            uid: true,
            set: SequenceSet::single(1),
            unchanged_since: None,
            action: StoreAction::Add,
            silent: false,
            flags: vec![Flag::Seen, Flag::Keyword("x)\r\na2 LOGOUT".into())],
        };
        check(
            body,
            b"a1 UID STORE 1 +FLAGS (\\Seen {13}\r\nx)\r\na2 LOGOUT)\r\n",
        );
    }

    #[test]
    fn parse_table() {
        let store = |uid, unchanged_since, action, silent, flags| CommandBody::Store {
            uid,
            set: SequenceSet::range(2, 4),
            unchanged_since,
            action,
            silent,
            flags,
        };
        parses(&[
            (
                b"a STORE 2:4 +FLAGS (\\Deleted)\r\n",
                store(false, None, StoreAction::Add, false, vec![Flag::Deleted]),
            ),
            (
                b"a UID STORE 2:4 (UNCHANGEDSINCE 12) -flags.silent \\Seen $Junk\r\n",
                store(
                    true,
                    Some(12),
                    StoreAction::Remove,
                    true,
                    vec![Flag::Seen, Flag::Keyword("$Junk".into())],
                ),
            ),
            (
                b"a STORE 2:4 FLAGS ()\r\n",
                store(false, None, StoreAction::Replace, false, vec![]),
            ),
        ]);
        refuses(&[
            (
                b"a STORE 2:4 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) FLAGS ()\r\n",
                syntax("unknown or repeated STORE modifier UNCHANGEDSINCE"),
            ),
            (
                b"a STORE 2:4 +LABELS (x)\r\n",
                syntax("expected FLAGS, found LABELS"),
            ),
            // `\*` is only for PERMANENTFLAGS, never a flag to store.
            (
                b"a STORE 2:4 FLAGS (\\*)\r\n",
                syntax("expected an atom at offset 20, found '*'"),
            ),
        ]);
    }
}
