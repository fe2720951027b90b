//! Who a realistic message is from and to, and the fields its author's mailer writes: From,
//! To, Cc (display names as atoms, quoted strings or RFC 2047 encoded-words), Subject, Date,
//! Message-ID, In-Reply-To, References, Content-Language. The fields relays add before them are
//! [`trace`](super::trace)'s.
//!
//! Fields are folded between words (RFC 5322 §2.2.3) so that their lines stay under 78
//! characters.

use super::charset::{Charset, encoded_words};
use super::date::When;
use super::text::HtmlStyle;
use super::words::{Lang, pick};

/// Someone in the address fields.
#[derive(Clone)]
pub(super) struct Person {
    /// Display name (may be empty: the address alone).
    pub name: String,
    /// First name, for a greeting.
    pub first: &'static str,
    /// Family name, for a signature.
    pub last: &'static str,
    /// addr-spec.
    pub addr: String,
    /// The language of the name.
    pub lang: Lang,
}

impl Person {
    /// A person writing in `lang`, at an address made from the name.
    pub(super) fn draw(rng: &mut fastrand::Rng, lang: Lang) -> Person {
        let (first, last) = lang.name(rng);
        let addr = format!("{}@{}", lang.local_part(rng, first, last), lang.domain(rng));
        Person::named(rng, lang, first, last, addr)
    }

    /// A person of `lang` with a given address.
    pub(super) fn at(rng: &mut fastrand::Rng, lang: Lang, addr: &str) -> Person {
        let (first, last) = lang.name(rng);
        Person::named(rng, lang, first, last, addr.to_owned())
    }

    fn named(
        rng: &mut fastrand::Rng,
        lang: Lang,
        first: &'static str,
        last: &'static str,
        addr: String,
    ) -> Person {
        let name = match rng.u8(0..20) {
            0..2 => String::new(),
            2..4 if lang.spaced() => format!("{last}, {first}"),
            _ => lang.full_name(first, last),
        };
        Person {
            name,
            first,
            last,
            addr,
            lang,
        }
    }
}

/// The software that wrote the message, which decides its extra fields and its HTML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mailer {
    Gmail,
    Outlook,
    Thunderbird,
    AppleMail,
    /// A mailing list (Mailman) relaying a member's message.
    List,
    /// A bulk sender's newsletter.
    Newsletter,
    Webmail,
}

impl Mailer {
    /// A mailer in roughly the proportions of a work mailbox.
    pub(super) fn draw(rng: &mut fastrand::Rng) -> Mailer {
        match rng.u8(0..100) {
            0..28 => Mailer::Gmail,
            28..52 => Mailer::Outlook,
            52..62 => Mailer::Thunderbird,
            62..72 => Mailer::AppleMail,
            72..84 => Mailer::List,
            84..92 => Mailer::Newsletter,
            _ => Mailer::Webmail,
        }
    }

    /// How it writes HTML.
    pub(super) fn html_style(self) -> HtmlStyle {
        match self {
            Mailer::Gmail => HtmlStyle::Gmail,
            Mailer::Outlook => HtmlStyle::Outlook,
            _ => HtmlStyle::Simple,
        }
    }
}

/// Everything the header section says.
pub(super) struct Envelope<'a> {
    pub from: &'a Person,
    /// The recipient the message was delivered to comes first.
    pub to: &'a [Person],
    pub cc: &'a [Person],
    /// Decoded; encoded-words are chosen here.
    pub subject: &'a str,
    /// The charset encoded-words prefer (UTF-8 where it can't write the text).
    pub charset: Charset,
    pub date: When,
    /// Without angle brackets, as are the two below.
    pub msgid: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
    pub mailer: Mailer,
    pub lang: Lang,
    /// Received fields (hops from the author to the recipient's mailbox).
    pub hops: usize,
}

/// Writes one field, folding between words so that lines stay within 76 columns where words
/// allow (encoded-words need that, RFC 2047 §2).
struct Field<'o> {
    out: &'o mut Vec<u8>,
    col: usize,
}

