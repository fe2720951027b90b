//! What one session knows of its selected mailbox, built only from what the server said, and
//! the checks every response must pass against it:
//! - sequence numbers: EXISTS never shrinks the count, EXPUNGE and FETCH stay within it;
//! - UIDs: a sequence number keeps its UID, and UIDs rise with sequence numbers;
//! - keywords: a keyword in a FETCH's FLAGS was announced in FLAGS first (RFC 9051 §7.3.5);
//! - \Recent: given to one session only ([`RecentBook`]);
//! - a message the server answered nothing for (a UID FETCH or STORE that skipped it) must
//!   be reported expunged before the session ends (`Mailbox::doomed`).
//!
//! Other sessions change the same mailbox at the same time, so nothing here assumes a state
//! the server did not report: a message's flags are whatever its last FETCH said.

use crate::response::{Value, fetch_items, flag_list};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// One message as the session knows it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slot {
    /// Its UID; 0 until a response says it.
    pub uid: u32,
    /// Flags from its last FETCH FLAGS, if any came.
    pub flags: Option<Vec<String>>,
    /// Asked for by the FETCH in progress and not answered yet.
    asked: bool,
    /// The server skipped it: it must be reported expunged before the session ends.
    doomed: bool,
}

/// The selected mailbox as this session knows it.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    /// Its name.
    pub name: String,
    /// `UIDVALIDITY` from SELECT.
    pub uidvalidity: u32,
    /// `UIDNEXT` from SELECT: every UID known then is below it.
    pub uidnext: u32,
    /// One slot per message, by sequence number − 1.
    pub slots: Vec<Slot>,
    /// Keywords announced in FLAGS (lower case).
    announced: HashSet<String>,
}

/// A message anywhere: account, mailbox, UIDVALIDITY, UID.
type MessageKey = (String, String, u32, u32);

/// Who saw which message as \Recent: message → session. Shared by every session of a run.
#[derive(Clone, Default)]
pub struct RecentBook(Arc<Mutex<HashMap<MessageKey, u64>>>);

impl RecentBook {
    /// Notes that `session` saw `uid` as \Recent; an error if another session did.
    fn saw(&self, account: &str, mb: &Mailbox, uid: u32, session: u64) -> Result<(), String> {
        let key = (account.to_string(), mb.name.clone(), mb.uidvalidity, uid);
        let mut book = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match book.entry(key) {
            std::collections::hash_map::Entry::Occupied(o) if *o.get() != session => Err(format!(
                "{} UID {uid} is \\Recent in two sessions ({} and {session})",
                mb.name,
                o.get()
            )),
            std::collections::hash_map::Entry::Occupied(_) => Ok(()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(session);
                Ok(())
            }
        }
    }
}

/// Where a session's checks report: its account and number (for \Recent), and the problems.
pub(crate) struct Checker<'a> {
    pub account: &'a str,
    pub session: u64,
    pub recent: &'a RecentBook,
    pub problems: Vec<String>,
}

impl Checker<'_> {
    fn problem(&mut self, what: String) {
        self.problems.push(what);
    }
}

/// What a FETCH response said about one message.
#[derive(Debug, Default)]
pub(crate) struct Fetched {
    pub uid: Option<u32>,
    pub flags: Option<Vec<String>>,
    /// Names of the other items (`BODY[]`, `ENVELOPE` …) and whether each had a value.
    pub items: Vec<(String, bool)>,
}

impl Mailbox {
    /// A mailbox being selected: the responses of SELECT fill it in ([`Mailbox::absorb`]).
    pub fn selecting(name: &str) -> Mailbox {
        Mailbox {
            name: name.to_string(),
            ..Mailbox::default()
        }
    }

    /// Messages in the mailbox.
    pub fn len(&self) -> u32 {
        self.slots.len() as u32
    }

    /// The sequence number of `uid`, if the session knows it.
    pub fn seq_of(&self, uid: u32) -> Option<u32> {
        self.slots
            .iter()
            .position(|s| s.uid == uid)
            .map(|i| i as u32 + 1)
    }

    /// Known UIDs, ascending.
    pub fn known_uids(&self) -> Vec<u32> {
        self.slots
            .iter()
            .map(|s| s.uid)
            .filter(|&u| u != 0)
            .collect()
    }

    /// Marks the messages with sequence numbers in `seqs` as asked for (a FETCH by sequence
    /// number), or those with UIDs in `uids` (a UID FETCH or STORE).
    pub fn ask(&mut self, seqs: Option<std::ops::RangeInclusive<u32>>, uids: &[u32]) {
        for (i, s) in self.slots.iter_mut().enumerate() {
            let seq = i as u32 + 1;
            s.asked = seqs.as_ref().is_some_and(|r| r.contains(&seq))
                || (s.uid != 0 && uids.contains(&s.uid));
        }
    }

