//! The part tree, built once from mail-parser's parse and reduced to byte ranges.
//!
//! ```text
//!  raw ──mail-parser──▶ Message { parts[], offsets } ──build──▶ Node (ranges, kind)
//! ```
//!
//! mail-parser parses message/rfc822 parts inline, so their offsets are absolute in `raw`. An
//! encoded message/rfc822 (not allowed by RFC 2046 §5.2.1) is parsed by mail-parser from the
//! decoded octets; we cannot serve sections from those, so such a part stays a leaf.
//!
//! Depth is bounded by [`MAX_DEPTH`]: a multipart or message/rfc822 nested deeper becomes a leaf
//! covering the same octets. mail-parser itself keeps its own stack on the heap, but its result
//! nests one `Message` per message/rfc822 level; [`dismantle`] drops it without recursion.

use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// Deepest nesting of multiparts and message/rfc822 parts that is given structure (the same
/// bound as Dovecot's default `message_max_nested_mime_parts`, 100). Deeper parts are leaves.
pub const MAX_DEPTH: usize = 100;

/// Most parts (nodes of the tree, the root included) given structure. Real mail has a few
/// dozen at most; a hostile message of 100,000 empty parts would otherwise store facts many
/// times its own size. Past the limit a multipart lists no further children (their octets stay
/// in its body, and in `BODY[]`).
pub const MAX_PARTS: usize = 1000;

/// A byte range `[start, end)` in the raw message.
pub type Range = (usize, usize);

/// One node of the part tree.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// The part's header block, terminating blank line included (for a message: its header).
    pub header: Range,
    /// The part's body (for a message: its text).
    pub body: Range,
    /// What the body holds.
    pub kind: Kind,
}

/// The shape of a node's body.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// A leaf.
    Leaf,
    /// `multipart/*` with its children.
    Multi(Vec<Node>),
    /// `message/rfc822` or `message/global`: the embedded message's root node.
    Message(Box<Node>),
}

/// Parses `raw` with mail-parser (never panics; `None` only when no header was found).
pub(crate) fn parse(raw: &[u8]) -> Option<Message<'_>> {
    MessageParser::default().parse(raw)
}

#[cfg(test)]
/// Builds the tree of a whole message. Garbage input still gives a root leaf: header up to the
/// first blank line (or everything), text after it.
pub(crate) fn build(raw: &[u8]) -> Node {
    let parsed = parse(raw);
    let node = build_from(raw, parsed.as_ref());
    if let Some(m) = parsed {
        dismantle(m);
    }
    node
}

/// [`build`] from an existing parse of `raw`.
pub(crate) fn build_from(raw: &[u8], parsed: Option<&Message<'_>>) -> Node {
    match parsed {
        Some(m) if !m.parts.is_empty() => {
            let mut walk = Walk {
                depth: 0,
                parts_left: MAX_PARTS,
            };
            let mut n = node_of(raw, m, 0, &mut walk);
            n.body.1 = raw.len();
            n.header.0 = 0;
            n
        }
        _ => fallback_root(raw),
    }
}

/// Header up to and including the first empty line; the rest is the text.
pub(crate) fn fallback_root(raw: &[u8]) -> Node {
    let mut pos = 0;
    while pos < raw.len() {
        let (end, next) = crate::header::line_end(raw, pos);
        if end == pos {
            return Node {
                header: (0, next),
                body: (next, raw.len()),
                kind: Kind::Leaf,
            };
        }
        pos = next;
    }
    Node {
        header: (0, raw.len()),
        body: (raw.len(), raw.len()),
        kind: Kind::Leaf,
    }
}

fn clamp(raw: &[u8], r: Range) -> Range {
    let end = r.1.min(raw.len());
    (r.0.min(end), end)
}

/// Where a walk of the parse is: how deep, and how many more parts may get structure.
struct Walk {
    depth: usize,
    parts_left: usize,
}

