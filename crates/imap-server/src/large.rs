//! FETCH items too large to hold in memory: which they are (from the stored facts alone), their
//! length (a decoded BINARY part is decoded once to count it), and their octets, read from the
//! blob store chunk by chunk and sent as the client takes them.
//!
//! ```text
//!  FetchAttr + facts ──plan()──▶ Large (a range of the message, how it decodes)
//!       └─ sized() ── BINARY of base64/QP: one decoding pass, counting ──▶ Sized (exact length)
//!  Sized ──send()──▶ literal head, then chunk ─▶ (decode) ─▶ queue ─▶ drain ─▶ chunk …
//! ```
//!
//! Memory per item is one chunk of the blob store (256 KiB on the local folder, 1 MiB from S3)
//! plus its decoding, whatever the size of the message or how often the item is repeated in
//! one command (issue 18: 200 copies of a 1 MiB `BODY.PEEK[]` took 320 MB when responses were
//! built whole).

use crate::context::Ctx;
use crate::messages::blob_id;
use crate::reply::CommandError;
use futures::StreamExt;
use imap_proto::command::{FetchAttr, Section, SectionText};
use imap_proto::response::{FetchItem, FetchWriter, StreamedItem, StreamedKind};
use mail_model::{BinaryError, Coding, Decoder, MessageFacts, SectionSource, Span};
use store::MessageRecord;

/// Items whose stored octets reach this size are streamed, not held.
pub(crate) const STREAM_FROM: u64 = 64 * 1024;

/// A large item of one message.
#[derive(Debug)]
pub(crate) enum Large {
    /// Octets of the message as stored (BODY sections, RFC822 items, BINARY of a part that
    /// needs no decoding), `range` already cut to the `<offset.length>` asked for.
    Octets {
        kind: StreamedKind,
        origin: Option<u64>,
        range: Span,
    },
    /// BINARY of a base64 or quoted-printable part: decoded as it is read.
    Decoded {
        part: Vec<u32>,
        partial: Option<(u64, u64)>,
        range: Span,
        coding: Coding,
    },
    /// BINARY.SIZE of a large part.
    Size {
        part: Vec<u32>,
        range: Span,
        coding: Coding,
    },
    /// BINARY or BINARY.SIZE of a part that cannot be decoded: answered before anything is
    /// read.
    Refused(BinaryError),
}

/// The large item `attr` asks for, if it is one: decided from the facts, before any octet is
/// read.
pub(crate) fn plan(attr: &FetchAttr, facts: &MessageFacts) -> Option<Large> {
    let root = |text: Option<SectionText>| Section { part: vec![], text };
    let large = |span: Span| span.1.min(facts.size).saturating_sub(span.0) >= STREAM_FROM;
    let octets = |kind: StreamedKind, section: &Section, partial: Option<(u64, u64)>| {
        let SectionSource::Range(span) = mail_model::section_source(facts, section) else {
            return None;
        };
        let span = (span.0.min(facts.size), span.1.min(facts.size));
        if !large(span) {
            return None;
        }
        let (origin, range) = cut(span, partial);
        Some(Large::Octets {
            kind,
            origin,
            range,
        })
    };
    match attr {
        FetchAttr::Rfc822 => octets(StreamedKind::Rfc822, &root(None), None),
        FetchAttr::Rfc822Header => octets(
            StreamedKind::Rfc822Header,
            &root(Some(SectionText::Header)),
            None,
        ),
        FetchAttr::Rfc822Text => octets(
            StreamedKind::Rfc822Text,
            &root(Some(SectionText::Text)),
            None,
        ),
        FetchAttr::BodySection {
            section, partial, ..
        } => octets(StreamedKind::Body(section.clone()), section, *partial),
        FetchAttr::Binary { part, partial, .. } => match mail_model::binary_source(facts, part) {
            Err(e @ BinaryError::UnknownCte(_)) => Some(Large::Refused(e)),
            Err(_) => None,
            Ok((span, _)) if !large(span) => None,
            Ok((span, Coding::Identity)) => {
                // The octets as stored.
                let (origin, range) = cut(span, *partial);
                Some(Large::Octets {
                    kind: StreamedKind::Binary(part.clone()),
                    origin,
                    range,
                })
            }
            Ok((range, coding)) => Some(Large::Decoded {
                part: part.clone(),
                partial: *partial,
                range,
                coding,
            }),
        },
        FetchAttr::BinarySize { part } => match mail_model::binary_source(facts, part) {
            Err(e @ BinaryError::UnknownCte(_)) => Some(Large::Refused(e)),
            Err(_) => None,
            Ok((span, _)) if !large(span) => None,
            Ok((range, coding)) => Some(Large::Size {
                part: part.clone(),
                range,
                coding,
            }),
        },
        _ => None,
    }
}

/// `<offset.length>` applied to `span`: the origin to write back and the range to read.
fn cut(span: Span, partial: Option<(u64, u64)>) -> (Option<u64>, Span) {
    match partial {
        Some((offset, length)) => {
            let start = span.0.saturating_add(offset).min(span.1);
            (
                Some(offset),
                (start, start.saturating_add(length).min(span.1)),
            )
        }
        None => (None, span),
    }
}

/// A large item ready to be written: its exact length is known.
#[derive(Debug)]
pub(crate) enum Sized {
    /// An item written whole (BINARY.SIZE).
    Item(FetchItem),
    /// A literal streamed after its head.
    Stream {
        head: StreamedItem,
        range: Span,
        /// `None`: octets as stored.
        coding: Option<Coding>,
        /// Decoded octets passed over before the first one sent.
        skip: u64,
    },
}

