//! Text keys (FROM, TO, CC, BCC, SUBJECT, HEADER, BODY, TEXT) on the corpus and on small
//! messages in several scripts, charsets and transfer encodings.

use crate::testutil::{Fixture, check_table, corpus, ctx, hits, key, numbered};
use crate::{matches, needs_text};

/// Names `01`..`40` except those listed.
fn all_but(skip: &[&str]) -> Vec<String> {
    (1..=40)
        .map(|i| format!("{i:02}"))
        .filter(|n| !skip.contains(&n.as_str()))
        .collect()
}

#[test]
fn address_fields_on_the_corpus() {
    let c = corpus();
    assert_eq!(c.len(), 40);
    check_table(
        &c,
        &[
            ("FROM joerg", &["06", "13"]),
            ("FROM \"JÖRG\"", &["06", "13"]),
            ("FROM \"müller\"", &["06", "13"]),
            ("FROM ivan", &["04", "08"]),
            ("FROM \"иван\"", &["08"]),
            ("FROM \"ИВАН ПЕТРОВ\"", &["08"]),
            ("FROM \"日本語\"", &["09"]),
            ("FROM \"山田\"", &["10"]),
            ("FROM \"สมชาย\"", &["11"]),
            ("FROM \"andré\"", &["07"]),
            ("FROM \"ANDRÉ PIRARD <pirard@\"", &["07"]),
            ("FROM \"😀 emoji\"", &["40"]),
            // Nested messages' headers are not the message's From.
            ("FROM mallory", &[]),
            ("FROM second@example.com", &["33"]),
            ("FROM \"the boss\"", &["18"]),
            ("TO \"zoë\"", &["06", "13"]),
            ("TO \"ZOË\"", &["06", "13"]),
            ("TO \"LUKÁŠ ŠKODA\"", &["07"]),
            ("TO \"renée “q”\"", &["08"]),
            ("TO undisclosed-recipients", &["18"]),
            ("TO \"undisclosed recipients\"", &["39"]),
            ("TO a3@example", &["20"]),
            ("CC \"€uro\"", &["07"]),
            ("CC frank", &["02"]),
            ("CC xavier", &["18"]),
            ("CC \"GRÜPPE\"", &["34"]),
            ("BCC zed", &["18"]),
            ("BCC angle-only", &["34"]),
            ("BCC \"\"", &["18", "34"]),
            ("CC \"\"", &["02", "07", "18", "19", "34"]),
        ],
    );
}

#[test]
fn subject_and_header_on_the_corpus() {
    let c = corpus();
    check_table(
        &c,
        &[
            ("SUBJECT \"こんにちは\"", &["09", "10"]),
            ("SUBJECT \"köln\"", &["06"]),
            ("SUBJECT \"KÖLN €\"", &["06"]),
            ("SUBJECT \"grüße\"", &["06", "13"]),
            ("SUBJECT \"GRÜẞE\"", &["06", "13"]),
            // Full case folding is not applied: ß is not "ss" (as in Dovecot).
            ("SUBJECT \"grüsse\"", &[]),
            ("SUBJECT \"ПРИВЕТ\"", &["08"]),
            ("SUBJECT \"สวัสดี\"", &["11"]),
            // Two encoded words in two charsets, joined.
            ("SUBJECT \"read this you understand\"", &["07"]),
            ("SUBJECT \"encoded-words 😀\"", &["40"]),
            ("SUBJECT \"second subject\"", &["33"]),
            ("SUBJECT \"first subject\"", &["33"]),
            // Raw Latin-1 in a header is not UTF-8: its bytes decode to U+FFFD, as in Dovecot.
            ("SUBJECT \"café\"", &[]),
            ("SUBJECT \"caf\u{fffd} cr\"", &["14"]),
            ("SUBJECT \"re: [list]\"", &["02", "29"]),
            // SUBJECT sees the ENVELOPE form (blanks collapsed), HEADER the value as sent.
            ("SUBJECT \"tabs   and\"", &[]),
            ("SUBJECT \"lines with tabs and spaces\"", &["20"]),
            ("HEADER Subject \"tabs   and\"", &["20"]),
            ("HEADER Subject \"tabs and\"", &[]),
            ("SUBJECT \"Hello There\"", &["01"]),
            ("SUBJECT \"hello there!\"", &[]),
            (
                "HEADER Message-ID \"\"",
                &["01", "02", "15", "18", "19", "20", "33"],
            ),
            ("HEADER message-id \"<NODATE@\"", &["15"]),
            ("HEADER X-LONG xxxxxxxxxx", &["20"]),
            ("HEADER In-Reply-To parent", &["02"]),
            ("HEADER Sender \"\"", &["18"]),
            ("HEADER Date \"not a date\"", &["19"]),
            // Only the message's own header, not MIME part headers.
            ("HEADER Content-Description \"\"", &[]),
            ("HEADER X-Missing \"\"", &[]),
        ],
    );
    let with_subject = all_but(&["30"]);
    assert_eq!(hits(&c, "SUBJECT \"\""), with_subject);
}