impl Walk {
    /// `f` one level deeper.
    fn deeper<T>(&mut self, f: impl FnOnce(&mut Walk) -> T) -> T {
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }
}

fn node_of(raw: &[u8], m: &Message<'_>, idx: usize, walk: &mut Walk) -> Node {
    walk.parts_left = walk.parts_left.saturating_sub(1);
    let Some(p) = m.parts.get(idx) else {
        return Node {
            header: (0, 0),
            body: (0, 0),
            kind: Kind::Leaf,
        };
    };
    let header = clamp(raw, (p.offset_header as usize, p.offset_body as usize));
    let body = clamp(raw, (p.offset_body as usize, p.offset_end as usize));
    let body = (
        body.0.max(header.1).min(body.1.max(header.1)),
        body.1.max(header.1),
    );
    let kind = if walk.depth >= MAX_DEPTH {
        Kind::Leaf
    } else {
        kind_of(raw, m, p, body, walk)
    };
    Node { header, body, kind }
}

fn kind_of(raw: &[u8], m: &Message<'_>, p: &MessagePart<'_>, body: Range, walk: &mut Walk) -> Kind {
    match &p.body {
        PartType::Multipart(ids) if is_multipart(p) => {
            let mut children = Vec::new();
            for &id in ids {
                if walk.parts_left == 0 {
                    break;
                }
                children.push(walk.deeper(|w| node_of(raw, m, id as usize, w)));
            }
            Kind::Multi(children)
        }
        PartType::Message(inner)
            if p.encoding == mail_parser::Encoding::None
                && !inner.parts.is_empty()
                && walk.parts_left > 0 =>
        {
            let mut root = walk.deeper(|w| node_of(raw, inner, 0, w));
            // The embedded message is exactly the part's body.
            root.header.0 = body.0;
            root.header.1 = root.header.1.clamp(body.0, body.1);
            root.body = (root.header.1.max(root.body.0).min(body.1), body.1);
            Kind::Message(Box::new(root))
        }
        _ => Kind::Leaf,
    }
}

/// mail-parser gives the root part a `Multipart` body with no children for a message without a
/// boundary; only a part whose Content-Type is multipart is one.
fn is_multipart(p: &MessagePart<'_>) -> bool {
    p.content_type()
        .is_some_and(|c| c.c_type.eq_ignore_ascii_case("multipart"))
}

/// Drops a parsed message without recursing once per nesting level.
pub(crate) fn dismantle(m: Message<'_>) {
    let mut stack = vec![m];
    while let Some(mut m) = stack.pop() {
        for p in m.parts.iter_mut() {
            if let PartType::Message(inner) = std::mem::take(&mut p.body) {
                stack.push(inner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_ranges() {
        let raw = b"Subject: x\r\n\r\nhello\r\n";
        let n = build(raw);
        assert_eq!(n.header, (0, 14));
        assert_eq!(n.body, (14, raw.len()));
    }

    /// A message of many empty parts gets structure for [`MAX_PARTS`] nodes and no more.
    #[test]
    fn parts_past_the_limit_get_no_structure() {
        fn count(n: &Node) -> usize {
            1 + match &n.kind {
                Kind::Leaf => 0,
                Kind::Multi(c) => c.iter().map(count).sum(),
                Kind::Message(m) => count(m),
            }
        }
        let mut raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        for _ in 0..5000 {
            raw.extend_from_slice(b"--b\r\n\r\nx\r\n");
        }
        raw.extend_from_slice(b"--b--\r\n");
        let n = build(&raw);
        assert_eq!(count(&n), MAX_PARTS);
        let small = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n";
        assert_eq!(count(&build(small)), 3);
    }

    #[test]
    fn garbage_and_empty() {
        for raw in [
            &b""[..],
            b"\0\0\0",
            b"no separator at all",
            b"\r\n\r\n",
            b"--x--",
        ] {
            let n = build(raw);
            assert!(n.header.1 <= raw.len() && n.body.1 == raw.len());
        }
    }
}
