//! `LOGIN`, `AUTHENTICATE` (RFC 4959 SASL-IR), `ENABLE` (RFC 5161), `ID` (RFC 2971),
//! `COMPRESS` (RFC 4978).

use super::{PResult, Parser};
use crate::command::{CommandBody, InitialResponse};
use crate::error::ErrorKind;
use base64::Engine;

pub(super) fn parse(p: &mut Parser<'_>, name: &str) -> PResult<CommandBody> {
    p.sp()?;
    Ok(match name {
        "LOGIN" => {
            let username = p.astring()?;
            p.sp()?;
            let password = p.astring()?;
            CommandBody::Login { username, password }
        }
        "AUTHENTICATE" => {
            let mechanism = p.atom()?.to_ascii_uppercase();
            let initial_response = if p.eat(b' ') {
                Some(initial_response(p)?)
            } else {
                None
            };
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            }
        }
        "ENABLE" => {
            let mut caps = vec![p.atom()?.to_ascii_uppercase()];
            while p.eat(b' ') {
                caps.push(p.atom()?.to_ascii_uppercase());
            }
            CommandBody::Enable(caps)
        }
        "ID" => {
            // id-params-list = "(" *(string SP nstring) ")" / nil
            if p.eat_word("NIL") {
                CommandBody::Id(None)
            } else {
                CommandBody::Id(Some(p.list(0, |p| {
                    let k = p.string()?;
                    p.sp()?;
                    Ok((k, p.nstring()?))
                })?))
            }
        }
        "COMPRESS" => CommandBody::Compress(p.atom()?.to_ascii_uppercase()),
        _ => return Err(ErrorKind::UnknownCommand(name.to_string())),
    })
}

/// `initial-resp = base64 / "="` (RFC 4959 §7).
fn initial_response(p: &mut Parser<'_>) -> PResult<InitialResponse> {
    if p.eat(b'=') {
        return Ok(InitialResponse::Empty);
    }
    let text = p.atom()?;
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map(InitialResponse::Data)
        .map_err(|_| ErrorKind::Syntax("initial response is not base64".into()))
}
