//! A Maildir of realistic messages, for bulk-import tests and benchmarks.

use super::{Parent, Wanted, realistic};
use std::collections::VecDeque;
use std::path::Path;

/// How many of the latest messages a reply may answer: threads stay among recent mail, and
/// memory stays bounded however many messages are written.
const WINDOW: usize = 256;

/// What a later reply needs of a written message.
struct Written {
    msgid: String,
    references: Vec<String>,
    subject: String,
}

/// Writes `count` [`realistic`] messages for `to` into the Maildir `dir` (creating `new/`,
/// `cur/` and `tmp/`), as `cur/<n>.strata:2,` for n = 0, 1, …; about 15 % answer one of the
/// recent messages before them, so threads form. Message-IDs are `<n>.<seed in hex>@loadgen.
/// strata.example`. The same seed writes the same files. Returns the bytes written.
pub fn write_maildir(dir: &Path, count: usize, seed: u64, to: &str) -> std::io::Result<u64> {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut recent: VecDeque<Written> = VecDeque::with_capacity(WINDOW);
    let mut total = 0u64;
    for n in 0..count {
        let msgid = format!("{n}.{seed:x}@loadgen.strata.example");
        let parent = (!recent.is_empty() && rng.u8(0..100) < 15).then(|| rng.usize(..recent.len()));
        let reply_to = parent.map(|i| {
            let p = &recent[i];
            Parent {
                msgid: &p.msgid,
                references: &p.references,
                subject: &p.subject,
            }
        });
        let g = realistic(
            &mut rng,
            &Wanted {
                to,
                msgid: &msgid,
                reply_to,
            },
        );
        std::fs::write(dir.join("cur").join(format!("{n}.strata:2,")), &g.bytes)?;
        total += g.bytes.len() as u64;
        if recent.len() == WINDOW {
            recent.pop_front();
        }
        recent.push_back(Written {
            msgid,
            references: g.references,
            subject: g.subject,
        });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fifty messages land in cur/ under their names, add up to the bytes reported, parse, and
    /// some answer earlier ones with their Message-IDs in In-Reply-To.
    #[test]
    fn writes_a_maildir_with_threads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let total = write_maildir(dir.path(), 50, 11, "user@example.org").expect("writes");
        assert!(dir.path().join("new").is_dir() && dir.path().join("tmp").is_dir());
        let mut sum = 0;
        let mut replies = 0;
        for n in 0..50 {
            let raw = std::fs::read(dir.path().join(format!("cur/{n}.strata:2,"))).expect("file");
            sum += raw.len() as u64;
            let m = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("parses");
            assert_eq!(
                m.message_id(),
                Some(format!("{n}.b@loadgen.strata.example").as_str())
            );
            if let Some(parent) = m.in_reply_to().as_text() {
                let (k, _) = parent.split_once('.').expect("our id");
                assert!(k.parse::<usize>().expect("number") < n);
                replies += 1;
            }
        }
        assert_eq!(
            std::fs::read_dir(dir.path().join("cur"))
                .expect("cur")
                .count(),
            50
        );
        assert_eq!(sum, total);
        assert!((2..=16).contains(&replies), "{replies} replies");
        let again = tempfile::tempdir().expect("tempdir");
        write_maildir(again.path(), 3, 11, "user@example.org").expect("writes");
        let a = std::fs::read(dir.path().join("cur/2.strata:2,")).expect("file");
        assert_eq!(
            std::fs::read(again.path().join("cur/2.strata:2,")).expect("file"),
            a
        );
    }
}