    /// After the command's reply: the messages asked for that got no answer must be expunged
    /// later (another session removed them); returns how many.
    pub fn unanswered(&mut self) -> usize {
        let mut n = 0;
        for s in &mut self.slots {
            if std::mem::take(&mut s.asked) {
                s.doomed = true;
                n += 1;
            }
        }
        n
    }

    /// A message the server answered with NIL for its content: allowed only for one another
    /// session expunged (RFC 2180 §4.1.3), so it must be reported expunged later.
    pub fn doom(&mut self, uid: u32) {
        if let Some(s) = self.slots.iter_mut().find(|s| s.uid == uid) {
            s.doomed = true;
        }
    }

    /// Messages the server skipped and never reported expunged.
    pub fn doomed(&self) -> Vec<u32> {
        self.slots
            .iter()
            .filter(|s| s.doomed)
            .map(|s| s.uid)
            .collect()
    }

    /// Follows one untagged response (without `* `) and checks it; returns what a FETCH said.
    pub fn absorb(&mut self, line: &[u8], c: &mut Checker<'_>) -> Option<Fetched> {
        if let Some(flags) = flag_list(line) {
            if line[..5].eq_ignore_ascii_case(b"FLAGS") {
                self.announced = flags
                    .iter()
                    .filter(|f| !f.starts_with('\\'))
                    .map(|f| f.to_ascii_lowercase())
                    .collect();
            }
            return None;
        }
        let text = String::from_utf8_lossy(&line[..line.len().min(64)]).to_ascii_uppercase();
        if let Some(code) = text.strip_prefix("OK [UIDVALIDITY ") {
            self.uidvalidity = leading_number(code).unwrap_or(0);
            return None;
        }
        if let Some(code) = text.strip_prefix("OK [UIDNEXT ") {
            self.uidnext = leading_number(code).unwrap_or(0);
            return None;
        }
        let mut words = text.split(' ');
        let n: u32 = words.next()?.parse().ok()?;
        match words.next()? {
            "EXISTS" => {
                if n < self.len() {
                    c.problem(format!(
                        "{}: EXISTS {n} below the {} known",
                        self.name,
                        self.len()
                    ));
                }
                self.slots.resize(n as usize, Slot::default());
                None
            }
            "EXPUNGE" => {
                if n == 0 || n > self.len() {
                    c.problem(format!(
                        "{}: EXPUNGE {n} beyond EXISTS {}",
                        self.name,
                        self.len()
                    ));
                } else {
                    self.slots.remove(n as usize - 1);
                }
                None
            }
            "FETCH" => self.fetch(line, c),
            _ => None,
        }
    }

    fn fetch(&mut self, line: &[u8], c: &mut Checker<'_>) -> Option<Fetched> {
        let (seq, items) = match fetch_items(line) {
            Ok(x) => x,
            Err(e) => {
                c.problem(format!("{}: {e}", self.name));
                return None;
            }
        };
        if seq > self.len() {
            c.problem(format!(
                "{}: FETCH {seq} beyond EXISTS {}",
                self.name,
                self.len()
            ));
            return None;
        }
        let mut f = Fetched::default();
        for (name, value) in &items {
            match name.as_str() {
                "UID" => match value.number().and_then(|u| u32::try_from(u).ok()) {
                    Some(u) if u > 0 => f.uid = Some(u),
                    _ => c.problem(format!("{}: FETCH {seq}: UID {value:?}", self.name)),
                },
                "FLAGS" => match value.atoms() {
                    Some(flags) => f.flags = Some(flags),
                    None => c.problem(format!("{}: FETCH {seq}: FLAGS {value:?}", self.name)),
                },
                _ => f.items.push((name.clone(), !matches!(value, Value::Nil))),
            }
        }
        let i = seq as usize - 1;
        if let Some(uid) = f.uid {
            self.place(i, uid, c);
        }
        let uid = self.slots[i].uid;
        if let Some(flags) = &f.flags {
            for k in flags.iter().filter(|f| !f.starts_with('\\')) {
                if !self.announced.contains(&k.to_ascii_lowercase()) {
                    c.problem(format!(
                        "{}: keyword {k} in FETCH {seq} before FLAGS announced it (FLAGS {:?})",
                        self.name, self.announced
                    ));
                }
            }
            if uid != 0
                && flags.iter().any(|f| f.eq_ignore_ascii_case("\\Recent"))
                && let Err(e) = c.recent.saw(c.account, self, uid, c.session)
            {
                c.problem(e);
            }
            self.slots[i].flags = Some(flags.clone());
        }
        self.slots[i].asked = false;
        Some(f)
    }

