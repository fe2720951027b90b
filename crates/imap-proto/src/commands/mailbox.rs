//! Commands that manage mailboxes (RFC 9051 §6.3): `CREATE` with the RFC 6154 `USE` parameter,
//! `DELETE`, `RENAME`, `SUBSCRIBE`, `UNSUBSCRIBE` and `STATUS` (§6.3.11, with the items of
//! RFC 7162, RFC 7889, RFC 8438, RFC 8474 and RFC 9208).
//!
//! The status items (`status-att`) are STATUS's grammar; `LIST … RETURN (STATUS (…))` (RFC 5819)
//! reuses `parse_status_item` and `encode_status_items`. The item type itself,
//! [`StatusItem`], is a [`crate::types`] wire type because the STATUS response carries it too.

use crate::command::CommandBody;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::types::{Mailbox, StatusItem, is_atom_char};
use crate::write::Writer;

/// `create = "CREATE" SP mailbox [create-params]`; the only parameter defined is
/// `USE (special-use …)` (RFC 6154 §3), whose attributes are kept without their backslash.
pub(crate) fn parse_create(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mailbox = p.mailbox()?;
    let mut special_use = Vec::new();
    if p.eat_sp() {
        // create-params: only USE is defined (RFC 6154 §3).
        let params = p.list(1, |p| {
            let key = p.keyword()?;
            if key != "USE" {
                return Err(ErrorKind::Syntax(format!("unknown CREATE parameter {key}")));
            }
            p.sp()?;
            p.list(0, |p| {
                p.byte(b'\\', "'\\' (a special-use attribute)")?;
                p.atom()
            })
        })?;
        special_use = params.into_iter().flatten().collect();
    }
    Ok(CommandBody::Create {
        mailbox,
        special_use,
    })
}

/// `delete = "DELETE" SP mailbox`
pub(crate) fn parse_delete(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    Ok(CommandBody::Delete(p.mailbox()?))
}

/// `rename = "RENAME" SP mailbox SP mailbox`
pub(crate) fn parse_rename(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let from = p.mailbox()?;
    p.sp()?;
    Ok(CommandBody::Rename {
        from,
        to: p.mailbox()?,
    })
}

/// `subscribe = "SUBSCRIBE" SP mailbox`
pub(crate) fn parse_subscribe(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    Ok(CommandBody::Subscribe(p.mailbox()?))
}

/// `unsubscribe = "UNSUBSCRIBE" SP mailbox`
pub(crate) fn parse_unsubscribe(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    Ok(CommandBody::Unsubscribe(p.mailbox()?))
}

/// `status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"`
pub(crate) fn parse_status(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mailbox = p.mailbox()?;
    p.sp()?;
    Ok(CommandBody::Status {
        mailbox,
        items: p.list(1, parse_status_item)?,
    })
}

/// `status-att`
pub(crate) fn parse_status_item(p: &mut Parser<'_>) -> PResult<StatusItem> {
    let k = p.keyword()?;
    StatusItem::from_name(&k).ok_or_else(|| ErrorKind::Syntax(format!("unknown STATUS item {k}")))
}

/// ` mailbox [(USE (\attr …))]`
pub(crate) fn encode_create<'w>(
    mailbox: &Mailbox,
    special_use: &[String],
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().mailbox(mailbox);
    if special_use.is_empty() {
        return w;
    }
    w.raw(b" (USE (");
    for (i, a) in special_use.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        backslash_atom(a, w);
    }
    w.raw(b"))")
}

/// `"\" atom` (special-use attributes): the backslash goes only before a real atom; anything else
/// is written as a string, which cannot escape the list.
fn backslash_atom(s: &str, w: &mut Writer) {
    if !s.is_empty() && s.bytes().all(is_atom_char) {
        w.raw(b"\\").raw(s.as_bytes());
    } else {
        w.string(format!("\\{s}").as_bytes());
    }
}

/// ` mailbox`: the one argument of DELETE, SUBSCRIBE and UNSUBSCRIBE.
pub(crate) fn encode_mailbox<'w>(mailbox: &Mailbox, w: &'w mut Writer) -> &'w mut Writer {
    w.sp().mailbox(mailbox)
}

