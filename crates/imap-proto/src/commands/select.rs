//! Opening and closing a mailbox: `SELECT` and `EXAMINE` (RFC 9051 §6.3.2, §6.3.3) with the
//! CONDSTORE and QRESYNC parameters (RFC 7162 §3.1.8, §3.2.5), `CLOSE` (§6.4.1) and `UNSELECT`
//! (RFC 3691, RFC 9051 §6.4.2).
//!
//! `CLOSE` and `UNSELECT` take no argument (the dispatch handles them).

use crate::command::CommandBody;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::types::{Mailbox, SequenceSet};
use crate::write::Writer;

/// SELECT/EXAMINE parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectParams {
    /// `CONDSTORE` (RFC 7162 §3.1.8).
    pub condstore: bool,
    /// `QRESYNC (…)` (RFC 7162 §3.2.5).
    pub qresync: Option<QResync>,
}

/// `QRESYNC (uidvalidity modseq [known-uids [(seq-match-data)]])`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QResync {
    /// The UIDVALIDITY the client last knew.
    pub uid_validity: u32,
    /// The last known HIGHESTMODSEQ.
    pub mod_seq: u64,
    /// UIDs the client knows about.
    pub known_uids: Option<SequenceSet>,
    /// `(known-sequence-set known-uid-set)`.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// `select = "SELECT" SP mailbox [select-params]`
pub(crate) fn parse_select(p: &mut Parser<'_>) -> PResult<CommandBody> {
    let (mailbox, params) = mailbox_and_params(p)?;
    Ok(CommandBody::Select { mailbox, params })
}

/// `examine = "EXAMINE" SP mailbox [select-params]`
pub(crate) fn parse_examine(p: &mut Parser<'_>) -> PResult<CommandBody> {
    let (mailbox, params) = mailbox_and_params(p)?;
    Ok(CommandBody::Examine { mailbox, params })
}

/// `SP mailbox [SP select-params]`, the arguments SELECT and EXAMINE share.
fn mailbox_and_params(p: &mut Parser<'_>) -> PResult<(Mailbox, SelectParams)> {
    p.sp()?;
    let mailbox = p.mailbox()?;
    let params = if p.eat_sp() {
        select_params(p)?
    } else {
        SelectParams::default()
    };
    Ok((mailbox, params))
}

/// `"(" select-param *(SP select-param) ")"`: CONDSTORE and QRESYNC (RFC 7162 §7).
fn select_params(p: &mut Parser<'_>) -> PResult<SelectParams> {
    let mut params = SelectParams::default();
    p.list(1, |p| {
        match p.keyword()?.as_str() {
            "CONDSTORE" if !params.condstore => params.condstore = true,
            "QRESYNC" if params.qresync.is_none() => {
                p.sp()?;
                p.open()?;
                let uid_validity = p.nz_number()?;
                p.sp()?;
                let mod_seq = p.nz_number64()?;
                let mut q = QResync {
                    uid_validity,
                    mod_seq,
                    known_uids: None,
                    seq_match: None,
                };
                if p.eat_sp() {
                    if p.peek() != Some(b'(') {
                        q.known_uids = Some(p.known_set()?);
                        if p.eat_sp() {
                            q.seq_match = Some(seq_match(p)?);
                        }
                    } else {
                        q.seq_match = Some(seq_match(p)?);
                    }
                }
                p.close()?;
                params.qresync = Some(q);
            }
            other => {
                return Err(ErrorKind::Syntax(format!(
                    "unknown SELECT parameter {other}"
                )));
            }
        }
        Ok(())
    })?;
    Ok(params)
}

/// `seq-match-data = "(" known-sequence-set SP known-uid-set ")"`
fn seq_match(p: &mut Parser<'_>) -> PResult<(SequenceSet, SequenceSet)> {
    p.open()?;
    let seqs = p.known_set()?;
    p.sp()?;
    let uids = p.known_set()?;
    p.close()?;
    Ok((seqs, uids))
}

/// ` mailbox [(CONDSTORE QRESYNC (…))]`: the arguments of SELECT and EXAMINE.
pub(crate) fn encode_select<'w>(
    mailbox: &Mailbox,
    params: &SelectParams,
    w: &'w mut Writer,
) -> &'w mut Writer {
    write_select_params(params, w.sp().mailbox(mailbox))
}

