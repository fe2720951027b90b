//! The capability list (RFC 9051 §6.1.1, §7.2.2): what the greeting, CAPABILITY and the OK of a
//! login advertise. Only what is implemented.

use crate::config::ConnectionInfo;

/// Capabilities that can be turned on with ENABLE (RFC 5161) on this server, upper case.
/// IMAP4REV2 switches the session from IMAP4rev1 to RFC 9051 behaviour (RFC 9051 §9).
pub(crate) const ENABLEABLE: [&str; 4] = ["IMAP4REV2", "UTF8=ACCEPT", "CONDSTORE", "QRESYNC"];

/// The capability list before or after authentication, for this connection; `starttls` when
/// the connection can still be upgraded.
pub(crate) fn capability_list(
    conn: &ConnectionInfo,
    authenticated: bool,
    append_limit: u64,
    starttls: bool,
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
    if starttls && !authenticated {
        caps.push("STARTTLS".into());
    }
    caps
}
