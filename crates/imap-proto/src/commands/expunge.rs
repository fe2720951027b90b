//! `EXPUNGE` (RFC 9051 §6.4.3) and `UID EXPUNGE` (RFC 4315 §2.1, RFC 9051 §6.4.9).
//!
//! Plain `EXPUNGE` takes no argument (the dispatch handles it); `UID EXPUNGE` takes the UID set.

use crate::command::CommandBody;
use crate::parser::{PResult, Parser};
use crate::types::SequenceSet;
use crate::write::Writer;

/// `uid-expunge = "UID" SP "EXPUNGE" SP sequence-set`, after `UID EXPUNGE`.
pub(crate) fn parse_uid_expunge(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    Ok(CommandBody::Expunge {
        uids: Some(p.seq_set()?),
    })
}

/// ` uid-set`
pub(crate) fn encode_uid_expunge<'w>(uids: &SequenceSet, w: &'w mut Writer) -> &'w mut Writer {
    w.sp().seq_set(uids)
}

#[cfg(test)]
mod tests {
    use crate::command::CommandBody;
    use crate::commands::testing::{check, parses, refuses, syntax};
    use crate::types::{SeqNum, SeqRange, SequenceSet};

    #[test]
    fn uid_expunge() {
        let set = SequenceSet::Ranges(vec![
            SeqRange::new(3000, 3002),
            SeqRange {
                start: SeqNum::Value(3004),
                end: SeqNum::Star,
            },
        ]);
        check(
            CommandBody::Expunge {
                uids: Some(set.clone()),
            },
            b"a1 UID EXPUNGE 3000:3002,3004:*\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[
            (b"a EXPUNGE\r\n", CommandBody::Expunge { uids: None }),
            (
                b"a UID EXPUNGE 3000:3002\r\n",
                CommandBody::Expunge {
                    uids: Some(SequenceSet::range(3000, 3002)),
                },
            ),
        ]);
        refuses(&[
            (
                b"a UID EXPUNGE\r\n",
                syntax("expected SP at end of command"),
            ),
            (
                b"a EXPUNGE 1\r\n",
                syntax("expected end of command at offset 9, found ' '"),
            ),
        ]);
    }
}