/// ` (CONDSTORE QRESYNC (…))` when any parameter is set (RFC 7162 §3.1.8, §3.2.5).
fn write_select_params<'w>(params: &SelectParams, w: &'w mut Writer) -> &'w mut Writer {
    if !params.condstore && params.qresync.is_none() {
        return w;
    }
    w.raw(b" (");
    if params.condstore {
        w.raw(b"CONDSTORE");
        if params.qresync.is_some() {
            w.sp();
        }
    }
    if let Some(q) = &params.qresync {
        w.raw(b"QRESYNC (")
            .num(q.uid_validity as u64)
            .sp()
            .num(q.mod_seq);
        if let Some(known) = &q.known_uids {
            w.sp().seq_set(known);
        }
        if let Some((seqs, uids)) = &q.seq_match {
            w.raw(b" (").seq_set(seqs).sp().seq_set(uids).raw(b")");
        }
        w.raw(b")");
    }
    w.raw(b")")
}

#[cfg(test)]
mod tests {
    use super::{QResync, SelectParams};
    use crate::command::CommandBody;
    use crate::commands::testing::{check, mb, parses, refuses, syntax};
    use crate::types::{Mailbox, SeqRange, SequenceSet};

    #[test]
    fn select_plain_condstore_and_qresync() {
        check(
            CommandBody::Select {
                mailbox: Mailbox::inbox(),
                params: SelectParams::default(),
            },
            b"a1 SELECT INBOX\r\n",
        );
        check(
            CommandBody::Examine {
                mailbox: mb("Sent Items"),
                params: SelectParams {
                    condstore: true,
                    qresync: None,
                },
            },
            b"a1 EXAMINE \"Sent Items\" (CONDSTORE)\r\n",
        );
        let q = QResync {
            uid_validity: 67890007,
            mod_seq: 90060115194045000,
            known_uids: Some(SequenceSet::Ranges(vec![SeqRange::new(41, 211)])),
            seq_match: Some((
                SequenceSet::Ranges(vec![SeqRange::new(1, 2)]),
                SequenceSet::Ranges(vec![SeqRange::new(41, 43)]),
            )),
        };
        check(
            CommandBody::Select {
                mailbox: Mailbox::inbox(),
                params: SelectParams {
                    condstore: true,
                    qresync: Some(q),
                },
            },
            b"a1 SELECT INBOX (CONDSTORE QRESYNC \
              (67890007 90060115194045000 41:211 (1:2 41:43)))\r\n",
        );
        let q = QResync {
            uid_validity: 1,
            mod_seq: 2,
            known_uids: None,
            seq_match: None,
        };
        check(
            CommandBody::Select {
                mailbox: mb("a"),
                params: SelectParams {
                    condstore: false,
                    qresync: Some(q),
                },
            },
            b"a1 SELECT a (QRESYNC (1 2))\r\n",
        );
    }

    #[test]
    fn parse_table() {
        let qresync = |known_uids, seq_match| SelectParams {
            condstore: false,
            qresync: Some(QResync {
                uid_validity: 67890007,
                mod_seq: 20050715194045000,
                known_uids,
                seq_match,
            }),
        };
        parses(&[
            (
                b"a select inbox\r\n",
                CommandBody::Select {
                    mailbox: Mailbox::inbox(),
                    params: SelectParams::default(),
                },
            ),
            (
                b"a EXAMINE x (CONDSTORE)\r\n",
                CommandBody::Examine {
                    mailbox: mb("x"),
                    params: SelectParams {
                        condstore: true,
                        qresync: None,
                    },
                },
            ),
            (
                b"a SELECT x (QRESYNC (67890007 20050715194045000 41:211))\r\n",
                CommandBody::Select {
                    mailbox: mb("x"),
                    params: qresync(
                        Some(SequenceSet::Ranges(vec![SeqRange::new(41, 211)])),
                        None,
                    ),
                },
            ),
            (
                b"a SELECT x (QRESYNC (67890007 20050715194045000 (1:2 41:43)))\r\n",
                CommandBody::Select {
                    mailbox: mb("x"),
                    params: qresync(
                        None,
                        Some((
                            SequenceSet::Ranges(vec![SeqRange::new(1, 2)]),
                            SequenceSet::Ranges(vec![SeqRange::new(41, 43)]),
                        )),
                    ),
                },
            ),
            (b"a CLOSE\r\n", CommandBody::Close),
            (b"a UNSELECT\r\n", CommandBody::Unselect),
        ]);
        refuses(&[
            (
                b"a SELECT x (CONDSTORE CONDSTORE)\r\n",
                syntax("unknown SELECT parameter CONDSTORE"),
            ),
            // known-uids are known: no `*`.
            (
                b"a SELECT x (QRESYNC (1 2 1:*))\r\n",
                syntax("'*' and '$' are not allowed in a known set"),
            ),
            (
                b"a SELECT x (QRESYNC (0 2))\r\n",
                syntax("zero where a non-zero number is required"),
            ),
        ]);
    }
}
