//! `[UID] STORE` (RFC 7162 UNCHANGEDSINCE), `[UID] COPY`, `[UID] MOVE` (RFC 6851).

use super::{PResult, Parser};
use crate::command::{CommandBody, StoreAction};
use crate::error::ErrorKind;

pub(super) fn parse(p: &mut Parser<'_>, name: &str, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let set = p.seq_set()?;
    p.sp()?;
    Ok(match name {
        "COPY" => CommandBody::Copy {
            uid,
            set,
            mailbox: p.mailbox()?,
        },
        "MOVE" => CommandBody::Move {
            uid,
            set,
            mailbox: p.mailbox()?,
        },
        "STORE" => {
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
                while p.eat(b' ') {
                    v.push(p.flag()?);
                }
                v
            };
            CommandBody::Store {
                uid,
                set,
                unchanged_since,
                action,
                silent,
                flags,
            }
        }
        _ => return Err(ErrorKind::UnknownCommand(name.to_string())),
    })
}
