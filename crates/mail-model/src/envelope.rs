//! ENVELOPE (RFC 9051 §7.5.2) from a raw header block.
//!
//! Values are the header octets as in the message: RFC 2047 encoded words stay encoded, lines
//! are unfolded. Where the RFC leaves room we follow Dovecot: the last occurrence of a field
//! wins, the subject and display names are written "for humans" (runs of blanks collapsed,
//! trimmed), and Sender / Reply-To default to From.

use bytes::Bytes;
use imap_proto::response::{Envelope, FetchItem, FetchResponse, Response};
use imap_proto::write::{WriteOptions, Writer};

use crate::address::parse_list;
use crate::header::{Header, for_humans};

/// Builds the envelope of the message whose header block is `header`.
pub(crate) fn envelope(header: &[u8]) -> Envelope {
    let h = Header::new(header);
    let text = |name: &str| h.last(name).map(Bytes::from);
    // Every occurrence of an address field counts (Dovecot appends them; RFC 5322 §3.6 allows
    // only one, so this only matters for broken messages, where it loses nothing).
    let addrs = |name: &str| -> Vec<_> {
        h.fields
            .iter()
            .filter(|f| h.name(f).eq_ignore_ascii_case(name.as_bytes()))
            .flat_map(|f| parse_list(&crate::header::unfold(h.raw_value(f))))
            .collect()
    };
    let from = addrs("From");
    let mut sender = addrs("Sender");
    if sender.is_empty() {
        sender = from.clone();
    }
    let mut reply_to = addrs("Reply-To");
    if reply_to.is_empty() {
        reply_to = from.clone();
    }
    Envelope {
        date: text("Date"),
        subject: h.last("Subject").map(|s| Bytes::from(for_humans(&s))),
        from,
        sender,
        reply_to,
        to: addrs("To"),
        cc: addrs("Cc"),
        bcc: addrs("Bcc"),
        in_reply_to: text("In-Reply-To"),
        message_id: text("Message-ID"),
    }
}

/// The wire form of `e` (`"(" … ")"`) under `opts`.
pub(crate) fn wire(e: &Envelope, opts: WriteOptions) -> Vec<u8> {
    // imap-proto writes an envelope only inside a FETCH response; cut it back out.
    let resp = Response::Fetch(FetchResponse {
        seq: 1,
        items: vec![FetchItem::Envelope(Box::new(e.clone()))],
    });
    let mut w = Writer::new(opts);
    resp.serialize(&mut w);
    let out = w.take();
    let prefix = b"* 1 FETCH (ENVELOPE ";
    let suffix = b")\r\n";
    if out.starts_with(prefix) && out.ends_with(suffix) && out.len() >= prefix.len() + suffix.len()
    {
        out[prefix.len()..out.len() - suffix.len()].to_vec()
    } else {
        b"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(h: &str) -> String {
        String::from_utf8_lossy(&wire(&envelope(h.as_bytes()), WriteOptions::SERVER_REV1))
            .into_owned()
    }

    #[test]
    fn rfc9051_sample() {
        let h = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US,\r\n John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.ed>\r\n\r\n";
        assert_eq!(
            env(h),
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) \
NIL NIL \"<B27397-0100000@cac.washington.ed>\")"
        );
    }

    #[test]
    fn empty_header_and_folded_subject() {
        assert_eq!(env(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
        assert_eq!(
            env("Subject: a\r\n\t b  \r\n\r\n"),
            "(NIL \"a b\" NIL NIL NIL NIL NIL NIL NIL NIL)"
        );
    }
}