#[test]
fn body_and_text_on_the_corpus() {
    let c = corpus();
    check_table(
        &c,
        &[
            ("BODY \"café\"", &["04", "07", "14", "39"]),
            ("BODY \"CAFÉ\"", &["04", "07", "14", "39"]),
            // i;unicode-casemap decomposes: "cafe" is a substring of "cafe" + U+0301 (Dovecot
            // answers the same), while an accent inside the match gets in the way.
            ("BODY \"cafe\"", &["04", "07", "14", "39"]),
            ("BODY \"CAFE AU\"", &[]),
            ("BODY \"ＣＡＦÉ\"", &["04", "07", "14", "39"]),
            ("BODY \"ПРАВЕТ, МИР\"", &["08"]),
            ("BODY \"smart quotes\"", &["08"]),
            ("BODY \"世界\"", &["09"]),
            ("BODY \"こんにちは\"", &["09", "10"]),
            ("BODY \"ครับ\"", &["11"]),
            ("BODY \"😀\"", &["40"]),
            ("BODY \"hidden body\"", &["28"]),
            ("BODY \"deepest\"", &["27"]),
            ("BODY \"entry one\"", &["25"]),
            ("BODY \"Très\"", &["38"]),
            ("BODY hello", &["31", "35"]),
            ("BODY \"VOILÀ\"", &["07"]),
            ("BODY \"html version ✓\"", &["02"]),
            ("BODY \"Hello there\"", &[]),
            ("BODY \"grüße\"", &["06"]),
            ("TEXT \"Hello there\"", &["01"]),
            ("TEXT \"subject: hello\"", &["01"]),
            ("TEXT \"doc.pdf\"", &["03"]),
            ("TEXT \"café.bin\"", &["12"]),
            ("TEXT \"€ RATES\"", &["12"]),
            ("TEXT \"beschreibung Ä\"", &["35"]),
            ("TEXT mallory", &["04"]),
            ("TEXT \"ça va\"", &["38"]),
            ("TEXT \"grüße\"", &["06", "12", "13"]),
            (
                "TEXT \"message-id:\"",
                &["01", "02", "04", "15", "18", "19", "20", "33"],
            ),
            ("TEXT \"😀\"", &["40"]),
        ],
    );
    assert_eq!(hits(&c, "BODY \"\""), all_but(&[]));
    assert_eq!(hits(&c, "TEXT \"\""), all_but(&[]));
}

/// Small messages: Arabic base64 body and encoded subject, GB2312 Chinese, Greek sigma,
/// German sharp s in quoted-printable Latin-1, Turkish dotless i, the Kelvin sign.
fn small() -> Vec<Fixture> {
    let raws: [(&str, &str); 5] = [
        (
            "ar",
            "From: =?UTF-8?B?2YXYsdit2KjYpyDYqNin2YTYudin2YTZhQ==?= <ar@example.com>\r\n\
             Subject: =?UTF-8?B?2YXYsdit2KjYpyDYqNin2YTYudin2YTZhQ==?=\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             2KfZhNiz2YTYp9mFINi52YTZitmD2YUg2YjYsdit2YXYqSDYp9mE2YTZhw==\r\n",
        ),
        (
            "zh",
            "From: li@example.cn\r\nSubject: =?GB2312?B?xOO6w6OsysC956Oh?=\r\n\
             Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             xOO6w6OsysC956Oh1tDOxNPKvP4=\r\n",
        ),
        (
            "el",
            "From: odysseus@example.gr\r\nSubject: ΟΔΥΣΣΕΥΣ\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nσοφός Kelvin: 273\u{212A}\r\n",
        ),
        (
            "de",
            "From: =?ISO-8859-1?Q?M=FCller?= <m@example.de>\r\nSubject: =?ISO-8859-1?Q?Stra=DFe?=\r\n\
             Content-Type: text/plain; charset=iso-8859-1\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe aus Stra=DFe\r\n",
        ),
        (
            "tr",
            "From: t@example.tr\r\nSubject: KIRMIZI\r\n\r\nkırmızı İstanbul\r\n",
        ),
    ];
    numbered(&raws)
}

