//! Running text: sentences and paragraphs in a language, subjects, and a letter around them
//! (greeting, closing, signature, the quoted message it answers), written out as text/plain
//! lines (under 78 characters, CRLF) or as HTML of the same text.

use super::words::{Lang, pick};

/// Columns of a text/plain line before quoting (quoting adds two per level; RFC 5322 §2.1.1
/// asks for 78 at most).
const WIDTH: usize = 72;

/// A subject line in `lang`: a few words, sometimes a ticket number, a question or an emoji.
pub(super) fn subject(rng: &mut fastrand::Rng, lang: Lang) -> String {
    let mut s = String::new();
    if rng.u8(0..10) == 0 {
        s.push_str(pick(
            rng,
            &["[team] ", "[ops] ", "[URGENT] ", "[project-x] "],
        ));
    }
    let n = if rng.u8(0..8) == 0 {
        rng.usize(8..16)
    } else {
        rng.usize(2..7)
    };
    let mut words = String::new();
    for _ in 0..n {
        join(&mut words, lang, lang.word(rng));
    }
    capitalize_into(&mut s, &words);
    match rng.u8(0..20) {
        0..2 => s.push('?'),
        2..4 => s.push_str(&format!(" #{}", rng.u32(1000..99_999))),
        4 => s.push_str(pick(rng, &[" 🎉", " ✅", " 📅"])),
        _ => {}
    }
    s
}

/// `Re: ` and the parent's subject, which keeps its own `Re:` (replies don't stack them).
pub(super) fn reply_subject(parent: &str) -> String {
    let starts_re = parent.len() >= 3 && parent.as_bytes()[..3].eq_ignore_ascii_case(b"re:");
    if starts_re {
        parent.to_owned()
    } else {
        format!("Re: {parent}")
    }
}

/// `w` with its first letter in upper case.
fn capitalize_into(s: &mut String, w: &str) {
    let mut chars = w.chars();
    if let Some(c) = chars.next() {
        s.extend(c.to_uppercase());
        s.push_str(chars.as_str());
    }
}

/// Appends `w` to `s` with the space that separates them: always between words of spaced
/// languages; in Japanese and Chinese only next to Latin letters and digits (the shared
/// [`WORDS`](super::WORDS) stay whole words there too).
fn join(s: &mut String, lang: Lang, w: &str) {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !s.is_empty() && (lang.spaced() || latin(s.chars().next_back()) || latin(w.chars().next())) {
        s.push(' ');
    }
    s.push_str(w);
}

/// A sentence of 5 to 17 words.
fn sentence(rng: &mut fastrand::Rng, lang: Lang) -> String {
    let (stop, comma) = lang.stops();
    let mut words = String::with_capacity(120);
    let n = rng.usize(5..18);
    for i in 0..n {
        join(&mut words, lang, lang.word(rng));
        if i > 1 && i + 1 < n && rng.u8(0..8) == 0 {
            words.push_str(comma);
        }
    }
    words.push_str(if lang.spaced() && rng.u8(0..8) == 0 {
        "?"
    } else {
        stop
    });
    let mut s = String::with_capacity(words.len() + 2);
    capitalize_into(&mut s, &words);
    s
}

/// A paragraph of 1 to 5 sentences (one unbroken line; wrapped when written out).
fn paragraph(rng: &mut fastrand::Rng, lang: Lang) -> String {
    let mut p = String::with_capacity(400);
    for _ in 0..rng.usize(1..6) {
        let sentence = sentence(rng, lang);
        join(&mut p, lang, &sentence);
    }
    p
}

/// Paragraphs until they hold about `chars` characters (at least one).
fn paragraphs(rng: &mut fastrand::Rng, lang: Lang, chars: usize) -> Vec<String> {
    let mut ps = Vec::new();
    let mut n = 0;
    while n < chars || ps.is_empty() {
        let p = paragraph(rng, lang);
        n += p.chars().count() + 2;
        ps.push(p);
    }
    ps
}

/// What a letter is made of.
pub(super) struct Letter {
    lang: Lang,
    blocks: Vec<Block>,
}

enum Block {
    /// A short line of its own: the closing, the name under it.
    Line(String),
    /// A paragraph.
    Para(String),
    /// The message answered.
    Quote(Quote),
    /// After `-- `.
    Signature(Vec<String>),
}

