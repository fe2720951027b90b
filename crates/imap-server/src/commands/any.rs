//! Commands valid in any state (CAPABILITY, NOOP, LOGOUT, ID) and the authenticated-state
//! housekeeping ones (ENABLE, NAMESPACE).

use crate::capabilities::{ENABLEABLE, capability_list};
use crate::context::{AuthCtx, Ctx};
use crate::reply::{Outcome, Reply};
use crate::state::Transition;
use imap_proto::response::{Namespace, NamespaceResponse, Response, StatusResponse};
use imap_proto::types::IString;

/// CAPABILITY (RFC 9051 §6.1.1), for a session that is (or is not yet) `authenticated` and
/// may still `starttls`.
pub(crate) fn capability(cx: &mut Ctx<'_>, authenticated: bool, starttls: bool) -> Outcome {
    let limit = cx.shared.config.limits.max_append_literal;
    let caps = capability_list(cx.conn, authenticated, limit, starttls);
    cx.send(&Response::Capability(caps));
    Ok(Reply::ok("CAPABILITY completed"))
}

/// NOOP / CHECK (RFC 9051 §6.1.2): nothing to do here; the sync that follows every command
/// reports what changed in the selected mailbox.
pub(crate) fn noop() -> Outcome {
    Ok(Reply::ok("NOOP completed"))
}

/// LOGOUT (RFC 9051 §6.1.3).
pub(crate) fn logout(cx: &mut Ctx<'_>) -> Outcome {
    cx.send(&Response::Status(StatusResponse::bye("Strata logging out")));
    Ok(Reply::ok("LOGOUT completed").then(Transition::Logout))
}

/// ID (RFC 2971): logs what the client says, answers with the server's name.
pub(crate) fn id(cx: &mut Ctx<'_>, params: Option<Vec<(IString, Option<IString>)>>) -> Outcome {
    if let Some(p) = &params {
        let said: Vec<String> = p
            .iter()
            .take(30)
            .map(|(k, v)| {
                let v = v.as_ref().map(|v| String::from_utf8_lossy(v).into_owned());
                format!("{}={}", String::from_utf8_lossy(k), v.unwrap_or_default())
            })
            .collect();
        // Debug-formatted (quoted, escaped): the values are the client's text, and CR/LF in
        // them must not forge log lines. RFC 2971 §3.3 bounds a value at 1024 octets.
        tracing::info!(session = cx.session, client = ?said.join(", "), "ID");
    }
    let name = cx.shared.config.server_name.clone();
    cx.send(&Response::Id(Some(vec![
        (
            IString::from(b"name".as_slice()),
            Some(IString::from(name.into_bytes())),
        ),
        (
            IString::from(b"version".as_slice()),
            Some(IString::from(env!("CARGO_PKG_VERSION"))),
        ),
    ])));
    Ok(Reply::ok("ID completed"))
}

/// ENABLE (RFC 5161): turns on what this server supports and says which.
pub(crate) fn enable(cx: &mut AuthCtx<'_>, caps: Vec<String>) -> Outcome {
    let mut done = Vec::new();
    for c in caps {
        if !ENABLEABLE.contains(&c.as_str()) || done.contains(&c) {
            continue;
        }
        match c.as_str() {
            "IMAP4REV2" => {
                cx.enabled.rev2 = true;
                if let Some(sel) = cx.selected.as_deref_mut() {
                    sel.view.forget_recent();
                }
            }
            "UTF8=ACCEPT" => cx.enabled.utf8 = true,
            "CONDSTORE" => cx.enabled.condstore = true,
            // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
            "QRESYNC" => {
                cx.enabled.condstore = true;
                cx.enabled.qresync = true;
                if let Some(sel) = cx.selected.as_deref_mut() {
                    sel.view.set_qresync(true);
                }
            }
            _ => continue,
        }
        done.push(c);
    }
    cx.refresh_write_options();
    cx.send(&Response::Enabled(done));
    Ok(Reply::ok("ENABLE completed"))
}

/// NAMESPACE (RFC 2342): one personal namespace, `""` with `/` as the delimiter.
pub(crate) fn namespace(cx: &mut Ctx<'_>) -> Outcome {
    cx.send(&Response::Namespace(NamespaceResponse {
        personal: vec![Namespace {
            prefix: String::new(),
            delimiter: Some(crate::mailbox_data::DELIM),
            extensions: vec![],
        }],
        other: vec![],
        shared: vec![],
    }));
    Ok(Reply::ok("NAMESPACE completed"))
}