#[test]
fn scripts_and_folding_on_small_messages() {
    let s = small();
    check_table(
        &s,
        &[
            ("SUBJECT \"مرحبا\"", &["ar"]),
            ("FROM \"بالعالم\"", &["ar"]),
            ("BODY \"عليكم ورحمة\"", &["ar"]),
            ("BODY \"مرحبا\"", &[]),
            ("SUBJECT \"你好\"", &["zh"]),
            ("BODY \"中文邮件\"", &["zh"]),
            ("SUBJECT \"οδυσσευς\"", &["el"]),
            ("SUBJECT \"Οδυσσευς\"", &["el"]),
            ("BODY \"ΣΟΦΌΣ\"", &["el"]),
            ("BODY \"σοφοσ\"", &[]),
            ("BODY \"σοφο\"", &["el"]),
            ("BODY \"273k\"", &["el"]),
            ("SUBJECT \"STRASSE\"", &[]),
            // Unicode simple case folding maps ẞ to ß (Dovecot does not).
            ("SUBJECT \"STRAẞE\"", &["de"]),
            ("SUBJECT \"straße\"", &["de"]),
            ("BODY \"GRÜSSE\"", &[]),
            ("BODY \"grüße aus\"", &["de"]),
            ("FROM \"MÜLLER\"", &["de"]),
            ("SUBJECT \"kırmızı\"", &["tr"]),
            ("BODY \"KIRMIZI\"", &["tr"]),
            ("BODY \"istanbul\"", &[]),
            ("BODY \"İSTANBUL\"", &["tr"]),
            ("TEXT \"content-transfer-encoding: BASE64\"", &["ar", "zh"]),
        ],
    );
}

#[test]
fn text_keys_need_text_and_see_nothing_without_it() {
    let c = corpus();
    let ctx = ctx(&c);
    for (wire, needs) in [
        ("FROM a", true),
        ("NOT OR SEEN (ALL SUBJECT x)", true),
        ("FUZZY BODY x", true),
        ("HEADER X-A \"\"", true),
        ("OR SEEN SENTON 1-Jan-2026", false),
        ("NOT (ALL UID 1:* LARGER 3)", false),
    ] {
        assert_eq!(needs_text(&key(wire)), needs, "{wire}");
    }
    let mut m = c[0].msg();
    m.text = None;
    assert!(!matches(&key("SUBJECT hello"), &m, &ctx));
    assert!(matches(&key("BODY \"\""), &m, &ctx));
    assert!(matches(&key("NOT HEADER Subject \"\""), &m, &ctx));
}

/// FUZZY (RFC 6203): typos and diacritics within three fifths of the needle's 3-grams match,
/// exact matches score 100, short needles stay exact, NOT FUZZY is the complement.
#[test]
fn fuzzy_text_keys_and_relevancy() {
    let mut f = vec![
        crate::testutil::Fixture::new(
            "A",
            b"Subject: Quarterly financial report\r\n\r\nThe kierkegaard seminar starts tomorrow.\r\n",
        ),
        crate::testutil::Fixture::new(
            "B",
            "Subject: Lunch\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKierkeg\u{e5}rd wrote in Danish.\r\n"
                .as_bytes(),
        ),
        crate::testutil::Fixture::new("C", b"Subject: other\r\n\r\nnothing here\r\n"),
    ];
    for (i, x) in f.iter_mut().enumerate() {
        x.seq = i as u32 + 1;
        x.uid = i as u32 + 1;
    }
    check_table(
        &f,
        &[
            ("BODY kierkegaard", &["A"]),
            ("FUZZY BODY kierkegaard", &["A", "B"]),
            ("FUZZY TEXT kierkegaard", &["A", "B"]),
            ("SUBJECT quartely", &[]),
            ("FUZZY SUBJECT quartely", &["A"]),
            ("FUZZY SUBJECT qxartexly", &[]),
            ("FUZZY SUBJECT lu", &["B"]),
            ("FUZZY SUBJECT lx", &[]),
            ("FUZZY BODY xyzzy", &[]),
            ("NOT FUZZY BODY kierkegaard", &["C"]),
            (
                "FUZZY (OR BODY kierkegaard SUBJECT other)",
                &["A", "B", "C"],
            ),
            ("FUZZY BODY kierkegaard SUBJECT lunch", &["B"]),
        ],
    );
    let c = ctx(&f);
    let score = |wire: &str, x: &crate::testutil::Fixture| {
        crate::relevancy(&crate::testutil::keys(wire), &x.msg(), &c, None)
    };
    assert_eq!(score("FUZZY BODY kierkegaard", &f[0]), 100);
    // 6 of the 9 grams of "kierkegaard" are in "kierkegård" (decomposed å breaks three).
    assert_eq!(score("FUZZY BODY kierkegaard", &f[1]), 66);
    assert_eq!(score("FUZZY BODY kierkegaard", &f[2]), 0);
    assert_eq!(score("FUZZY SUBJECT quartely", &f[0]), 66);
    // AND takes the lowest score, OR the highest; keys outside FUZZY count as 100.
    assert_eq!(
        score("FUZZY SUBJECT quartely FUZZY BODY kierkegaard", &f[0]),
        66
    );
    assert_eq!(
        score("OR FUZZY SUBJECT quartely FUZZY BODY kierkegaard", &f[0]),
        100
    );
    assert_eq!(score("BODY kierkegaard", &f[0]), 100);
    assert_eq!(score("FUZZY SUBJECT lunch BODY kierkeg", &f[1]), 100);
}