/// A quoted message: "On …, … wrote:" and its text, itself perhaps quoting another.
struct Quote {
    attribution: String,
    paras: Vec<String>,
    inner: Option<Box<Quote>>,
}

/// What to write.
pub(super) struct Brief<'a> {
    /// The language.
    pub lang: Lang,
    /// About how many characters of text, quote included.
    pub chars: usize,
    /// First name of the recipient, for the greeting.
    pub greet: &'a str,
    /// Full name of the sender, under the closing.
    pub sender: &'a str,
    /// Signature lines, if the sender has one.
    pub signature: Option<Vec<String>>,
    /// Attribution lines of the quoted messages, the parent's first (empty: not a reply).
    pub quoting: Vec<String>,
}

impl Letter {
    /// A letter as [`Brief`] says: the reply above the quote (or, one time in four, below it).
    pub(super) fn compose(rng: &mut fastrand::Rng, b: Brief<'_>) -> Letter {
        let own = if b.quoting.is_empty() {
            b.chars
        } else {
            b.chars / 2
        };
        let mut blocks = vec![Block::Para(b.lang.greeting(rng, b.greet))];
        blocks.extend(paragraphs(rng, b.lang, own).into_iter().map(Block::Para));
        blocks.push(Block::Line(b.lang.closing(rng).to_owned()));
        blocks.push(Block::Line(b.sender.to_owned()));
        if let Some(sig) = b.signature {
            blocks.push(Block::Signature(sig));
        }
        let mut quote = None;
        for (depth, attribution) in b.quoting.into_iter().enumerate().rev() {
            let chars = (b.chars - own) >> depth;
            let paras = paragraphs(rng, b.lang, chars);
            quote = Some(Quote {
                attribution,
                paras,
                inner: quote.map(Box::new),
            });
        }
        if let Some(q) = quote {
            if rng.u8(0..4) == 0 {
                blocks.insert(0, Block::Quote(q));
            } else {
                blocks.push(Block::Quote(q));
            }
        }
        Letter {
            lang: b.lang,
            blocks,
        }
    }

    /// The letter as text/plain: CRLF line ends, lines under 78 characters, quotes as `> `.
    pub(super) fn plain(&self) -> String {
        let mut out = String::with_capacity(self.len_hint());
        for (i, b) in self.blocks.iter().enumerate() {
            match b {
                Block::Line(l) => wrap(self.lang, l, WIDTH, "", &mut out),
                Block::Para(p) => {
                    wrap(self.lang, p, WIDTH, "", &mut out);
                    out.push_str("\r\n");
                }
                Block::Quote(q) => {
                    if i > 0 {
                        out.push_str("\r\n");
                    }
                    quote_plain(self.lang, q, "", &mut out);
                    out.push_str("\r\n");
                }
                Block::Signature(lines) => {
                    out.push_str("-- \r\n");
                    for l in lines {
                        wrap(self.lang, l, WIDTH, "", &mut out);
                    }
                }
            }
        }
        out
    }

    /// The letter as an HTML document in the style of a mailer, with `images` (Content-IDs)
    /// shown after the first paragraph past the greeting (or at the end). Source lines stay short, as mailers write them.
    pub(super) fn html(&self, style: HtmlStyle, charset: &str, images: &[String]) -> String {
        let mut h = String::with_capacity(self.len_hint() * 3 / 2 + 1500);
        h.push_str("<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; ");
        h.push_str(&format!("charset={charset}\">\r\n"));
        let (open, close) = match style {
            HtmlStyle::Simple => ("<p>", "</p>"),
            HtmlStyle::Gmail => ("<div>", "</div><div><br></div>"),
            HtmlStyle::Outlook => ("<p class=\"MsoNormal\">", "<o:p></o:p></p>"),
        };
        if style == HtmlStyle::Outlook {
            h.push_str(OUTLOOK_HEAD);
            h.push_str("</head>\r\n<body lang=\"EN-US\" link=\"#0563C1\" vlink=\"#954F72\">\r\n");
            h.push_str("<div class=\"WordSection1\">\r\n");
        } else {
            h.push_str("</head>\r\n<body>\r\n<div dir=\"ltr\">\r\n");
        }
        let mut images = images.iter();
        let mut paras = 0;
        for b in &self.blocks {
            match b {
                Block::Line(l) => para_html(self.lang, open, close, l, &mut h),
                Block::Para(p) => {
                    para_html(self.lang, open, close, p, &mut h);
                    paras += 1;
                    if paras == 2 {
                        for cid in images.by_ref() {
                            h.push_str(&format!(
                                "<img src=\"cid:{cid}\" width=\"640\" height=\"480\" alt=\"\">\r\n"
                            ));
                        }
                    }
                }
                Block::Quote(q) => quote_html(self.lang, open, close, q, &mut h),
                Block::Signature(lines) => {
                    h.push_str("<div class=\"signature\">-- <br>\r\n");
                    for l in lines {
                        escape_into(l, &mut h);
                        h.push_str("<br>\r\n");
                    }
                    h.push_str("</div>\r\n");
                }
            }
        }
        for cid in images {
            h.push_str(&format!(
                "<img src=\"cid:{cid}\" width=\"200\" height=\"60\" alt=\"\">\r\n"
            ));
        }
        h.push_str("</div>\r\n</body>\r\n</html>\r\n");
        h
    }

