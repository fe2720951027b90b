//! APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), BINARY literal8 (RFC 3516) and
//! UTF8 (RFC 6855): facts are computed once here, the bodies written durably, then one
//! metadata commit (`store::bodies::append_messages`).

use crate::context::AuthCtx;
use crate::flags::store_flags;
use crate::reply::{CommandError, Outcome, Reply};
use imap_proto::Mailbox;
use imap_proto::command::AppendMessage;
use imap_proto::response::Code;
use imap_proto::types::SequenceSet;
use store::StoreError;
use store::bodies::{IncomingMessage, append_messages};

/// True if the header section (up to the first empty line) has an octet above 127.
fn has_8bit_header(data: &[u8]) -> bool {
    let end = (0..data.len())
        .find(|&i| data[i..].starts_with(b"\n\n") || data[i..].starts_with(b"\n\r\n"))
        .map_or(data.len(), |i| i + 1);
    data[..end].iter().any(|&b| b >= 0x80)
}

/// APPEND mailbox message…
pub(crate) async fn append(
    cx: &mut AuthCtx<'_>,
    m: &Mailbox,
    messages: Vec<AppendMessage>,
) -> Outcome {
    let (account, name) = (cx.account(), cx.name_in(m)?);
    let info = cx
        .store()
        .mailbox(account, &name)
        .await
        .map_err(CommandError::Destination)?;
    let now = store::now_ms() / 1000;
    let mut incoming = Vec::with_capacity(messages.len());
    for msg in messages {
        let flags = store_flags(&msg.flags)?;
        if msg.data.is_empty() {
            return Err(CommandError::no_code(
                Code::Cannot,
                "an empty message cannot be appended",
            ));
        }
        // RFC 6855 §4: a server offering UTF8=ACCEPT refuses 8-bit header fields from a
        // client that did not enable it. IMAP4rev2 messages may be I18N-HDRS (RFC 9051
        // §6.3.12), so a rev2 session may send them.
        if !cx.enabled.utf8
            && !cx.enabled.rev2
            && !cx.shared.config.accept_8bit_headers
            && has_8bit_header(&msg.data)
        {
            return Err(CommandError::no(
                "the message has 8-bit header fields; ENABLE UTF8=ACCEPT first (RFC 6855)",
            ));
        }
        let facts = mail_model::analyze(&msg.data).encode();
        incoming.push(IncomingMessage {
            internal_date: msg.date.map(|d| d.unix_timestamp()).unwrap_or(now),
            // RFC 9051 §6.3.12: the date-time given is kept as given, zone included.
            internal_zone: msg.date.map_or(0, |d| d.zone_minutes),
            data: msg.data,
            flags,
            facts,
        });
    }
    let r = match append_messages(&cx.shared.blobs, cx.store(), account, info.id, &incoming).await {
        Err(StoreError::Limit(why)) => {
            // Into the selected mailbox: its PERMANENTFLAGS lose \* first (RFC 9051 §7.1).
            let full = match cx.selected.as_deref_mut() {
                Some(sel) if sel.id == info.id => Some(crate::updates::keywords_full(sel)),
                _ => None,
            };
            if let Some(p) = full {
                cx.send(&p);
            }
            return Err(StoreError::Limit(why).into());
        }
        r => r?,
    };
    Ok(match SequenceSet::from_values(r.uids.iter().copied()) {
        Some(uids) => Reply::ok("APPEND completed").code(Code::AppendUid {
            uid_validity: r.uid_validity,
            uids,
        }),
        None => Reply::ok("APPEND completed"),
    })
}
