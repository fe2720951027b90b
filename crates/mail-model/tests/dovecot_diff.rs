//! Differential test against a live Dovecot (Debian package `dovecot-imapd`).
//!
//! Runs `tests/corpus/dovecot_capture.py --out TMP`, which starts a throwaway Dovecot as root on
//! 127.0.0.1 and a free port with its own config, APPENDs every corpus message with imaplib and
//! saves `FETCH 1 (ENVELOPE BODYSTRUCTURE)`. Each answer is compared with ours as an IMAP value
//! (quoted string and literal are the same value). The test fails, never skips, when Dovecot
//! is missing. Intentional differences are listed in [`KNOWN`] with the rule that decides; a
//! listed pair that stops differing fails too, so the table stays true.

mod support;

use std::process::Command;

use mail_model::analyze;
use support::{Value, corpus_dir, corpus_names, parse, show};

/// (message, "envelope" | "bodystructure", why we differ from Dovecot).
const KNOWN: &[(&str, &str, &str)] = &[];

#[test]
fn corpus_matches_live_dovecot() {
    let out = std::env::temp_dir().join(format!("strata-dovecot-diff-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    let script = corpus_dir().join("dovecot_capture.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("python3 must be installed to run the Dovecot differential test");
    assert!(
        status.success(),
        "dovecot_capture.py failed ({status}); CI must `apt-get install -y dovecot-imapd`"
    );
    let mut failures = Vec::new();
    let mut matched = Vec::new();
    for name in corpus_names() {
        let raw = std::fs::read(corpus_dir().join(format!("{name}.eml"))).expect("eml");
        let facts = analyze(&raw);
        for (what, ours) in [("envelope", &facts.envelope), ("bodystructure", &facts.bodystructure)] {
            let theirs = std::fs::read(out.join(format!("{name}.dovecot.{what}"))).unwrap_or_default();
            let (a, b) = (parse(ours), parse(&theirs));
            assert!(a.is_some(), "{name}.{what}: ours does not parse: {}", ours.escape_ascii());
            let known = KNOWN.iter().any(|(n, w, _)| *n == name && *w == what);
            let same = a == b;
            if same && known {
                matched.push(format!("{name}.{what} is listed in KNOWN but now matches Dovecot"));
            } else if !same && !known {
                let s = |v: &Option<Value>| v.as_ref().map_or("<unparsable>".into(), show);
                failures.push(format!("{name}.{what}\n  ours:    {}\n  dovecot: {}", s(&a), s(&b)));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    failures.extend(matched);
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}