    /// About the size of the plain rendering.
    fn len_hint(&self) -> usize {
        fn quote_len(q: &Quote) -> usize {
            q.paras.iter().map(|p| p.len() * 11 / 10 + 4).sum::<usize>()
                + q.inner.as_deref().map_or(0, quote_len)
        }
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Line(l) | Block::Para(l) => l.len() * 21 / 20 + 4,
                Block::Quote(q) => quote_len(q),
                Block::Signature(s) => s.iter().map(|l| l.len() + 2).sum(),
            })
            .sum::<usize>()
            + 64
    }
}

/// A quote as text/plain: each line of the quoted text prefixed with `> ` per level.
fn quote_plain(lang: Lang, q: &Quote, prefix: &str, out: &mut String) {
    wrap(lang, &q.attribution, WIDTH, prefix, out);
    let inner = format!("{prefix}> ");
    let width = WIDTH.saturating_sub(inner.len()).max(20);
    for (i, p) in q.paras.iter().enumerate() {
        if i > 0 {
            out.push_str(inner.trim_end());
            out.push_str("\r\n");
        }
        wrap(lang, p, width, &inner, out);
    }
    if let Some(q) = &q.inner {
        out.push_str(inner.trim_end());
        out.push_str("\r\n");
        quote_plain(lang, q, &inner, out);
    }
}

/// A quote as HTML: a cite blockquote.
fn quote_html(lang: Lang, open: &str, close: &str, q: &Quote, h: &mut String) {
    para_html(lang, "<div>", "</div>", &q.attribution, h);
    h.push_str("<blockquote type=\"cite\" style=\"margin:0 0 0 .8ex;");
    h.push_str("border-left:1px #ccc solid;padding-left:1ex\">\r\n");
    for p in &q.paras {
        para_html(lang, open, close, p, h);
    }
    if let Some(q) = &q.inner {
        quote_html(lang, open, close, q, h);
    }
    h.push_str("</blockquote>\r\n");
}

/// One paragraph as HTML source, wrapped.
fn para_html(lang: Lang, open: &str, close: &str, text: &str, h: &mut String) {
    h.push_str(open);
    h.push_str("\r\n");
    let mut escaped = String::with_capacity(text.len() + 16);
    escape_into(text, &mut escaped);
    wrap(lang, &escaped, WIDTH, "", h);
    h.push_str(close);
    h.push_str("\r\n");
}

/// `text` with HTML's special characters escaped.
fn escape_into(text: &str, h: &mut String) {
    for c in text.chars() {
        match c {
            '&' => h.push_str("&amp;"),
            '<' => h.push_str("&lt;"),
            '>' => h.push_str("&gt;"),
            '"' => h.push_str("&quot;"),
            _ => h.push(c),
        }
    }
}

