//! Commands valid in any state (CAPABILITY, NOOP, LOGOUT, ID) and the authenticated-state
//! housekeeping ones (ENABLE, NAMESPACE).

use crate::config::ConnectionInfo;
use crate::session::{Reply, Session};
use crate::state::{State, Transition};
use imap_proto::response::{Namespace, NamespaceResponse, Response, StatusResponse};
use imap_proto::types::IString;
use tokio::io::{AsyncRead, AsyncWrite};

/// Capabilities that can be turned on with ENABLE (RFC 5161) on this server, upper case.
/// IMAP4REV2 switches the session from IMAP4rev1 to RFC 9051 behaviour (RFC 9051 §9).
const ENABLEABLE: [&str; 4] = ["IMAP4REV2", "UTF8=ACCEPT", "CONDSTORE", "QRESYNC"];

/// The capability list for the session's current state: only what is implemented.
pub(crate) fn capabilities<S>(s: &Session<S>) -> Vec<String> {
    let authenticated = !matches!(s.state, State::NotAuthenticated);
    let limit = s.shared.config.limits.max_append_literal;
    let mut caps = capability_list(&s.conn, authenticated, limit);
    if s.upgrade.is_some() && matches!(s.state, State::NotAuthenticated) {
        caps.push("STARTTLS".into());
    }
    caps
}

/// The capability list before or after authentication, for this connection.
pub(crate) fn capability_list(
    conn: &ConnectionInfo,
    authenticated: bool,
    append_limit: u64,
) -> Vec<String> {
    let mut caps: Vec<&str> = vec![
        "IMAP4rev1",
        "IMAP4rev2",
        "LITERAL+",
        "SASL-IR",
        "ID",
        "ENABLE",
    ];
    if !authenticated {
        if conn.auth_allowed {
            caps.extend(["AUTH=PLAIN", "AUTH=LOGIN", "AUTH=SCRAM-SHA-256"]);
        } else {
            caps.push("LOGINDISABLED");
        }
    } else {
        caps.extend([
            "IDLE",
            "CONDSTORE",
            "QRESYNC",
            "ESEARCH",
            "SEARCHRES",
            "SEARCH=FUZZY",
            "SORT",
            "SORT=DISPLAY",
            "ESORT",
            "THREAD=ORDEREDSUBJECT",
            "THREAD=REFERENCES",
            "UIDPLUS",
            "MOVE",
            "NAMESPACE",
            "UNSELECT",
            "CHILDREN",
            "LIST-EXTENDED",
            "LIST-STATUS",
            "SPECIAL-USE",
            "CREATE-SPECIAL-USE",
            "STATUS=SIZE",
            "UTF8=ACCEPT",
            "MULTIAPPEND",
            "BINARY",
            "OBJECTID",
            "SAVEDATE",
            "PREVIEW",
            "WITHIN",
            "QUOTA",
            "QUOTA=RES-STORAGE",
            "QUOTA=RES-MESSAGE",
            "COMPRESS=DEFLATE",
        ]);
    }
    let mut caps: Vec<String> = caps.into_iter().map(str::to_string).collect();
    if authenticated {
        caps.push(format!("APPENDLIMIT={append_limit}"));
    }
    caps
}

/// CAPABILITY (RFC 9051 §6.1.1).
pub(crate) fn capability<S>(s: &mut Session<S>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let caps = capabilities(s);
    s.send(&Response::Capability(caps));
    Reply::ok("CAPABILITY completed")
}

/// NOOP / CHECK (RFC 9051 §6.1.2): nothing to do here; the sync that follows every command
/// reports what changed in the selected mailbox.
pub(crate) fn noop() -> Reply {
    Reply::ok("NOOP completed")
}

/// LOGOUT (RFC 9051 §6.1.3).
pub(crate) fn logout<S>(s: &mut Session<S>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    s.send(&Response::Status(StatusResponse::bye("Strata logging out")));
    Reply::ok("LOGOUT completed").then(Transition::Logout)
}

/// ID (RFC 2971): logs what the client says, answers with the server's name.
pub(crate) fn id<S>(s: &mut Session<S>, params: Option<Vec<(IString, Option<IString>)>>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if let Some(p) = &params {
        let said: Vec<String> = p
            .iter()
            .take(30)
            .map(|(k, v)| {
                let v = v.as_ref().map(|v| String::from_utf8_lossy(v).into_owned());
                format!("{}={}", String::from_utf8_lossy(k), v.unwrap_or_default())
            })
            .collect();
        tracing::info!(session = s.id, client = %said.join(", "), "ID");
    }
    let name = s.shared.config.server_name.clone();
    s.send(&Response::Id(Some(vec![
        (
            IString::from(b"name".as_slice()),
            Some(IString::from(name.into_bytes())),
        ),
        (
            IString::from(b"version".as_slice()),
            Some(IString::from(env!("CARGO_PKG_VERSION"))),
        ),
    ])));
    Reply::ok("ID completed")
}

/// ENABLE (RFC 5161): turns on what this server supports and says which.
pub(crate) fn enable<S>(s: &mut Session<S>, caps: Vec<String>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let mut done = Vec::new();
    for c in caps {
        if !ENABLEABLE.contains(&c.as_str()) || done.contains(&c) {
            continue;
        }
        match c.as_str() {
            "IMAP4REV2" => {
                s.enabled.rev2 = true;
                if let Some(sel) = s.state.selected_mut() {
                    sel.view.forget_recent();
                }
            }
            "UTF8=ACCEPT" => s.enabled.utf8 = true,
            "CONDSTORE" => s.enabled.condstore = true,
            // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
            "QRESYNC" => {
                s.enabled.condstore = true;
                s.enabled.qresync = true;
                if let Some(sel) = s.state.selected_mut() {
                    sel.view.set_qresync(true);
                }
            }
            _ => continue,
        }
        done.push(c);
    }
    s.refresh_write_options();
    s.send(&Response::Enabled(done));
    Reply::ok("ENABLE completed")
}

/// COMPRESS DEFLATE (RFC 4978): the tagged OK goes out uncompressed, and everything after it
/// in both directions is raw deflate. Bytes the client sent after the command (it must not,
/// RFC 4978 §3) are taken as compressed.
pub(crate) async fn compress<S>(
    s: &mut Session<S>,
    tag: &imap_proto::Tag,
    mechanism: &str,
) -> std::io::Result<Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if s.deflate.is_some() {
        return Ok(Reply::no("DEFLATE is already active")
            .code(imap_proto::response::Code::CompressionActive));
    }
    if mechanism != "DEFLATE" {
        return Ok(Reply::bad(format!(
            "unknown compression mechanism {mechanism}"
        )));
    }
    let ok = StatusResponse::tagged(
        tag.clone(),
        imap_proto::response::State::Ok,
        "DEFLATE active",
    );
    s.send(&Response::Status(ok));
    s.flush().await?;
    let pending = s.rbuf.split();
    s.deflate = Some(Box::new(crate::session::deflate::Deflate::new(pending)));
    Ok(Reply::ok("").silent())
}

/// NAMESPACE (RFC 2342): one personal namespace, `""` with `/` as the delimiter.
pub(crate) fn namespace<S>(s: &mut Session<S>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    s.send(&Response::Namespace(NamespaceResponse {
        personal: vec![Namespace {
            prefix: String::new(),
            delimiter: Some('/'),
            extensions: vec![],
        }],
        other: vec![],
        shared: vec![],
    }));
    Reply::ok("NAMESPACE completed")
}
