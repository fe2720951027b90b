//! The messages clients append ([`message`]): plain-text mail of about a chosen size, with the
//! Message-ID the client gives it, written from a small word list that `SEARCH BODY` also draws
//! its needles from.

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
