//! The ENVELOPE structure and its addresses (RFC 9051 §7.5.2, `envelope` and `address` in §9).
//!
//! ```text
//! envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to
//!            SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
//! env-from = "(" 1*address ")" / nil            ; same for sender, reply-to, to, cc, bcc
//! address  = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
//! ```
//!
//! All text fields are raw header octets (RFC 2047 encoded words are left as they are); the
//! [`Writer`] picks quoted string or literal for each.

use crate::types::IString;
use crate::write::Writer;

/// A message's envelope, computed from its header by the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// `Date:`; `None` when absent.
    pub date: Option<IString>,
    /// `Subject:`; `None` when absent.
    pub subject: Option<IString>,
    /// `From:`; empty when absent (written `NIL`).
    pub from: Vec<Address>,
    /// `Sender:`; the server fills it from `from` when absent (RFC 9051 §7.5.2).
    pub sender: Vec<Address>,
    /// `Reply-To:`; the server fills it from `from` when absent.
    pub reply_to: Vec<Address>,
    /// `To:`
    pub to: Vec<Address>,
    /// `Cc:`
    pub cc: Vec<Address>,
    /// `Bcc:`
    pub bcc: Vec<Address>,
    /// `In-Reply-To:`
    pub in_reply_to: Option<IString>,
    /// `Message-ID:`
    pub message_id: Option<IString>,
}

/// One address, or a group marker (RFC 9051 §7.5.2): `host: None` with a `mailbox` starts a
/// group named `mailbox`; `host: None` and `mailbox: None` ends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// Display name (phrase), RFC 5322 quoting removed.
    pub name: Option<IString>,
    /// Source route (`adl`), obsolete; almost always `None`.
    pub adl: Option<IString>,
    /// Local part, or the group name of a group-start marker.
    pub mailbox: Option<IString>,
    /// Domain; `None` marks a group.
    pub host: Option<IString>,
}

impl Address {
    /// `name <mailbox@host>`.
    pub fn new(name: Option<IString>, mailbox: IString, host: IString) -> Address {
        Address {
            name,
            adl: None,
            mailbox: Some(mailbox),
            host: Some(host),
        }
    }

    /// The start of a group: `group-name:`.
    pub fn group_start(name: IString) -> Address {
        Address {
            name: None,
            adl: None,
            mailbox: Some(name),
            host: None,
        }
    }

    /// The end of a group: `;`.
    pub fn group_end() -> Address {
        Address::default()
    }

    fn write(&self, w: &mut Writer) {
        w.raw(b"(")
            .nstring(self.name.as_deref())
            .sp()
            .nstring(self.adl.as_deref());
        w.sp()
            .nstring(self.mailbox.as_deref())
            .sp()
            .nstring(self.host.as_deref());
        w.raw(b")");
    }
}

/// `"(" 1*address ")" / nil`. Addresses follow each other without separators.
fn address_list(w: &mut Writer, list: &[Address]) {
    if list.is_empty() {
        w.raw(b"NIL");
        return;
    }
    w.raw(b"(");
    for a in list {
        a.write(w);
    }
    w.raw(b")");
}

impl Envelope {
    /// Writes the parenthesised envelope.
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"(")
            .nstring(self.date.as_deref())
            .sp()
            .nstring(self.subject.as_deref());
        for list in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            w.sp();
            address_list(w, list);
        }
        w.sp().nstring(self.in_reply_to.as_deref());
        w.sp().nstring(self.message_id.as_deref());
        w.raw(b")");
    }
}

/// The envelope of RFC 9051 §8's sample `FETCH 12 FULL`, shared with the FETCH tests.
#[cfg(test)]
pub(super) fn rfc9051_sample() -> Envelope {
    let b = |s: &str| IString::copy_from_slice(s.as_bytes());
    let gray = || Address::new(Some(b("Terry Gray")), b("gray"), b("cac.washington.edu"));
    Envelope {
        date: Some(b("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)")),
        subject: Some(b("IMAP4rev2 WG mtg summary and minutes")),
        from: vec![gray()],
        sender: vec![gray()],
        reply_to: vec![gray()],
        to: vec![Address::new(None, b("imap"), b("cac.washington.edu"))],
        cc: vec![
            Address::new(None, b("minutes"), b("CNRI.Reston.VA.US")),
            Address::new(Some(b("John Klensin")), b("KLENSIN"), b("MIT.EDU")),
        ],
        bcc: vec![],
        in_reply_to: None,
        message_id: Some(b("<B27397-0100000@cac.washington.ed>")),
    }
}

/// [`rfc9051_sample`] on the wire, joined onto one line.
#[cfg(test)]
pub(super) const RFC9051_SAMPLE_WIRE: &[u8] =
    b"(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) \
NIL NIL \"<B27397-0100000@cac.washington.ed>\")";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::WriteOptions;
    use bytes::Bytes;

    fn b(s: &str) -> IString {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn env(e: &Envelope, opts: WriteOptions) -> Vec<u8> {
        let mut w = Writer::new(opts);
        e.write(&mut w);
        w.take()
    }

    fn check(e: &Envelope, opts: WriteOptions, want: &[u8]) {
        let got = env(e, opts);
        assert!(
            got == want,
            "\n got: {}\nwant: {}",
            got.escape_ascii(),
            want.escape_ascii()
        );
    }

    /// RFC 9051 §8: the envelope of the sample FETCH, on one line.
    #[test]
    fn rfc_sample_envelope() {
        check(
            &rfc9051_sample(),
            WriteOptions::SERVER_REV1,
            RFC9051_SAMPLE_WIRE,
        );
    }

    #[test]
    fn empty_envelope_and_groups() {
        check(
            &Envelope::default(),
            WriteOptions::SERVER_REV1,
            b"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)",
        );
        let e = Envelope {
            to: vec![
                Address::group_start(b("undisclosed-recipients")),
                Address::group_end(),
            ],
            ..Default::default()
        };
        check(
            &e,
            WriteOptions::SERVER_REV1,
            b"(NIL NIL NIL NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) \
NIL NIL NIL NIL)",
        );
    }

    #[test]
    fn hostile_header_values() {
        let e = Envelope {
            date: Some(b("")),
            subject: Some(b("NIL")),
            from: vec![Address::new(Some(b("\"Q\\\" x")), b("a\r\nb"), b("h\0st"))],
            in_reply_to: Some("Grüße".into()),
            message_id: Some(Bytes::from_static(b"\xff\xfe")),
            ..Default::default()
        };
        check(
            &e,
            WriteOptions::SERVER_REV1,
            b"(\"\" \"NIL\" ((\"\\\"Q\\\\\\\" x\" NIL {4}\r\na\r\nb {3}\r\nhst)) \
NIL NIL NIL NIL NIL \
{7}\r\nGr\xc3\xbc\xc3\x9fe {2}\r\n\xff\xfe)",
        );
        check(
            &e,
            WriteOptions::SERVER_UTF8,
            b"(\"\" \"NIL\" ((\"\\\"Q\\\\\\\" x\" NIL {4}\r\na\r\nb {3}\r\nhst)) \
NIL NIL NIL NIL NIL \
\"Gr\xc3\xbc\xc3\x9fe\" {2}\r\n\xff\xfe)",
        );
        let long = "s".repeat(1025);
        let e = Envelope {
            subject: Some(b(&long)),
            ..Default::default()
        };
        let mut want = b"(NIL {1025}\r\n".to_vec();
        want.extend_from_slice(long.as_bytes());
        want.extend_from_slice(b" NIL NIL NIL NIL NIL NIL NIL NIL)");
        check(&e, WriteOptions::SERVER_REV1, &want);
    }
}
