//! PREVIEW (RFC 8970 §3): up to 200 characters of the message's first text, decoded, with
//! whitespace collapsed; HTML reduced to text when the only text part is HTML.

use mail_parser::{Message, PartType};

/// Longest preview in characters (RFC 8970 §3.2: "no more than 256"; we keep 200).
pub const PREVIEW_CHARS: usize = 200;

/// The preview of a parsed message; empty when it has no text part.
pub(crate) fn preview(m: &Message<'_>) -> String {
    let text = m
        .text_body
        .first()
        .and_then(|&id| m.parts.get(id as usize))
        .and_then(|p| match &p.body {
            PartType::Text(t) => Some(t.to_string()),
            PartType::Html(h) => Some(mail_parser::decoders::html::html_to_text(h)),
            _ => None,
        })
        .or_else(|| {
            m.html_body
                .first()
                .and_then(|&id| m.parts.get(id as usize))
                .and_then(|p| match &p.body {
                    PartType::Html(h) => Some(mail_parser::decoders::html::html_to_text(h)),
                    PartType::Text(t) => Some(t.to_string()),
                    _ => None,
                })
        })
        .unwrap_or_default();
    collapse(&text, PREVIEW_CHARS)
}

/// Whitespace runs become one space, control characters are dropped, the result is trimmed
/// and cut at `max` characters.
pub(crate) fn collapse(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if space {
            if n + 1 >= max {
                break;
            }
            out.push(' ');
            n += 1;
            space = false;
        }
        if n >= max {
            break;
        }
        out.push(c);
        n += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(raw: &str) -> String {
        let m = crate::tree::parse(raw.as_bytes());
        let s = m.as_ref().map(preview).unwrap_or_default();
        if let Some(m) = m {
            crate::tree::dismantle(m);
        }
        s
    }

    #[test]
    fn plain_and_html() {
        assert_eq!(
            p("Subject: x\r\n\r\n  Hello\r\n\r\n  world  \r\n"),
            "Hello world"
        );
        assert_eq!(
            p("Content-Type: text/html\r\n\r\n<html><body><p>Hi <b>there</b></p></body></html>"),
            "Hi there"
        );
        assert_eq!(p("Subject: x\r\n\r\n").len(), 0);
        let long = format!("Subject: x\r\n\r\n{}", "é".repeat(500));
        assert_eq!(p(&long).chars().count(), PREVIEW_CHARS);
    }
}