/// Makes a large item ready: a decoded BINARY part is read and decoded once to count its
/// octets (and to find a corrupt one before anything of the message is sent).
pub(crate) async fn sized(
    cx: &Ctx<'_>,
    rec: &MessageRecord,
    large: Large,
) -> Result<Sized, CommandError> {
    Ok(match large {
        Large::Refused(e) => return Err(CommandError::Reply(crate::messages::binary_reply(e))),
        Large::Octets {
            kind,
            origin,
            range,
        } => Sized::Stream {
            head: StreamedItem {
                kind,
                origin,
                len: range.1.saturating_sub(range.0),
            },
            range,
            coding: None,
            skip: 0,
        },
        Large::Size {
            part,
            range,
            coding,
        } => {
            let size = decoded_len(cx, rec, range, coding).await?;
            Sized::Item(FetchItem::BinarySize {
                part,
                size: u32::try_from(size).unwrap_or(u32::MAX),
            })
        }
        Large::Decoded {
            part,
            partial,
            range,
            coding,
        } => {
            let total = decoded_len(cx, rec, range, coding).await?;
            let (origin, skip, len) = match partial {
                Some((offset, length)) => {
                    let skip = offset.min(total);
                    (Some(offset), skip, length.min(total - skip))
                }
                None => (None, 0, total),
            };
            Sized::Stream {
                head: StreamedItem {
                    kind: StreamedKind::Binary(part),
                    origin,
                    len,
                },
                range,
                coding: Some(coding),
                skip,
            }
        }
    })
}

/// How many octets `range` of the message decodes to.
async fn decoded_len(
    cx: &Ctx<'_>,
    rec: &MessageRecord,
    range: Span,
    coding: Coding,
) -> Result<u64, CommandError> {
    let mut chunks = std::pin::pin!(cx.shared.blobs.read_chunks(blob_id(rec), range.0..range.1));
    let mut decoder = Decoder::new(coding);
    let (mut total, mut out) = (0u64, Vec::new());
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(store::bodies::blob_error)?;
        decoder.push(&chunk, &mut out).map_err(refused)?;
        total += out.len() as u64;
        out.clear();
    }
    decoder.finish(&mut out).map_err(refused)?;
    Ok(total + out.len() as u64)
}

fn refused(e: BinaryError) -> CommandError {
    CommandError::Reply(crate::messages::binary_reply(e))
}

/// Writes a sized item: a whole one into the queue; a streamed one as its head, then its
/// octets chunk by chunk, each sent before the next is read. Once the head is queued the
/// literal must be completed: a read that fails then ends the session (the client sees the
/// connection close rather than a wrong message).
pub(crate) async fn send(
    cx: &mut Ctx<'_>,
    fw: &mut FetchWriter,
    rec: &MessageRecord,
    item: Sized,
) -> Result<(), CommandError> {
    let (head, range, coding, skip) = match item {
        Sized::Item(item) => {
            fw.item(cx.out, &item);
            return Ok(());
        }
        Sized::Stream {
            head,
            range,
            coding,
            skip,
        } => (head, range, coding, skip),
    };
    fw.streamed(cx.out, &head);
    let body = !matches!(head.kind, StreamedKind::Binary(_));
    let mut left = head.len;
    // Decoded octets still to pass over.
    let mut skip = skip;
    let mut chunks = std::pin::pin!(
        cx.shared
            .blobs
            .read_chunks(blob_id(rec), range.0..range.1)
            .fuse()
    );
    let mut decoder = coding.map(Decoder::new);
    let mut decoded = Vec::new();
    let broken = |what: String| {
        tracing::error!(
            uid = rec.state.uid,
            what,
            "FETCH: a streamed body could not be completed"
        );
        CommandError::Io(std::io::Error::other(what))
    };
    while left > 0 {
        // The chunk as stored (sent as it is), or `decoded`.
        let stored: bytes::Bytes;
        let next: Option<Result<bytes::Bytes, blob_store::BlobError>> = chunks.next().await;
        let octets: &[u8] = match next {
            Some(Ok(chunk)) => match decoder.as_mut() {
                None => {
                    stored = chunk;
                    &stored
                }
                Some(d) => {
                    decoded.clear();
                    d.push(&chunk, &mut decoded)
                        .map_err(|e| broken(e.to_string()))?;
                    &decoded
                }
            },
            Some(Err(e)) => return Err(broken(e.to_string())),
            None => match decoder.take() {
                Some(d) => {
                    decoded.clear();
                    d.finish(&mut decoded).map_err(|e| broken(e.to_string()))?;
                    &decoded
                }
                None => return Err(broken(format!("{left} octets short"))),
            },
        };
        let passed = skip.min(octets.len() as u64) as usize;
        skip -= passed as u64;
        let take = left.min((octets.len() - passed) as u64) as usize;
        let piece = &octets[passed..passed + take];
        if body {
            // A literal cannot carry NUL (RFC 9051 CHAR8): replaced, not removed, so the
            // literal keeps the length announced (and RFC822.SIZE stays the BODY[] length).
            cx.out.raw(&no_nul(piece));
        } else {
            cx.out.raw(piece);
        }
        left -= take as u64;
        cx.drain().await?;
    }
    Ok(())
}

/// `octets` with each NUL replaced by 0x80, for a BODY literal.
pub(crate) fn no_nul(octets: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if octets.contains(&0) {
        octets
            .iter()
            .map(|&b| if b == 0 { 0x80 } else { b })
            .collect::<Vec<u8>>()
            .into()
    } else {
        octets.into()
    }
}