/// ` old new`
pub(crate) fn encode_rename<'w>(from: &Mailbox, to: &Mailbox, w: &'w mut Writer) -> &'w mut Writer {
    w.sp().mailbox(from).sp().mailbox(to)
}

/// ` mailbox (item …)`
pub(crate) fn encode_status<'w>(
    mailbox: &Mailbox,
    items: &[StatusItem],
    w: &'w mut Writer,
) -> &'w mut Writer {
    encode_status_items(items, w.sp().mailbox(mailbox).sp())
}

/// `(item …)`
pub(crate) fn encode_status_items<'w>(items: &[StatusItem], w: &'w mut Writer) -> &'w mut Writer {
    w.raw(b"(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.raw(item.name().as_bytes());
    }
    w.raw(b")")
}

#[cfg(test)]
mod tests {
    use crate::command::CommandBody;
    use crate::commands::testing::{UTF8_PLUS, check, enc_with, mb, parses, refuses, syntax};
    use crate::types::{Mailbox, StatusItem};

    #[test]
    fn mailbox_names_utf8_and_hostile() {
        check(
            CommandBody::Delete(mb("Grüße")),
            "a1 DELETE {7}\r\nGrüße\r\n".as_bytes(),
        );
        assert_eq!(
            enc_with(CommandBody::Delete(mb("Grüße")), UTF8_PLUS),
            "a1 DELETE \"Grüße\"\r\n".as_bytes()
        );
        check(
            CommandBody::Subscribe(mb("a\nb")),
            b"a1 SUBSCRIBE {3}\r\na\nb\r\n",
        );
        check(
            CommandBody::Unsubscribe(mb("%*")),
            b"a1 UNSUBSCRIBE \"%*\"\r\n",
        );
        check(
            CommandBody::GetQuotaRoot(mb("inbox")),
            b"a1 GETQUOTAROOT INBOX\r\n",
        );
    }

    #[test]
    fn create_with_special_use_and_rename() {
        check(
            CommandBody::Create {
                mailbox: mb("Junk"),
                special_use: vec![],
            },
            b"a1 CREATE Junk\r\n",
        );
        check(
            CommandBody::Create {
                mailbox: mb("Spam"),
                special_use: vec!["Junk".into(), "Archive".into()],
            },
            b"a1 CREATE Spam (USE (\\Junk \\Archive))\r\n",
        );
        check(
            CommandBody::Rename {
                from: mb("old"),
                to: mb("new one"),
            },
            b"a1 RENAME old \"new one\"\r\n",
        );
    }

    #[test]
    fn status() {
        check(
            CommandBody::Status {
                mailbox: mb("blurdybloop"),
                items: vec![
                    StatusItem::UidNext,
                    StatusItem::HighestModSeq,
                    StatusItem::Size,
                ],
            },
            b"a1 STATUS blurdybloop (UIDNEXT HIGHESTMODSEQ SIZE)\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[
            (
                b"a CREATE Spam (USE (\\Junk))\r\n",
                CommandBody::Create {
                    mailbox: mb("Spam"),
                    special_use: vec!["Junk".into()],
                },
            ),
            (b"a DELETE inbox\r\n", CommandBody::Delete(Mailbox::inbox())),
            (
                b"a RENAME {3}\r\nold \"new one\"\r\n",
                CommandBody::Rename {
                    from: mb("old"),
                    to: mb("new one"),
                },
            ),
            (b"a SUBSCRIBE a/b\r\n", CommandBody::Subscribe(mb("a/b"))),
            (b"a UNSUBSCRIBE \"\"\r\n", CommandBody::Unsubscribe(mb(""))),
            (
                b"a STATUS x (messages mailboxid)\r\n",
                CommandBody::Status {
                    mailbox: mb("x"),
                    items: vec![StatusItem::Messages, StatusItem::MailboxId],
                },
            ),
        ]);
        refuses(&[
            (
                b"a CREATE x (FOO (\\Junk))\r\n",
                syntax("unknown CREATE parameter FOO"),
            ),
            (b"a STATUS x ()\r\n", syntax("empty list")),
            (b"a STATUS x (FROB)\r\n", syntax("unknown STATUS item FROB")),
            (
                b"a DELETE a%\r\n",
                syntax("expected end of command at offset 10, found '%'"),
            ),
        ]);
    }
}
