//! Commands valid in any state: `CAPABILITY`, `NOOP`, `LOGOUT` (RFC 9051 §6.1), `CHECK`
//! (RFC 3501 §6.4.1, gone from IMAP4rev2), `ID` (RFC 2971), `ENABLE` (RFC 5161, RFC 9051
//! §6.3.1) and `NAMESPACE` (RFC 2342, RFC 9051 §6.3.10).
//!
//! Only `ID` and `ENABLE` take arguments. The others are a bare name, which the dispatch in
//! [`crate::parser`] and [`crate::encode`] handles alone; a byte after the name is an error.

use crate::command::CommandBody;
use crate::parser::{PResult, Parser};
use crate::types::IString;
use crate::write::Writer;

/// `id = "ID" SP id-params-list`, `id-params-list = "(" *(string SP nstring) ")" / nil`
/// (RFC 2971 §4).
pub(crate) fn parse_id(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    if p.eat_word("NIL") {
        return Ok(CommandBody::Id(None));
    }
    Ok(CommandBody::Id(Some(p.list(0, |p| {
        let k = p.string()?;
        p.sp()?;
        Ok((k, p.nstring()?))
    })?)))
}

/// `enable = "ENABLE" 1*(SP capability)`, names upper-cased (RFC 5161, RFC 9051 §9).
pub(crate) fn parse_enable(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mut caps = vec![p.atom()?.to_ascii_uppercase()];
    while p.eat_sp() {
        caps.push(p.atom()?.to_ascii_uppercase());
    }
    Ok(CommandBody::Enable(caps))
}

/// ` id_params_list` (RFC 2971): `NIL` or `(field value …)`, fields as `string`, values `nstring`.
pub(crate) fn encode_id<'w>(
    params: Option<&[(IString, Option<IString>)]>,
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp();
    let Some(params) = params else {
        return w.raw(b"NIL");
    };
    w.raw(b"(");
    for (i, (field, value)) in params.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.string(field).sp().nstring(value.as_deref());
    }
    w.raw(b")")
}

/// ` capability…`: each name as an atom when it is one, else as a string the server refuses.
pub(crate) fn encode_enable<'w>(names: &[String], w: &'w mut Writer) -> &'w mut Writer {
    for n in names {
        w.sp().atom_or_string(n.as_bytes());
    }
    w
}

#[cfg(test)]
mod tests {
    use crate::command::CommandBody;
    use crate::commands::testing::{b, check, parses, refuses, syntax};
    use crate::error::ErrorKind;

    #[test]
    fn id_nil_and_pairs() {
        check(CommandBody::Id(None), b"a1 ID NIL\r\n");
        check(CommandBody::Id(Some(vec![])), b"a1 ID ()\r\n");
        // Field names are `string`, never atoms; a value `NIL` is quoted, `None` is NIL.
        check(
            CommandBody::Id(Some(vec![(b("name"), Some(b("NIL"))), (b("os"), None)])),
            b"a1 ID (\"name\" \"NIL\" \"os\" NIL)\r\n",
        );
    }

    #[test]
    fn enable() {
        check(
            CommandBody::Enable(vec!["CONDSTORE".into(), "UTF8=ACCEPT".into()]),
            b"a1 ENABLE CONDSTORE UTF8=ACCEPT\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[
            (b"a CAPABILITY\r\n", CommandBody::Capability),
            (b"a noop\r\n", CommandBody::Noop),
            (b"a CHECK\r\n", CommandBody::Check),
            (b"a NAMESPACE\r\n", CommandBody::Namespace),
            (b"a ID nil\r\n", CommandBody::Id(None)),
            (
                b"a ID (\"name\" {4}\r\nmutt \"os\" NIL)\r\n",
                CommandBody::Id(Some(vec![(b("name"), Some(b("mutt"))), (b("os"), None)])),
            ),
            (
                b"a ENABLE condstore qresync\r\n",
                CommandBody::Enable(vec!["CONDSTORE".into(), "QRESYNC".into()]),
            ),
        ]);
        refuses(&[
            (
                b"a LOGOUT now\r\n",
                syntax("expected end of command at offset 8, found ' '"),
            ),
            (b"a ENABLE\r\n", syntax("expected SP at end of command")),
            // An ID field is a `string`, never an atom.
            (
                b"a ID (name \"x\")\r\n",
                syntax("expected a string at offset 6, found 'n'"),
            ),
            (b"a ID (\"name\" \"x\"\r\n", ErrorKind::Unbalanced),
        ]);
    }
}
