//! Server-wide data: CAPABILITY (RFC 9051 §7.2.2), ENABLED (RFC 5161 §3.2), NAMESPACE
//! (RFC 9051 §7.3.2, RFC 2342), ID (RFC 2971 §3.2), QUOTA and QUOTAROOT (RFC 9208 §4.2).
//!
//! ```text
//! capability-data = "CAPABILITY" *(SP capability)
//! enable-data     = "ENABLED" *(SP capability)
//! namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
//! namespace       = nil / "(" 1*namespace-descr ")"
//! namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
//!                   *(SP string SP "(" string *(SP string) ")") ")"
//! id_response     = "ID" SP ("(" #(string SP nstring) ")" / nil)
//! quota-response  = "QUOTA" SP quota-root-name SP "(" quota-resource *(SP quota-resource) ")"
//! quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
//! ```

use super::{atom, delimiter, sp_list};
use crate::types::{IString, Mailbox};
use crate::write::Writer;

/// `CAPABILITY name…`.
pub(super) fn capability(w: &mut Writer, caps: &[String]) {
    w.raw(b"CAPABILITY");
    for c in caps {
        w.sp();
        atom(w, c);
    }
}

/// `ENABLED name…`.
pub(super) fn enabled(w: &mut Writer, caps: &[String]) {
    w.raw(b"ENABLED");
    for c in caps {
        w.sp();
        atom(w, c);
    }
}

/// `ID NIL` or `ID ("field" "value" …)`. An empty list is written as `NIL`.
pub(super) fn id(w: &mut Writer, params: Option<&[(IString, Option<IString>)]>) {
    w.raw(b"ID ");
    match params {
        Some(params) if !params.is_empty() => {
            w.raw(b"(");
            sp_list(w, params, |w, (field, value)| {
                w.string(field).sp().nstring(value.as_deref());
            });
            w.raw(b")");
        }
        _ => {
            w.raw(b"NIL");
        }
    }
}

/// The data of a NAMESPACE response: personal, other users' and shared namespaces. An empty list
/// is written as `NIL`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceResponse {
    /// The user's own namespaces.
    pub personal: Vec<Namespace>,
    /// Other users' namespaces.
    pub other: Vec<Namespace>,
    /// Shared namespaces.
    pub shared: Vec<Namespace>,
}

/// One namespace description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// The prefix, e.g. `""`, `"#shared/"`, `"INBOX."` (wire form, as mailbox names).
    pub prefix: String,
    /// Hierarchy delimiter; `None` for a flat namespace.
    pub delimiter: Option<char>,
    /// Extensions: `name ("value" …)`, e.g. RFC 5255's `TRANSLATION`. Written as strings.
    pub extensions: Vec<(String, Vec<String>)>,
}

impl NamespaceResponse {
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"NAMESPACE");
        for group in [&self.personal, &self.other, &self.shared] {
            w.sp();
            if group.is_empty() {
                w.raw(b"NIL");
                continue;
            }
            w.raw(b"(");
            for ns in group {
                ns.write(w);
            }
            w.raw(b")");
        }
    }
}

impl Namespace {
    fn write(&self, w: &mut Writer) {
        w.raw(b"(").string(self.prefix.as_bytes()).sp();
        delimiter(w, self.delimiter);
        for (name, values) in &self.extensions {
            w.sp().string(name.as_bytes()).raw(b" (");
            sp_list(w, values, |w, v| {
                w.string(v.as_bytes());
            });
            w.raw(b")");
        }
        w.raw(b")");
    }
}

/// The data of a QUOTA response: one quota root and its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaResponse {
    /// The quota root's name (an astring; `""` is common).
    pub root: IString,
    /// Resources with usage and limit; the grammar wants at least one.
    pub resources: Vec<QuotaResource>,
}

/// One resource of a quota root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaResource {
    /// `STORAGE` (in KiB), `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` or another atom.
    pub name: String,
    /// Current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

impl QuotaResponse {
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"QUOTA ").astring(&self.root).raw(b" (");
        sp_list(w, &self.resources, |w, r| {
            atom(w, &r.name);
            w.sp().num(r.usage).sp().num(r.limit);
        });
        w.raw(b")");
    }
}

/// The data of a QUOTAROOT response: a mailbox and the quota roots that apply to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRootResponse {
    /// The mailbox asked about.
    pub mailbox: Mailbox,
    /// Its quota roots; may be empty.
    pub roots: Vec<IString>,
}

