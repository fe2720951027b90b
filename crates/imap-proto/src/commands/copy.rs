//! `[UID] COPY` (RFC 9051 §6.4.7) and `[UID] MOVE` (RFC 6851, RFC 9051 §6.4.8): a sequence set
//! and a destination mailbox.

use crate::command::CommandBody;
use crate::parser::{PResult, Parser};
use crate::types::{Mailbox, SequenceSet};
use crate::write::Writer;

/// `copy = "COPY" SP sequence-set SP mailbox`
pub(crate) fn parse_copy(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    let (set, mailbox) = set_and_mailbox(p)?;
    Ok(CommandBody::Copy { uid, set, mailbox })
}

/// `move = "MOVE" SP sequence-set SP mailbox`
pub(crate) fn parse_move(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    let (set, mailbox) = set_and_mailbox(p)?;
    Ok(CommandBody::Move { uid, set, mailbox })
}

fn set_and_mailbox(p: &mut Parser<'_>) -> PResult<(SequenceSet, Mailbox)> {
    p.sp()?;
    let set = p.seq_set()?;
    p.sp()?;
    Ok((set, p.mailbox()?))
}

/// ` set mailbox`: the arguments of COPY and MOVE.
pub(crate) fn encode_copy<'w>(
    set: &SequenceSet,
    mailbox: &Mailbox,
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().seq_set(set).sp().mailbox(mailbox)
}

#[cfg(test)]
mod tests {
    use crate::command::CommandBody;
    use crate::commands::testing::{check, mb, parses, refuses, syntax};
    use crate::types::SequenceSet;

    #[test]
    fn copy_and_move() {
        check(
            CommandBody::Copy {
                uid: false,
                set: SequenceSet::range(2, 4),
                mailbox: mb("MEETING"),
            },
            b"a1 COPY 2:4 MEETING\r\n",
        );
        check(
            CommandBody::Move {
                uid: true,
                set: SequenceSet::Saved,
                mailbox: mb("[Gmail]/Trash"),
            },
            b"a1 UID MOVE $ [Gmail]/Trash\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[
            (
                b"a COPY 2:4 MEETING\r\n",
                CommandBody::Copy {
                    uid: false,
                    set: SequenceSet::range(2, 4),
                    mailbox: mb("MEETING"),
                },
            ),
            (
                b"a uid move $ \"[Gmail]/Trash\"\r\n",
                CommandBody::Move {
                    uid: true,
                    set: SequenceSet::Saved,
                    mailbox: mb("[Gmail]/Trash"),
                },
            ),
        ]);
        refuses(&[
            (b"a COPY 2:4\r\n", syntax("expected SP at end of command")),
            (
                b"a MOVE x y\r\n",
                syntax("expected a number at offset 7, found 'x'"),
            ),
        ]);
    }
}