    /// Records that message `i` has `uid`, checking it against what is known.
    fn place(&mut self, i: usize, uid: u32, c: &mut Checker<'_>) {
        let known = self.slots[i].uid;
        if known != 0 {
            if known != uid {
                c.problem(format!(
                    "{}: message {} was UID {known}, now FETCH says UID {uid}",
                    self.name,
                    i + 1
                ));
            }
            return;
        }
        let below = self.slots[..i].iter().rev().find(|s| s.uid != 0);
        let above = self.slots[i + 1..].iter().find(|s| s.uid != 0);
        if below.is_some_and(|s| s.uid >= uid) || above.is_some_and(|s| s.uid <= uid) {
            c.problem(format!(
                "{}: UID {uid} at message {} is out of order (neighbours {:?} and {:?})",
                self.name,
                i + 1,
                below.map(|s| s.uid),
                above.map(|s| s.uid)
            ));
        }
        self.slots[i].uid = uid;
    }
}

fn leading_number(s: &str) -> Option<u32> {
    s.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(mb: &mut Mailbox, book: &RecentBook, session: u64, lines: &[&str]) -> Vec<String> {
        let mut c = Checker {
            account: "a",
            session,
            recent: book,
            problems: Vec::new(),
        };
        for l in lines {
            mb.absorb(l.as_bytes(), &mut c);
        }
        c.problems
    }

    #[test]
    fn a_consistent_session_has_no_problems() {
        let book = RecentBook::default();
        let mut mb = Mailbox::selecting("INBOX");
        let p = feed(
            &mut mb,
            &book,
            1,
            &[
                "FLAGS (\\Seen \\Deleted $Label1)",
                "3 EXISTS",
                "OK [UIDVALIDITY 9] x",
                "OK [UIDNEXT 20] x",
                "1 FETCH (UID 4 FLAGS (\\Seen))",
                "2 FETCH (UID 7 FLAGS ($Label1 \\Recent))",
                "3 FETCH (UID 12 FLAGS ())",
                "2 EXPUNGE",
                "3 EXISTS",
                "3 FETCH (UID 30 FLAGS (\\Recent))",
                "2 FETCH (FLAGS (\\Seen))",
            ],
        );
        assert_eq!(p, Vec::<String>::new());
        assert_eq!(mb.known_uids(), vec![4, 12, 30]);
        assert_eq!(
            (mb.uidvalidity, mb.uidnext, mb.seq_of(30)),
            (9, 20, Some(3))
        );
    }

    #[test]
    fn each_broken_rule_is_reported() {
        let book = RecentBook::default();
        let cases: [(&[&str], &str); 6] = [
            (&["2 EXISTS", "1 EXISTS"], "EXISTS 1 below"),
            (&["2 EXISTS", "3 EXPUNGE"], "EXPUNGE 3 beyond"),
            (&["1 EXISTS", "2 FETCH (UID 3)"], "FETCH 2 beyond"),
            (
                &["2 EXISTS", "1 FETCH (UID 5)", "1 FETCH (UID 6)"],
                "was UID 5",
            ),
            (
                &["2 EXISTS", "2 FETCH (UID 5)", "1 FETCH (UID 6)"],
                "out of order",
            ),
            (
                &["1 EXISTS", "1 FETCH (FLAGS ($Label1))"],
                "before FLAGS announced",
            ),
        ];
        for (lines, want) in cases {
            let mut mb = Mailbox::selecting("INBOX");
            let p = feed(&mut mb, &book, 1, lines);
            assert!(p.len() == 1 && p[0].contains(want), "{lines:?}: {p:?}");
        }
    }

    #[test]
    fn recent_in_two_sessions_is_reported() {
        let book = RecentBook::default();
        let lines = [
            "1 EXISTS",
            "OK [UIDVALIDITY 3] x",
            "1 FETCH (UID 8 FLAGS (\\Recent))",
        ];
        let mut a = Mailbox::selecting("INBOX");
        assert!(feed(&mut a, &book, 1, &lines).is_empty());
        assert!(
            feed(&mut a, &book, 1, &lines[2..]).is_empty(),
            "same session again"
        );
        let mut b = Mailbox::selecting("INBOX");
        let p = feed(&mut b, &book, 2, &lines);
        assert!(p.len() == 1 && p[0].contains("two sessions"), "{p:?}");
    }

    #[test]
    fn skipped_messages_must_be_expunged() {
        let book = RecentBook::default();
        let mut mb = Mailbox::selecting("INBOX");
        feed(
            &mut mb,
            &book,
            1,
            &[
                "3 EXISTS",
                "1 FETCH (UID 1)",
                "2 FETCH (UID 2)",
                "3 FETCH (UID 3)",
            ],
        );
        mb.ask(None, &[2, 3]);
        feed(&mut mb, &book, 1, &["3 FETCH (UID 3 FLAGS ())"]);
        assert_eq!(mb.unanswered(), 1);
        assert_eq!(mb.doomed(), vec![2]);
        feed(&mut mb, &book, 1, &["2 EXPUNGE"]);
        assert!(mb.doomed().is_empty());
        assert_eq!(mb.known_uids(), vec![1, 3]);
    }
}