impl<'o> Field<'o> {
    fn new(out: &'o mut Vec<u8>, name: &str) -> Field<'o> {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        Field {
            out,
            col: name.len() + 1,
        }
    }

    /// A space (or a fold) and `w`.
    fn word(&mut self, w: &str) {
        if self.col + 1 + w.len() > 76 && self.col > 1 {
            self.out.extend_from_slice(b"\r\n ");
            self.col = 1;
        } else {
            self.out.push(b' ');
            self.col += 1;
        }
        self.out.extend_from_slice(w.as_bytes());
        self.col += w.len();
    }

    fn end(self) {
        self.out.extend_from_slice(b"\r\n");
    }
}

/// Unstructured text (Subject): as is when ASCII, else encoded-words for all of it or (one time
/// in three) for each run of words that needs them, the runs holding their inner spaces.
pub(super) fn text_words(rng: &mut fastrand::Rng, text: &str, cs: Charset) -> Vec<String> {
    if text.is_ascii() {
        return text.split(' ').map(str::to_owned).collect();
    }
    let cs = if cs == Charset::UsAscii {
        Charset::Utf8
    } else {
        cs.or_utf8(text)
    };
    let (q, upper) = (rng.bool(), rng.bool());
    let encode = |s: &str| encoded_words(s, cs, q, upper).unwrap_or_default();
    if rng.u8(0..3) > 0 {
        return encode(text);
    }
    let mut words = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for w in text.split(' ') {
        if w.is_ascii() {
            if !run.is_empty() {
                words.extend(encode(&run.join(" ")));
                run.clear();
            }
            words.push(w.to_owned());
        } else {
            run.push(w);
        }
    }
    if !run.is_empty() {
        words.extend(encode(&run.join(" ")));
    }
    words
}

/// A mailbox as the words of an address field: phrase (atoms, a quoted string or
/// encoded-words) and `<addr>`.
fn mailbox_words(rng: &mut fastrand::Rng, p: &Person, cs: Charset) -> Vec<String> {
    let name = &p.name;
    let mut words = if name.is_empty() {
        return vec![format!("<{}>", p.addr)];
    } else if !name.is_ascii() {
        let cs = if cs == Charset::UsAscii {
            Charset::Utf8
        } else {
            cs.or_utf8(name)
        };
        encoded_words(name, cs, rng.bool(), rng.bool()).unwrap_or_default()
    } else if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '-".contains(&b))
    {
        name.split(' ').map(str::to_owned).collect()
    } else {
        vec![format!(
            "\"{}\"",
            name.replace('\\', "\\\\").replace('"', "\\\"")
        )]
    };
    words.push(format!("<{}>", p.addr));
    words
}

/// An address field of `people`, comma-separated.
fn address_field(
    out: &mut Vec<u8>,
    rng: &mut fastrand::Rng,
    name: &str,
    people: &[Person],
    cs: Charset,
) {
    let mut f = Field::new(out, name);
    for (i, p) in people.iter().enumerate() {
        let mut words = mailbox_words(rng, p, cs);
        if i + 1 < people.len()
            && let Some(last) = words.last_mut()
        {
            last.push(',');
        }
        for w in &words {
            f.word(w);
        }
    }
    f.end();
}

/// The domain of an addr-spec.
pub(super) fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map_or("example.org", |(_, d)| d)
}

/// Writes the author's fields of `e`: From, To, Cc, Subject, Date, Message-ID, In-Reply-To,
/// References, Content-Language (the trace before them is [`trace::write`](super::trace::write)'s).
pub(super) fn write(out: &mut Vec<u8>, rng: &mut fastrand::Rng, e: &Envelope<'_>) {
    address_field(out, rng, "From", std::slice::from_ref(e.from), e.charset);
    address_field(out, rng, "To", e.to, e.charset);
    if !e.cc.is_empty() {
        address_field(out, rng, "Cc", e.cc, e.charset);
    }
    let mut f = Field::new(out, "Subject");
    for w in text_words(rng, e.subject, e.charset) {
        f.word(&w);
    }
    f.end();
    out.extend_from_slice(
        format!(
            "Date: {}\r\nMessage-ID: <{}>\r\n",
            e.date.rfc5322(),
            e.msgid
        )
        .as_bytes(),
    );
    if let Some(parent) = e.in_reply_to {
        out.extend_from_slice(format!("In-Reply-To: <{parent}>\r\n").as_bytes());
    }
    if !e.references.is_empty() {
        let mut f = Field::new(out, "References");
        for r in e.references {
            f.word(&format!("<{r}>"));
        }
        f.end();
    }
    let lang = match e.lang {
        Lang::English => pick(rng, &["en-US", "en-GB"]),
        Lang::German => "de-DE",
        Lang::French => "fr-FR",
        Lang::Spanish => "es-ES",
        Lang::Russian => "ru-RU",
        Lang::Japanese => "ja-JP",
        Lang::Chinese => "zh-CN",
    };
    if rng.u8(0..3) > 0 {
        out.extend_from_slice(format!("Content-Language: {lang}\r\n").as_bytes());
    }
}
