//! The messages the load generator appends and imports.
//!
//! - [`message`]: plain-text mail of about a chosen size with the Message-ID the client gives
//!   it, written from the small word list `WORDS` that `SEARCH BODY` also draws its needles
//!   from. Cheap and uniform: the APPEND of the command mix.
//! - [`realistic`]: mail shaped like a real mailbox's (sizes, MIME structures, headers,
//!   charsets, threads), still full of `WORDS`; [`write_maildir`] writes a folder of it for
//!   bulk imports.
//!
//! How [`realistic`] writes one message:
//!
//! ```text
//!   shape ────────▶ Shape; sizes of text and attachments
//!   words, date ──▶ language, people, mailer, date
//!   text ─────────▶ the letter: greeting, paragraphs, quote of the parent, signature
//!        │
//!        ▼  bytes, in order:
//!   trace ────────▶ Return-Path, Received, Authentication-Results, DKIM, mailer/list fields
//!   headers ──────▶ From, To, Cc, Subject, Date, Message-ID, In-Reply-To, References
//!   mime ─────────▶ MIME-Version and the parts: text and HTML in their transfer encodings
//!                   (encoding), files, inline images, a forwarded message (attach)
//!
//!   charset: text in charsets, RFC 2047 encoded-words, RFC 2231 file names (for all three)
//! ```

mod attach;
mod charset;
mod date;
mod encoding;
mod files;
mod headers;
mod mime;
mod shape;
mod text;
mod trace;
mod words;

pub use files::write_maildir;
pub use shape::Shape;

use charset::Charset;
use date::When;
use headers::{Envelope, Mailer, Person};
use text::{Brief, Letter};
use words::{Lang, pick};

/// Words the generated messages are made of (and BODY searches look for).
pub(crate) const WORDS: [&str; 24] = [
    "invoice",
    "meeting",
    "project",
    "quarterly",
    "report",
    "budget",
    "schedule",
    "review",
    "deadline",
    "customer",
    "server",
    "release",
    "holiday",
    "travel",
    "contract",
    "draft",
    "summary",
    "question",
    "update",
    "lunch",
    "status",
    "minutes",
    "agenda",
    "proposal",
];

/// A message of about `size` bytes with a unique Message-ID.
pub fn message(
    rng: &mut fastrand::Rng,
    to: &str,
    subject: &str,
    msgid: &str,
    size: usize,
) -> Vec<u8> {
    let mut m = format!(
        "From: Load Generator <loadgen@example.org>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{msgid}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    .into_bytes();
    let mut line = String::new();
    while m.len() < size {
        line.clear();
        while line.len() < 70 {
            line.push_str(WORDS[rng.usize(0..WORDS.len())]);
            line.push(' ');
        }
        m.extend_from_slice(line.trim_end().as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    m
}

/// What the caller knows about the message it wants.
#[derive(Debug, Clone, Copy)]
pub struct Wanted<'a> {
    /// The recipient's address (addr-spec, no angle brackets): first in To, and the mailbox
    /// the trace fields deliver to.
    pub to: &'a str,
    /// The Message-ID, without angle brackets.
    pub msgid: &'a str,
    /// The message this one answers, if it is a reply.
    pub reply_to: Option<Parent<'a>>,
}

/// A message a reply answers: what threading (RFC 5322 §3.6.4) takes from it.
#[derive(Debug, Clone, Copy)]
pub struct Parent<'a> {
    /// Its Message-ID, without angle brackets.
    pub msgid: &'a str,
    /// Its References, without angle brackets ([`Generated::references`] of the parent).
    pub references: &'a [String],
    /// Its decoded subject ([`Generated::subject`] of the parent).
    pub subject: &'a str,
}

/// A generated message and what a caller needs to check it or to answer it.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The message: CRLF line ends, no line over 998 octets, no NUL (RFC 5322 §2.1.1).
    pub bytes: Vec<u8>,
    /// Its MIME structure.
    pub shape: Shape,
    /// Its Subject, decoded.
    pub subject: String,
    /// Its References field, without angle brackets: the parent's references and the parent
    /// (the thread's root and the newest, at most ten); empty if it answers nothing. A reply to
    /// this message takes it as [`Parent::references`].
    pub references: Vec<String>,
}