impl QuotaRootResponse {
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"QUOTAROOT ").mailbox(&self.mailbox);
        for r in &self.roots {
            w.sp().astring(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Response, assert_wire};
    use crate::write::WriteOptions;
    use bytes::Bytes;

    const REV1: WriteOptions = WriteOptions::SERVER_REV1;
    const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

    fn b(s: &str) -> IString {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn ns(prefix: &str, d: Option<char>) -> Namespace {
        Namespace {
            prefix: prefix.into(),
            delimiter: d,
            extensions: vec![],
        }
    }

    #[test]
    fn capability_and_enabled() {
        let caps = strings(&["IMAP4rev2", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"]);
        assert_wire(
            &Response::Capability(caps),
            REV1,
            b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n",
        );
        assert_wire(
            &Response::Enabled(strings(&["CONDSTORE", "QRESYNC"])),
            REV1,
            b"* ENABLED CONDSTORE QRESYNC\r\n",
        );
        assert_wire(&Response::Enabled(vec![]), REV1, b"* ENABLED\r\n");
        assert_wire(
            &Response::Enabled(strings(&["A B", "é"])),
            UTF8,
            b"* ENABLED A_B __\r\n",
        );
    }

    #[test]
    fn namespace_rfc_examples() {
        let only_personal = NamespaceResponse {
            personal: vec![ns("", Some('/'))],
            ..Default::default()
        };
        assert_wire(
            &Response::Namespace(only_personal),
            REV1,
            b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
        );
        let shared = NamespaceResponse {
            shared: vec![ns("", Some('.'))],
            ..Default::default()
        };
        assert_wire(
            &Response::Namespace(shared),
            REV1,
            b"* NAMESPACE NIL NIL ((\"\" \".\"))\r\n",
        );
        let all = NamespaceResponse {
            personal: vec![ns("", Some('/'))],
            other: vec![ns("~", Some('/'))],
            shared: vec![ns("#shared/", Some('/')), ns("#public/", Some('/'))],
        };
        assert_wire(
            &Response::Namespace(all),
            REV1,
            b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) \
((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n",
        );
        let mut mh = ns("#mh/", Some('/'));
        mh.extensions = vec![("X-PARAM".into(), strings(&["FLAG1", "FLAG2"]))];
        let ext = NamespaceResponse {
            personal: vec![ns("", Some('/')), mh],
            ..Default::default()
        };
        assert_wire(
            &Response::Namespace(ext),
            REV1,
            b"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \
\"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
        );
    }

    #[test]
    fn namespace_hostile_values() {
        let odd = NamespaceResponse {
            personal: vec![
                ns("a\"b\\", Some('\\')),
                ns("x\r\n", None),
                ns("NIL", Some('"')),
            ],
            ..Default::default()
        };
        assert_wire(
            &Response::Namespace(odd),
            REV1,
            b"* NAMESPACE ((\"a\\\"b\\\\\" \"\\\\\")({3}\r\nx\r\n NIL)\
(\"NIL\" \"\\\"\")) NIL NIL\r\n",
        );
        let utf = NamespaceResponse {
            shared: vec![ns("Öffentlich/", Some('/'))],
            ..Default::default()
        };
        assert_wire(
            &Response::Namespace(utf.clone()),
            REV1,
            "* NAMESPACE NIL NIL (({12}\r\nÖffentlich/ \"/\"))\r\n".as_bytes(),
        );
        assert_wire(
            &Response::Namespace(utf),
            UTF8,
            "* NAMESPACE NIL NIL ((\"Öffentlich/\" \"/\"))\r\n".as_bytes(),
        );
    }

    #[test]
    fn id_rfc_examples() {
        assert_wire(&Response::Id(None), REV1, b"* ID NIL\r\n");
        assert_wire(&Response::Id(Some(vec![])), REV1, b"* ID NIL\r\n");
        let cyrus = vec![
            (b("name"), Some(b("Cyrus"))),
            (b("version"), Some(b("1.5"))),
            (b("os"), Some(b("sunos"))),
            (b("os-version"), Some(b("5.5"))),
            (
                b("support-url"),
                Some(b("mailto:cyrus-bugs+@andrew.cmu.edu")),
            ),
        ];
        assert_wire(
            &Response::Id(Some(cyrus)),
            REV1,
            b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \
\"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n",
        );
    }

    #[test]
    fn id_hostile_values() {
        let odd = vec![
            (b("vendor"), None),
            (b("NIL"), Some(b("NIL"))),
            (b(""), Some(b(""))),
            (b("x"), Some(b("a\r\n\0b\"\\"))),
        ];
        assert_wire(
            &Response::Id(Some(odd)),
            REV1,
            b"* ID (\"vendor\" NIL \"NIL\" \"NIL\" \"\" \"\" \"x\" {6}\r\na\r\nb\"\\)\r\n",
        );
    }

    #[test]
    fn quota_rfc_examples() {
        let q = |root: &str, res: &[(&str, u64, u64)]| {
            Response::Quota(QuotaResponse {
                root: b(root),
                resources: res
                    .iter()
                    .map(|&(n, u, l)| QuotaResource {
                        name: n.into(),
                        usage: u,
                        limit: l,
                    })
                    .collect(),
            })
        };
        assert_wire(
            &q("", &[("STORAGE", 10, 512)]),
            REV1,
            b"* QUOTA \"\" (STORAGE 10 512)\r\n",
        );
        assert_wire(
            &q(
                "#user/alice",
                &[("STORAGE", 54, 111), ("MESSAGE", 42, 1000)],
            ),
            REV1,
            b"* QUOTA #user/alice (STORAGE 54 111 MESSAGE 42 1000)\r\n",
        );
        assert_wire(
            &q("!partition/sda4", &[("STORAGE", 104, 10923847)]),
            REV1,
            b"* QUOTA !partition/sda4 (STORAGE 104 10923847)\r\n",
        );
        assert_wire(
            &q("a b\r\n", &[("X Y", 0, u64::MAX)]),
            REV1,
            b"* QUOTA {5}\r\na b\r\n (X_Y 0 18446744073709551615)\r\n",
        );
        let root = |m: &str, roots: &[&str]| {
            Response::QuotaRoot(QuotaRootResponse {
                mailbox: Mailbox::new(m),
                roots: roots.iter().map(|r| b(r)).collect(),
            })
        };
        assert_wire(
            &root("INBOX", &["#user/alice", "!partition/sda4"]),
            REV1,
            b"* QUOTAROOT INBOX #user/alice !partition/sda4\r\n",
        );
        assert_wire(&root("inbox", &[""]), REV1, b"* QUOTAROOT INBOX \"\"\r\n");
        assert_wire(
            &root("comp.mail.mime", &[]),
            REV1,
            b"* QUOTAROOT comp.mail.mime\r\n",
        );
        assert_wire(
            &root("a\"b", &["NIL"]),
            REV1,
            b"* QUOTAROOT \"a\\\"b\" NIL\r\n",
        );
    }
}
