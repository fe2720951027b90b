//! Commands that name mailboxes: SELECT/EXAMINE (RFC 7162 parameters), CREATE (RFC 6154 USE),
//! DELETE, RENAME, (UN)SUBSCRIBE, LIST (RFC 5258, 5819, 6154), LSUB, STATUS, APPEND (RFC 3502,
//! 3516, 6855) and the QUOTA commands (RFC 9208).

use super::{PResult, Parser};
use crate::command::{
    AppendKind, AppendMessage, CommandBody, ListCommand, ListReturn, ListSelect, QResync,
    SelectParams,
};
use crate::error::ErrorKind;
use crate::types::StatusItem;

pub(super) fn parse(p: &mut Parser<'_>, name: &str) -> PResult<CommandBody> {
    p.sp()?;
    Ok(match name {
        "SELECT" | "EXAMINE" => {
            let mailbox = p.mailbox()?;
            let params = if p.eat(b' ') {
                select_params(p)?
            } else {
                SelectParams::default()
            };
            if name == "SELECT" {
                CommandBody::Select { mailbox, params }
            } else {
                CommandBody::Examine { mailbox, params }
            }
        }
        "CREATE" => {
            let mailbox = p.mailbox()?;
            let mut special_use = Vec::new();
            if p.eat(b' ') {
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
            CommandBody::Create {
                mailbox,
                special_use,
            }
        }
        "DELETE" => CommandBody::Delete(p.mailbox()?),
        "SUBSCRIBE" => CommandBody::Subscribe(p.mailbox()?),
        "UNSUBSCRIBE" => CommandBody::Unsubscribe(p.mailbox()?),
        "RENAME" => {
            let from = p.mailbox()?;
            p.sp()?;
            CommandBody::Rename {
                from,
                to: p.mailbox()?,
            }
        }
        "LIST" => CommandBody::List(list(p)?),
        "LSUB" => {
            let reference = p.mailbox()?;
            p.sp()?;
            CommandBody::Lsub {
                reference,
                pattern: p.list_mailbox()?,
            }
        }
        "STATUS" => {
            let mailbox = p.mailbox()?;
            p.sp()?;
            CommandBody::Status {
                mailbox,
                items: p.list(1, status_item)?,
            }
        }
        "APPEND" => append(p)?,
        "GETQUOTA" => CommandBody::GetQuota(p.astring()?),
        "GETQUOTAROOT" => CommandBody::GetQuotaRoot(p.mailbox()?),
        "SETQUOTA" => {
            let root = p.astring()?;
            p.sp()?;
            let limits = p.list(0, |p| {
                let resource = p.atom()?.to_ascii_uppercase();
                p.sp()?;
                Ok((resource, p.number64()?))
            })?;
            CommandBody::SetQuota { root, limits }
        }
        _ => return Err(ErrorKind::UnknownCommand(name.to_string())),
    })
}

/// `status-att`
pub(crate) fn status_item(p: &mut Parser<'_>) -> PResult<StatusItem> {
    let k = p.keyword()?;
    StatusItem::from_name(&k).ok_or_else(|| ErrorKind::Syntax(format!("unknown STATUS item {k}")))
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
                if p.eat(b' ') {
                    if p.peek() != Some(b'(') {
                        q.known_uids = Some(p.known_set()?);
                        if p.eat(b' ') {
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
fn seq_match(p: &mut Parser<'_>) -> PResult<(crate::SequenceSet, crate::SequenceSet)> {
    p.open()?;
    let seqs = p.known_set()?;
    p.sp()?;
    let uids = p.known_set()?;
    p.close()?;
    Ok((seqs, uids))
}

/// `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`
fn list(p: &mut Parser<'_>) -> PResult<ListCommand> {
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
    if p.eat(b' ') {
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
                    ListReturn::Status(p.list(1, status_item)?)
                }
                o => return Err(ErrorKind::Syntax(format!("unknown LIST return option {o}"))),
            })
        })?;
    }
    Ok(ListCommand {
        selection,
        reference,
        patterns,
        ret,
    })
}

/// `APPEND mailbox 1*(SP [flag-list SP] [date-time SP] append-data)` (RFC 3502 MULTIAPPEND),
/// `append-data = literal / literal8 / "UTF8" SP "(" literal8 ")"`.
fn append(p: &mut Parser<'_>) -> PResult<CommandBody> {
    let mailbox = p.mailbox()?;
    let mut messages = Vec::new();
    while p.eat(b' ') {
        let mut flags = Vec::new();
        let mut date = None;
        if p.peek() == Some(b'(') {
            flags = p.flag_list()?;
            p.sp()?;
        }
        if p.peek() == Some(b'"') {
            date = Some(p.date_time()?);
            p.sp()?;
        }
        let (data, kind) = if p.eat_word("UTF8") {
            p.sp()?;
            p.open()?;
            // utf8-literal = "UTF8" SP "(" literal8 ")" (RFC 6855 §4)
            if p.peek() != Some(b'~') {
                return Err(ErrorKind::Syntax(
                    "UTF8 APPEND data must be a literal8".into(),
                ));
            }
            let (data, _) = p.literal_any(true)?;
            p.close()?;
            (data, AppendKind::Utf8)
        } else if p.peek_literal() {
            let (data, binary) = p.literal_any(true)?;
            (
                data,
                if binary {
                    AppendKind::Binary
                } else {
                    AppendKind::Literal
                },
            )
        } else {
            return Err(ErrorKind::Syntax(
                "expected the message as a literal".into(),
            ));
        };
        messages.push(AppendMessage {
            flags,
            date,
            data,
            kind,
        });
    }
    if messages.is_empty() {
        return Err(ErrorKind::Syntax("APPEND without a message".into()));
    }
    Ok(CommandBody::Append { mailbox, messages })
}