/// References a message keeps: the thread's root and the newest others, as mailers trim them.
const MAX_REFERENCES: usize = 10;

/// A message shaped like real mail (see [`Shape`] for the structures and their shares): 2-5 KB
/// of headers as relays and mailers write them, text in one of seven languages and eight
/// charsets, encoded-words, attachments; the whole a median of about 10 KB, a 90th percentile
/// of about 90 KB and at most 1 MiB. Its body text is full of `WORDS`. When
/// `w.reply_to` is set it answers that message: `Re:` subject, In-Reply-To, References and a
/// quote. The same `rng` state gives the same message.
pub fn realistic(rng: &mut fastrand::Rng, w: &Wanted<'_>) -> Generated {
    let plan = shape::plan(rng);
    let lang = Lang::draw(rng);
    let mailer = Mailer::draw(rng);
    let charset = Charset::draw(rng, lang);
    let from_lang = if rng.u8(0..5) == 0 {
        Lang::draw(rng)
    } else {
        lang
    };
    let from = Person::draw(rng, from_lang);
    let mut to = vec![Person::at(rng, lang, w.to)];
    if rng.u8(0..5) == 0 {
        to.extend((0..rng.usize(1..3)).map(|_| Person::draw(rng, lang)));
    }
    let cc: Vec<Person> = match rng.u8(0..10) {
        0..3 => (0..rng.usize(1..4))
            .map(|_| Person::draw(rng, lang))
            .collect(),
        _ => Vec::new(),
    };
    let date = When::draw(rng, lang);
    let forwarded = match plan.shape {
        Shape::Mixed {
            forwarded: true, ..
        } => Some(forwarded_message(
            rng,
            lang,
            &from,
            date,
            plan.forwarded_chars,
        )),
        _ => None,
    };
    let subject = match (&w.reply_to, &forwarded) {
        (Some(p), _) => text::reply_subject(p.subject),
        (None, Some((_, s))) => format!("Fwd: {s}"),
        (None, None) => text::subject(rng, lang),
    };
    let references = w.reply_to.map(|p| thread(&p)).unwrap_or_default();
    let mut quoting = Vec::new();
    if let Some(p) = &w.reply_to {
        // The parent is most likely the recipient's; what it quoted, the sender's.
        let when = |rng: &mut fastrand::Rng, back: i64| {
            date.later(-rng.i64(600..86_400 * back), date.zone)
        };
        quoting.push(lang.attribution(&when(rng, 3).rfc5322(), &signed(&to[0])));
        if !p.references.is_empty() {
            quoting.push(lang.attribution(&when(rng, 9).rfc5322(), &signed(&from)));
        }
    }
    let sender = if from.name.is_empty() {
        from.first.to_owned()
    } else {
        from.name.clone()
    };
    let signature = signature(rng, &from);
    let letter = Letter::compose(
        rng,
        Brief {
            lang,
            chars: plan.text_chars,
            greet: to[0].first,
            sender: &sender,
            signature,
            quoting,
        },
    );
    let env = Envelope {
        from: &from,
        to: &to,
        cc: &cc,
        subject: &subject,
        charset,
        date,
        msgid: w.msgid,
        in_reply_to: w.reply_to.map(|p| p.msgid),
        references: &references,
        mailer,
        lang,
        hops: pick(rng, &[2, 2, 3, 3, 3, 4, 4, 5, 6]),
    };
    let attached: usize = plan.attachments.iter().chain(&plan.images).sum();
    let mut out = Vec::with_capacity(attached * 78 / 57 + plan.text_chars * 4 + 8192);
    trace::write(&mut out, rng, &env);
    headers::write(&mut out, rng, &env);
    let body = mime::Body {
        plan: &plan,
        letter: &letter,
        charset,
        lang,
        style: mailer.html_style(),
        forwarded: forwarded.as_ref().map(|(m, _)| m.as_slice()),
    };
    mime::write(&mut out, rng, &body);
    Generated {
        bytes: out,
        shape: plan.shape,
        subject,
        references,
    }
}

