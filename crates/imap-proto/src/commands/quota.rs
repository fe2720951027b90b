//! The QUOTA commands (RFC 9208 §4): `GETQUOTA`, `GETQUOTAROOT` and `SETQUOTA`.
//!
//! A quota root is an `astring` naming the root, not a mailbox; resource names are atoms,
//! upper-cased (`STORAGE`, `MESSAGE`…, RFC 9208 §5).

use crate::command::CommandBody;
use crate::parser::{PResult, Parser};
use crate::types::{IString, Mailbox};
use crate::write::Writer;

/// `getquota = "GETQUOTA" SP quota-root-name`
pub(crate) fn parse_getquota(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    Ok(CommandBody::GetQuota(p.astring()?))
}

/// `getquotaroot = "GETQUOTAROOT" SP mailbox`
pub(crate) fn parse_getquotaroot(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    Ok(CommandBody::GetQuotaRoot(p.mailbox()?))
}

/// `setquota = "SETQUOTA" SP quota-root-name SP setquota-list`,
/// `setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"`,
/// `setquota-resource = resource-name SP resource-limit`.
pub(crate) fn parse_setquota(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let root = p.astring()?;
    p.sp()?;
    let limits = p.list(0, |p| {
        let resource = p.atom()?.to_ascii_uppercase();
        p.sp()?;
        Ok((resource, p.number64()?))
    })?;
    Ok(CommandBody::SetQuota { root, limits })
}

/// ` quota-root-name`
pub(crate) fn encode_getquota<'w>(root: &[u8], w: &'w mut Writer) -> &'w mut Writer {
    w.sp().astring(root)
}

/// ` mailbox`
pub(crate) fn encode_getquotaroot<'w>(mailbox: &Mailbox, w: &'w mut Writer) -> &'w mut Writer {
    w.sp().mailbox(mailbox)
}

/// ` quota-root-name (resource limit …)`
pub(crate) fn encode_setquota<'w>(
    root: &IString,
    limits: &[(String, u64)],
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().astring(root).raw(b" (");
    for (i, (name, limit)) in limits.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.atom_or_string(name.as_bytes()).sp().num(*limit);
    }
    w.raw(b")")
}

#[cfg(test)]
mod tests {
    use crate::command::CommandBody;
    use crate::commands::testing::{b, check, mb, parses, refuses, syntax};

    #[test]
    fn quota() {
        check(CommandBody::GetQuota(b("")), b"a1 GETQUOTA \"\"\r\n");
        check(
            CommandBody::SetQuota {
                root: b("!partition/sda4"),
                limits: vec![("STORAGE".into(), 512), ("MESSAGE".into(), 0)],
            },
            b"a1 SETQUOTA !partition/sda4 (STORAGE 512 MESSAGE 0)\r\n",
        );
        check(
            CommandBody::SetQuota {
                root: b("r"),
                limits: vec![],
            },
            b"a1 SETQUOTA r ()\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[
            (b"a GETQUOTA \"\"\r\n", CommandBody::GetQuota(b(""))),
            (
                b"a GETQUOTAROOT inbox\r\n",
                CommandBody::GetQuotaRoot(mb("INBOX")),
            ),
            (
                b"a SETQUOTA \"\" (storage 512)\r\n",
                CommandBody::SetQuota {
                    root: b(""),
                    limits: vec![("STORAGE".into(), 512)],
                },
            ),
            (
                b"a SETQUOTA r ()\r\n",
                CommandBody::SetQuota {
                    root: b("r"),
                    limits: vec![],
                },
            ),
        ]);
        refuses(&[
            (
                b"a SETQUOTA r (STORAGE)\r\n",
                syntax("expected SP at offset 21, found ')'"),
            ),
            (
                b"a SETQUOTA r (STORAGE -1)\r\n",
                syntax("expected a number at offset 22, found '-'"),
            ),
        ]);
    }
}