/// Appends `text` as lines of at most `width` columns after `prefix`, each ending in CRLF,
/// broken at spaces; in Japanese and Chinese also between any two of their characters (two
/// columns wide each), never inside a Latin word.
fn wrap(lang: Lang, text: &str, width: usize, prefix: &str, out: &mut String) {
    let (mut col, mut space) = (0, false);
    out.push_str(prefix);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let end = if c == ' ' {
            1
        } else if lang.spaced() || c.is_ascii() {
            rest.find(|x: char| x == ' ' || (!lang.spaced() && !x.is_ascii()))
                .unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        let (seg, tail) = rest.split_at(end);
        rest = tail;
        if seg == " " {
            space = true;
            continue;
        }
        let w = if c.is_ascii() || lang.spaced() {
            seg.chars().count()
        } else {
            2
        };
        if col > 0 && col + usize::from(space) + w > width {
            out.push_str("\r\n");
            out.push_str(prefix);
            col = 0;
        } else if space && col > 0 {
            out.push(' ');
            col += 1;
        }
        space = false;
        out.push_str(seg);
        col += w;
    }
    out.push_str("\r\n");
}

/// How a mailer writes HTML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HtmlStyle {
    /// `<p>` paragraphs (Thunderbird, Apple Mail, webmail).
    Simple,
    /// `<div>` lines with `<br>` spacers.
    Gmail,
    /// Word's HTML: a style sheet of Mso classes in the head.
    Outlook,
}

/// The head of Outlook's HTML (about 1.3 KB of style sheet that every such message carries).
const OUTLOOK_HEAD: &str =
    "<meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">\r
<style><!--\r
/* Font Definitions */\r
@font-face\r
\t{font-family:\"Cambria Math\";\r
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\r
@font-face\r
\t{font-family:Calibri;\r
\tpanose-1:2 15 5 2 2 2 4 3 2 4;}\r
@font-face\r
\t{font-family:Aptos;}\r
/* Style Definitions */\r
p.MsoNormal, li.MsoNormal, div.MsoNormal\r
\t{margin:0cm;\r
\tfont-size:11.0pt;\r
\tfont-family:\"Aptos\",sans-serif;\r
\tmso-ligatures:standardcontextual;\r
\tmso-fareast-language:EN-US;}\r
a:link, span.MsoHyperlink\r
\t{mso-style-priority:99;\r
\tcolor:#467886;\r
\ttext-decoration:underline;}\r
span.EmailStyle17\r
\t{mso-style-type:personal-compose;\r
\tfont-family:\"Aptos\",sans-serif;\r
\tcolor:windowtext;}\r
.MsoChpDefault\r
\t{mso-style-type:export-only;\r
\tfont-size:11.0pt;\r
\tmso-fareast-language:EN-US;}\r
@page WordSection1\r
\t{size:612.0pt 792.0pt;\r
\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}\r
div.WordSection1\r
\t{page:WordSection1;}\r
--></style><!--[if gte mso 9]><xml>\r
<o:shapedefaults v:ext=\"edit\" spidmax=\"1026\" />\r
</xml><![endif]--><!--[if gte mso 9]><xml>\r
<o:shapelayout v:ext=\"edit\">\r
<o:idmap v:ext=\"edit\" data=\"1\" />\r
</o:shapelayout></xml><![endif]-->\r
";

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain renderings keep to short CRLF lines in every language, quotes included.
    #[test]
    fn plain_lines_are_short_and_quoted() {
        let mut rng = fastrand::Rng::with_seed(7);
        for lang in [
            Lang::English,
            Lang::German,
            Lang::Russian,
            Lang::Japanese,
            Lang::Chinese,
        ] {
            let brief = Brief {
                lang,
                chars: 3000,
                greet: "Anna",
                sender: "Bob Smith",
                signature: Some(vec!["Bob Smith".into(), "+1 555 0100".into()]),
                quoting: vec!["On Monday, A wrote:".into(), "On Sunday, B wrote:".into()],
            };
            let text = Letter::compose(&mut rng, brief).plain();
            assert!(text.ends_with("\r\n"));
            assert!(text.len() > 2000, "{}", text.len());
            for line in text.split("\r\n") {
                assert!(!line.contains('\r') && !line.contains('\n'));
                assert!(line.chars().count() < 78, "{lang:?}: {line}");
            }
            assert!(text.contains("\r\n> "), "{lang:?}");
            assert!(text.contains("\r\n> > "), "{lang:?}");
        }
        assert_eq!(reply_subject("Budget"), "Re: Budget");
        assert_eq!(reply_subject("RE: Budget"), "RE: Budget");
    }
}