/// The References of a reply to `p`: `p`'s own and `p`, trimmed to the root and the newest.
fn thread(p: &Parent<'_>) -> Vec<String> {
    let mut refs: Vec<String> = p.references.to_vec();
    refs.push(p.msgid.to_owned());
    if refs.len() > MAX_REFERENCES {
        refs.drain(1..refs.len() - (MAX_REFERENCES - 1));
    }
    refs
}

/// `Name <addr>` for an attribution line.
fn signed(p: &Person) -> String {
    if p.name.is_empty() {
        format!("<{}>", p.addr)
    } else {
        format!("{} <{}>", p.name, p.addr)
    }
}

/// A signature block, for three senders in five.
fn signature(rng: &mut fastrand::Rng, p: &Person) -> Option<Vec<String>> {
    if rng.u8(0..5) >= 3 {
        return None;
    }
    let title = pick(
        rng,
        &[
            "Project Manager",
            "Senior Engineer",
            "Head of Sales",
            "Accountant",
            "CTO",
        ],
    );
    let org = pick(
        rng,
        &["Acme Corp.", "Globex GmbH", "Initech SARL", "Umbrella Ltd"],
    );
    Some(vec![
        p.lang.full_name(p.first, p.last),
        format!("{title} | {org}"),
        format!(
            "+{} {} {:04} {:04}",
            rng.u8(1..50),
            rng.u16(10..999),
            rng.u16(..10_000),
            rng.u16(..10_000)
        ),
        format!(
            "https://www.{}",
            p.addr.rsplit_once('@').map_or("example.org", |(_, d)| d)
        ),
    ])
}

/// A small message of its own, received by `forwarder` some time before `forwarded_at` and
/// forwarded inside another (message/rfc822), and its subject.
fn forwarded_message(
    rng: &mut fastrand::Rng,
    lang: Lang,
    forwarder: &Person,
    forwarded_at: When,
    chars: usize,
) -> (Vec<u8>, String) {
    let author = Person::draw(rng, lang);
    let to = [forwarder.clone()];
    let subject = text::subject(rng, lang);
    let charset = Charset::draw(rng, lang);
    let mailer = Mailer::draw(rng);
    let plan = shape::Plan::text_only(rng, chars);
    let letter = Letter::compose(
        rng,
        Brief {
            lang,
            chars,
            greet: to[0].first,
            sender: &author.name,
            signature: None,
            quoting: Vec::new(),
        },
    );
    let msgid = format!(
        "{:016x}@{}",
        rng.u64(..),
        author
            .addr
            .rsplit_once('@')
            .map_or("example.org", |(_, d)| d)
    );
    let env = Envelope {
        from: &author,
        to: &to,
        cc: &[],
        subject: &subject,
        charset,
        date: forwarded_at.later(-rng.i64(3_600..30 * 86_400), When::draw(rng, lang).zone),
        msgid: &msgid,
        in_reply_to: None,
        references: &[],
        mailer,
        lang,
        hops: rng.usize(0..3),
    };
    let mut out = Vec::with_capacity(chars * 4 + 4096);
    trace::write(&mut out, rng, &env);
    headers::write(&mut out, rng, &env);
    let body = mime::Body {
        plan: &plan,
        letter: &letter,
        charset,
        lang,
        style: mailer.html_style(),
        forwarded: None,
    };
    mime::write(&mut out, rng, &body);
    (out, subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::quote;

    #[test]
    fn messages_have_the_size_and_id() {
        let mut rng = fastrand::Rng::with_seed(2);
        let m = message(&mut rng, "u@example.org", "s", "id@x", 4000);
        let text = String::from_utf8(m.clone()).unwrap();
        assert!(m.len() >= 4000 && m.len() < 4100);
        assert!(text.contains("Message-ID: <id@x>\r\n"));
        assert!(text.lines().all(|l| l.len() < 100));
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}

#[cfg(test)]
mod realistic_test;
