//! APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), BINARY literal8 (RFC 3516) and
//! UTF8 (RFC 6855): facts are computed once here, the bodies written durably, then one
//! metadata commit (`store::bodies::append_messages`).

use crate::errors::{destination_reply, store_reply};
use crate::session::{Reply, Session};
use imap_proto::Mailbox;
use imap_proto::command::AppendMessage;
use imap_proto::response::Code;
use imap_proto::types::{Flag, SequenceSet};
use store::Flags;
use store::bodies::{IncomingMessage, append_messages};
use tokio::io::{AsyncRead, AsyncWrite};

/// Store flags from IMAP flags. `\Recent` cannot be set by a client and is ignored; any other
/// `\`-flag we do not know is refused.
pub(crate) fn store_flags(flags: &[Flag]) -> Result<Flags, Reply> {
    let mut system = 0;
    let mut keywords = Vec::new();
    for f in flags {
        match f {
            Flag::Seen => system |= Flags::SEEN,
            Flag::Answered => system |= Flags::ANSWERED,
            Flag::Flagged => system |= Flags::FLAGGED,
            Flag::Deleted => system |= Flags::DELETED,
            Flag::Draft => system |= Flags::DRAFT,
            Flag::Recent => {}
            Flag::Extension(x) => {
                return Err(Reply::bad(format!("\\{x} is not a flag this server knows")));
            }
            Flag::Keyword(k) => keywords.push(k.clone()),
        }
    }
    Ok(Flags::new(system, keywords))
}

/// True if the header section (up to the first empty line) has an octet above 127.
fn has_8bit_header(data: &[u8]) -> bool {
    let end = (0..data.len())
        .find(|&i| data[i..].starts_with(b"\n\n") || data[i..].starts_with(b"\n\r\n"))
        .map_or(data.len(), |i| i + 1);
    data[..end].iter().any(|&b| b >= 0x80)
}

/// APPEND mailbox message…
pub(crate) async fn append<S>(
    s: &mut Session<S>,
    m: &Mailbox,
    messages: Vec<AppendMessage>,
) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, name) = match (s.account(), s.name_in(m)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let info = match s.shared.store.mailbox(account, &name).await {
        Ok(i) => i,
        Err(e) => return destination_reply(e),
    };
    let now = store::now_ms() / 1000;
    let mut incoming = Vec::with_capacity(messages.len());
    for msg in messages {
        let flags = match store_flags(&msg.flags) {
            Ok(f) => f,
            Err(r) => return r,
        };
        if msg.data.is_empty() {
            return Reply::no("an empty message cannot be appended").code(Code::Cannot);
        }
        // RFC 6855 §4: a server offering UTF8=ACCEPT refuses 8-bit header fields from a
        // client that did not enable it. IMAP4rev2 messages may be I18N-HDRS (RFC 9051
        // §6.3.12), so a rev2 session may send them.
        if !s.enabled.utf8
            && !s.enabled.rev2
            && !s.shared.config.accept_8bit_headers
            && has_8bit_header(&msg.data)
        {
            return Reply::no(
                "the message has 8-bit header fields; ENABLE UTF8=ACCEPT first (RFC 6855)",
            );
        }
        let facts = mail_model::analyze(&msg.data);
        let facts = match serde_json::to_vec(&facts) {
            Ok(f) => f,
            Err(e) => {
                return Reply::no(format!("cannot store message facts: {e}")).code(Code::ServerBug);
            }
        };
        incoming.push(IncomingMessage {
            internal_date: msg.date.map(|d| d.unix_timestamp()).unwrap_or(now),
            // RFC 9051 §6.3.12: the date-time given is kept as given, zone included.
            internal_zone: msg.date.map_or(0, |d| d.zone_minutes),
            data: msg.data,
            flags,
            facts,
        });
    }
    let store = s.shared.store.clone();
    match append_messages(&s.shared.blobs, store.as_ref(), account, info.id, &incoming).await {
        Ok(r) => match SequenceSet::from_values(r.uids.iter().copied()) {
            Some(uids) => Reply::ok("APPEND completed").code(Code::AppendUid {
                uid_validity: r.uid_validity,
                uids,
            }),
            None => Reply::ok("APPEND completed"),
        },
        Err(e) => store_reply(e),
    }
}
