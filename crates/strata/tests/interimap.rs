//! End to end with a real QRESYNC synchronizer: `interimap` (Debian interimap 0.5.7) keeps two
//! accounts of the real `strata serve` in step, both ways.
//!
//! ```text
//!   local@example.org  <---- interimap ---->  remote@example.org
//!          \                  (SQLite state)                /
//!           +--- one strata serve: cleartext IMAP on loopback, AUTHENTICATE PLAIN,
//!                COMPRESS=DEFLATE on the remote connection
//! ```
//!
//! interimap keeps, per mailbox and per side, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ in its
//! database and asks each side only for what changed since: `SELECT mbx (QRESYNC (v m))` gives
//! VANISHED UIDs and the FETCH FLAGS of messages whose MODSEQ is above the cached value
//! (RFC 7162 §3.2.5). The HIGHESTMODSEQ it caches after copying messages in is the one the server
//! announced with `* OK [HIGHESTMODSEQ n]` after their EXISTS (§3.1.2.1). If that line is missing,
//! the next run sees every message it copied as changed on that side; a flag edit made meanwhile
//! on the other side then conflicts, and interimap settles conflicts with the union of both flag
//! lists: the user's "mark as unread" comes back read. `mark_unread_survives_the_next_sync` is
//! built to catch exactly that.
//!
//! Each test keeps a model, (mailbox, Message-ID) -> flags, and after every run reads both
//! accounts over IMAP: each must hold exactly the model, and each message must have the same
//! bytes and INTERNALDATE on both sides. Every run must exit 0 within a deadline and print no
//! error or warning (a conflict is a warning).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::imap::{Imap, Val, quote};
use support::{Server, add_user, init_tracing, start, tail};

/// interimap's `[local]` account.
const LOCAL: &str = "local@example.org";
/// interimap's `[remote]` account.
const REMOTE: &str = "remote@example.org";
const PASS: &str = "interimap-pass";

/// How long one interimap run may take before the test gives up on it.
const DEADLINE: Duration = Duration::from_secs(180);

/// A message's flags, `\Recent` left out (it belongs to a session, not to the message).
type Flags = BTreeSet<String>;

/// A message's identity in both accounts: its mailbox and its Message-ID.
type Key = (String, String);

/// What both accounts must hold.
#[derive(Debug, Default)]
struct Model {
    boxes: BTreeSet<String>,
    msgs: BTreeMap<Key, Flags>,
}

/// interimap carries 50 messages in two mailboxes to an empty account, then flag changes,
/// expunges, new mail and new mailboxes made on either side; both accounts end identical, and
/// one more run changes nothing.
///
/// `Work/Reports` is made only once `Work` exists on both sides: when interimap 0.5.7 creates a
/// new parent and child on the other side it does so in Perl hash order, and `CREATE Work/Reports`
/// first creates `Work` as well (RFC 9051 §6.3.4), so the following `CREATE Work` gets
/// `NO [ALREADYEXISTS]` and interimap warns (the sync itself still succeeds).
#[test]
fn changes_on_either_side_end_identical_on_both() {
    let mut sync = Fixture::new();

    {
        tracing::info!("seed the local account: 50 messages in INBOX and Work");
        let mut imap = Imap::login(sync.port, LOCAL, PASS);
        imap.ok("CREATE Work");
        for i in 0..50 {
            let mailbox = if i % 5 < 3 { "INBOX" } else { "Work" };
            let flags = SEED_FLAGS[i % SEED_FLAGS.len()];
            sync.append(&mut imap, mailbox, ("seed", i), flags);
        }
        imap.ok("LOGOUT");
    }

    {
        tracing::info!("first run: interimap copies everything to the empty remote account");
        sync.interimap();
        sync.assert_synced("after the first run");
    }

    {
        tracing::info!("change both sides: flags, expunges, new mail, new mailboxes");
        let live: Vec<Key> = sync.model.msgs.keys().cloned().collect();
        let mut counts = BTreeMap::new();
        for (side, user) in [(Side::Local, LOCAL), (Side::Remote, REMOTE)] {
            let account = read_account(sync.port, user);
            let mut imap = Imap::login(sync.port, user, PASS);
            let mut by_box: BTreeMap<&str, Vec<(usize, &Key)>> = BTreeMap::new();
            for (j, key) in live.iter().enumerate() {
                by_box.entry(key.0.as_str()).or_default().push((j, key));
            }
            for (mailbox, keys) in by_box {
                imap.ok(&format!("SELECT {}", quote(mailbox)));
                let mut expunge = Vec::new();
                for (j, key) in keys {
                    let uid = account.msgs[key].uid;
                    match change_for(j) {
                        Some((s, Change::Flags)) if s == side => {
                            let flags = sync.model.msgs.get_mut(key).unwrap();
                            toggle(flags, TOGGLES[j % TOGGLES.len()]);
                            let list = flag_list(flags);
                            imap.ok(&format!("UID STORE {uid} FLAGS.SILENT {list}"));
                            *counts.entry((side, "flags")).or_insert(0) += 1;
                        }
                        Some((s, Change::Expunge)) if s == side => {
                            imap.ok(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"));
                            expunge.push(uid.to_string());
                            sync.model.msgs.remove(key);
                            *counts.entry((side, "expunged")).or_insert(0) += 1;
                        }
                        _ => {}
                    }
                }
                if !expunge.is_empty() {
                    imap.ok(&format!("UID EXPUNGE {}", expunge.join(",")));
                }
                imap.ok("UNSELECT");
            }
            // New mail on each side, and on each side a mailbox the other one lacks: a child of
            // Work on the local side, a top-level one on the remote side.
            let new: &[(&str, usize)] = match side {
                Side::Local => {
                    imap.ok("CREATE Work/Reports");
                    &[("INBOX", 3), ("Work", 1), ("Work/Reports", 2)]
                }
                Side::Remote => {
                    imap.ok("CREATE Projects");
                    &[("INBOX", 2), ("Work", 1), ("Projects", 3)]
                }
            };
            let who = format!("{side:?}-new").to_lowercase();
            let mut k = 0;
            for &(mailbox, n) in new {
                for _ in 0..n {
                    let flags = SEED_FLAGS[(k * 3 + 1) % SEED_FLAGS.len()];
                    sync.append(&mut imap, mailbox, (&who, k), flags);
                    k += 1;
                }
            }
            imap.ok("LOGOUT");
        }
        tracing::info!(?counts, "changes made");
        for side in [Side::Local, Side::Remote] {
            assert!(counts[&(side, "flags")] >= 5, "{counts:?}");
            assert!(counts[&(side, "expunged")] >= 3, "{counts:?}");
        }
        sync.interimap();
        sync.assert_synced("after changes on both sides");
    }

    sync.assert_idle_run_changes_nothing();
}

/// The regression this file was written for: interimap copies 50 read messages from the local
/// account and 20 from the remote one; then some of each are marked unread, some on the side
/// they came from and some on the side interimap copied them to. After the next run every one
/// of them is unread on both sides (and no conflict was reported): nothing interimap wrote
/// itself is taken for a change made by the user.
#[test]
fn mark_unread_survives_the_next_sync() {
    let mut sync = Fixture::new();

    {
        tracing::info!("seed: 10 messages in the local INBOX, first run copies them");
        let mut imap = Imap::login(sync.port, LOCAL, PASS);
        for i in 0..10 {
            let flags = SEED_FLAGS[i % SEED_FLAGS.len()];
            sync.append(&mut imap, "INBOX", ("seed", i), flags);
        }
        imap.ok("LOGOUT");
        sync.interimap();
        sync.assert_synced("after the first run");
    }

    // The new messages by origin, in APPEND order.
    let mut new: BTreeMap<Side, Vec<Key>> = BTreeMap::new();
    {
        tracing::info!("new mail: 50 read messages on the local side, 20 on the remote side");
        for (side, user, n) in [(Side::Local, LOCAL, 50), (Side::Remote, REMOTE, 20)] {
            let mut imap = Imap::login(sync.port, user, PASS);
            let who = format!("{side:?}-read").to_lowercase();
            for k in 0..n {
                let flags: &[&str] = if k % 4 == 1 {
                    &["\\Seen", "\\Flagged"]
                } else {
                    &["\\Seen"]
                };
                let key = sync.append(&mut imap, "INBOX", (&who, k), flags);
                new.entry(side).or_default().push(key);
            }
            imap.ok("LOGOUT");
        }
        sync.interimap();
        sync.assert_synced("after copying the new mail");
    }

    {
        tracing::info!("mark unread on both sides, among the messages from either side");
        let mut marked = BTreeMap::new();
        for (side, user) in [(Side::Local, LOCAL), (Side::Remote, REMOTE)] {
            let account = read_account(sync.port, user);
            let mut imap = Imap::login(sync.port, user, PASS);
            imap.ok("SELECT INBOX");
            for (origin, keys) in &new {
                for (k, key) in keys.iter().enumerate() {
                    // On the side it came from for k % 5 == 0, on the other side for k % 5 == 2.
                    let here = (k % 5 == 0 && *origin == side) || (k % 5 == 2 && *origin != side);
                    if !here {
                        continue;
                    }
                    let uid = account.msgs[key].uid;
                    // Not .SILENT, as a mail reader does it: the answer shows the new flags.
                    let answer = imap.ok(&format!("UID STORE {uid} -FLAGS (\\Seen)"));
                    let answer = format!("{answer:?}");
                    assert!(
                        answer.contains("FLAGS") && !answer.contains("\\Seen"),
                        "{side:?} {key:?}: -FLAGS (\\Seen) answered {answer}"
                    );
                    sync.model.msgs.get_mut(key).unwrap().remove("\\Seen");
                    *marked.entry((*origin, side)).or_insert(0) += 1;
                }
            }
            imap.ok("LOGOUT");
        }
        tracing::info!(?marked, "marked unread (origin, where)");
        assert_eq!(marked.len(), 4, "every (origin, side) pair: {marked:?}");
        sync.interimap();
        sync.assert_synced("after marking unread on both sides");
        let unread = sync.model.msgs.values().filter(|f| !f.contains("\\Seen"));
        assert!(unread.count() >= 28, "the marks are in the model");
    }

    sync.assert_idle_run_changes_nothing();
}

// ---------------------------------------------------------------------------------------------
// The fixture: one server, two accounts, interimap's private home

/// One side of the synchronization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Local,
    Remote,
}

/// What the first test does to the `j`-th message on one side. The arms are disjoint, so no
/// message is changed on both sides (that would be a conflict, which interimap warns about).
enum Change {
    Flags,
    Expunge,
}

fn change_for(j: usize) -> Option<(Side, Change)> {
    Some(match j {
        j if j % 7 == 1 => (Side::Local, Change::Flags),
        j if j % 7 == 4 => (Side::Remote, Change::Flags),
        j if j % 11 == 2 => (Side::Local, Change::Expunge),
        j if j % 11 == 8 => (Side::Remote, Change::Expunge),
        _ => return None,
    })
}

/// Flag lists for seeded messages: system flags, `$Forwarded` and a keyword of our own.
const SEED_FLAGS: [&[&str]; 8] = [
    &[],
    &["\\Seen"],
    &["\\Seen", "\\Flagged"],
    &["\\Answered", "\\Seen"],
    &["\\Draft"],
    &["$Forwarded", "\\Seen"],
    &["$label1", "\\Seen"],
    &["\\Flagged"],
];

/// What a flag change toggles (a flag present is removed, one absent is added).
const TOGGLES: [&[&str]; 4] = [
    &["\\Seen"],
    &["\\Flagged"],
    &["\\Answered", "$Forwarded"],
    &["$label2"],
];

fn toggle(flags: &mut Flags, toggles: &[&str]) {
    for f in toggles {
        if !flags.remove(*f) {
            flags.insert(f.to_string());
        }
    }
}

/// The server, interimap's home and the model of what both accounts must hold.
struct Fixture {
    port: u16,
    root: PathBuf,
    server_log: PathBuf,
    model: Model,
    runs: usize,
    _server: Server,
    _tmp: tempfile::TempDir,
}

impl Fixture {
    /// Starts `strata serve` with the two accounts and writes interimap's configuration into a
    /// private XDG_CONFIG_HOME; its database goes into a private XDG_DATA_HOME.
    fn new() -> Fixture {
        init_tracing();
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let data = root.join("data");
        add_user(&data, LOCAL, PASS);
        add_user(&data, REMOTE, PASS);
        let server_log = root.join("server.log");
        let (server, port, _) = start(&data, fs::File::create(&server_log).unwrap());
        for dir in ["home", "config/interimap", "share"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        // STARTTLS = NO: cleartext on loopback, where Strata accepts LOGIN and PLAIN. The
        // remote side keeps interimap's default COMPRESS = YES (COMPRESS=DEFLATE, RFC 4978).
        let mut config = format!(
            "database = interimap.db\nlogfile = {}\n",
            root.join("interimap.log").display()
        );
        for (section, user) in [("local", LOCAL), ("remote", REMOTE)] {
            config += &format!(
                "\n[{section}]\ntype = imap\nhost = 127.0.0.1\nport = {port}\nSTARTTLS = NO\n\
                 auth = PLAIN LOGIN\nusername = {user}\npassword = {PASS}\n"
            );
        }
        fs::write(root.join("config/interimap/config"), config).unwrap();
        let mut sync = Fixture {
            port,
            root,
            server_log,
            model: Model::default(),
            runs: 0,
            _server: server,
            _tmp: tmp,
        };
        // The mailboxes a new account starts with (Sent, Trash, ...) are the same on both.
        let local = read_account(port, LOCAL);
        assert_eq!(local.boxes, read_account(port, REMOTE).boxes);
        sync.model.boxes = local.boxes;
        sync
    }

    /// APPENDs [`message`] number `i` from `who` with `flags` and an INTERNALDATE of its own, and
    /// adds it to the model; returns its key.
    fn append(
        &mut self,
        imap: &mut Imap,
        mailbox: &str,
        (who, i): (&str, usize),
        flags: &[&str],
    ) -> Key {
        let bytes = message(who, i);
        let flags: Flags = flags.iter().map(|f| f.to_string()).collect();
        let date = format!(
            "{:02}-Oct-2025 {:02}:{:02}:07 +0200",
            1 + i % 28,
            i % 24,
            (i * 7) % 60
        );
        imap.append(mailbox, &flag_list(&flags), Some(&date), &bytes);
        self.model.boxes.insert(mailbox.to_string());
        let key = (mailbox.to_string(), message_id(&bytes));
        let again = self.model.msgs.insert(key.clone(), flags);
        assert!(again.is_none(), "{key:?} appended twice");
        key
    }

    /// Runs interimap once with a private HOME and XDG dirs and `--debug` (the IMAP exchange
    /// goes to `interimap.log`). It must exit 0 within [`DEADLINE`] and print no error or
    /// warning on stderr.
    fn interimap(&mut self) {
        self.runs += 1;
        let started = Instant::now();
        let out_path = self.root.join(format!("interimap-{}.out", self.runs));
        let out = fs::File::create(&out_path).unwrap();
        let mut child = Command::new("interimap")
            .arg("--debug")
            .env("HOME", self.root.join("home"))
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env("XDG_DATA_HOME", self.root.join("share"))
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("interimap runs (Debian package interimap)");
        let status = support::wait_or_kill(&mut child, started, DEADLINE);
        let output = fs::read_to_string(&out_path).unwrap();
        let odd: Vec<&str> = output
            .lines()
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                ["error", "warning", "panic", " at /usr/"]
                    .iter()
                    .any(|w| l.contains(w))
            })
            .collect();
        let ok = status.is_some_and(|s| s.success()) && odd.is_empty();
        let log = fs::read_to_string(self.root.join("interimap.log")).unwrap_or_default();
        assert!(
            ok,
            "interimap run {} failed ({status:?} after {:?}); unexpected lines: {odd:#?}\n\
             --- interimap output ---\n{}\n--- last lines of interimap's debug log ---\n{}\n\
             --- last lines of the server log ---\n{}",
            self.runs,
            started.elapsed(),
            tail(&output, 60),
            tail(&log, 80),
            tail(
                &fs::read_to_string(&self.server_log).unwrap_or_default(),
                40
            ),
        );
        tracing::info!(run = self.runs, elapsed = ?started.elapsed(), "interimap done");
        for line in output.lines() {
            tracing::debug!("interimap: {line}");
        }
    }

    /// Both accounts hold exactly the model, and every message the same bytes and INTERNALDATE.
    fn assert_synced(&self, when: &str) {
        let local = read_account(self.port, LOCAL);
        let remote = read_account(self.port, REMOTE);
        assert_account(&format!("{LOCAL} {when}"), &local, &self.model);
        assert_account(&format!("{REMOTE} {when}"), &remote, &self.model);
        for (key, l) in &local.msgs {
            let r = &remote.msgs[key];
            assert!(l.body == r.body, "{when}: {key:?} differs in its bytes");
            assert_eq!(l.date, r.date, "{when}: {key:?} INTERNALDATE");
        }
    }

    /// One more run changes nothing on either side: same UIDs, flags, bytes, and the same
    /// STATUS (UIDNEXT, HIGHESTMODSEQ) for every mailbox.
    fn assert_idle_run_changes_nothing(&mut self) {
        tracing::info!("idle run: one more interimap run changes nothing on either side");
        let before = [LOCAL, REMOTE].map(|u| read_account(self.port, u));
        self.interimap();
        let after = [LOCAL, REMOTE].map(|u| read_account(self.port, u));
        for ((user, b), a) in [LOCAL, REMOTE].iter().zip(&before).zip(&after) {
            assert_eq!(b.status, a.status, "{user}: STATUS changed in an idle run");
            let changed: Vec<&Key> = b
                .msgs
                .iter()
                .filter(|(k, m)| a.msgs.get(*k) != Some(*m))
                .map(|(k, _)| k)
                .collect();
            assert!(
                changed.is_empty() && a.msgs.len() == b.msgs.len(),
                "{user}: an idle run changed {changed:?}"
            );
        }
    }
}

/// Asserts that `got` holds exactly the mailboxes and messages (with their flags) of `want`,
/// listing the first differences.
fn assert_account(what: &str, got: &Account, want: &Model) {
    let mut report = Vec::new();
    if got.boxes != want.boxes {
        report.push(format!(
            "mailboxes {:?}, expected {:?}",
            got.boxes, want.boxes
        ));
    }
    for (key, flags) in &want.msgs {
        match got.msgs.get(key) {
            None => report.push(format!("missing {key:?}")),
            Some(m) if &m.flags != flags => report.push(format!(
                "{key:?} (UID {}): flags {:?}, expected {flags:?}",
                m.uid, m.flags
            )),
            Some(_) => {}
        }
    }
    for key in got.msgs.keys().filter(|k| !want.msgs.contains_key(*k)) {
        report.push(format!("unexpected {key:?}"));
    }
    assert!(
        report.is_empty(),
        "{what}: {} messages, expected {}; {} differences, first ones:\n{:#?}",
        got.msgs.len(),
        want.msgs.len(),
        report.len(),
        &report[..report.len().min(25)]
    );
}

// ---------------------------------------------------------------------------------------------
// Messages

/// Message number `i` from `who` (CRLF line ends): plain ASCII, 8-bit UTF-8, or multipart with
/// a base64 attachment of a few KB.
fn message(who: &str, i: usize) -> Vec<u8> {
    let mut m = format!(
        "From: \"Sender {i}\" <sender{i}@example.net>\r\nTo: someone@example.org\r\n\
         Subject: {who} message {i}\r\nDate: Wed, 1 Oct 2025 09:{:02}:00 +0200\r\n\
         Message-ID: <{who}-{i}@strata.test>\r\nMIME-Version: 1.0\r\n",
        i % 60
    );
    match i % 3 {
        0 => {
            m += &format!("Content-Type: text/plain; charset=us-ascii\r\n\r\nHello number {i}.\r\n")
        }
        1 => {
            m += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
            m += &format!("Grüße aus Köln, Nummer {i}. 日本語のテスト.\r\n");
        }
        _ => {
            let b = format!("b-{who}-{i}");
            let data: String = (0..(i % 7 + 1) * 800)
                .map(|k| char::from(b'A' + ((k * 7 + i) % 26) as u8))
                .collect::<Vec<_>>()
                .chunks(76)
                .map(|c| c.iter().collect::<String>() + "\r\n")
                .collect();
            m += &format!(
                "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\n\
                 Content-Type: text/plain\r\n\r\nSee the attachment.\r\n--{b}\r\n\
                 Content-Type: application/octet-stream; name=\"a{i}.bin\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n{data}--{b}--\r\n"
            );
        }
    }
    m.into_bytes()
}

/// The Message-ID header's value.
fn message_id(msg: &[u8]) -> String {
    let text = String::from_utf8_lossy(msg);
    let header = text.split("\r\n\r\n").next().unwrap_or("");
    header
        .split("\r\n")
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no Message-ID in {:.200}", text))
}

/// An IMAP flag list, `(\Seen $label1)`.
fn flag_list(flags: &Flags) -> String {
    let list: Vec<&str> = flags.iter().map(String::as_str).collect();
    format!("({})", list.join(" "))
}

// ---------------------------------------------------------------------------------------------
// Reading an account over IMAP

/// One message as an account holds it.
#[derive(Debug, PartialEq, Eq)]
struct Stored {
    uid: u32,
    flags: Flags,
    date: String,
    body: Vec<u8>,
}

/// Everything an account holds, and each mailbox's STATUS (to prove a run wrote nothing).
#[derive(Debug)]
struct Account {
    boxes: BTreeSet<String>,
    msgs: BTreeMap<Key, Stored>,
    status: BTreeMap<String, String>,
}

/// Reads every mailbox and message of `user`, read-only (EXAMINE, BODY.PEEK).
fn read_account(port: u16, user: &str) -> Account {
    let mut imap = Imap::login(port, user, PASS);
    let mut account = Account {
        boxes: BTreeSet::new(),
        msgs: BTreeMap::new(),
        status: BTreeMap::new(),
    };
    for resp in imap.ok("LIST \"\" \"*\"") {
        match resp.last() {
            Some(Val::Atom(s)) => account.boxes.insert(s.clone()),
            Some(Val::Str(s)) => account.boxes.insert(String::from_utf8(s.clone()).unwrap()),
            other => panic!("LIST response without a name: {other:?}"),
        };
    }
    for mailbox in &account.boxes {
        let status = imap.ok(&format!(
            "STATUS {} (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)",
            quote(mailbox)
        ));
        account
            .status
            .insert(mailbox.clone(), format!("{status:?}"));
        let exists = imap
            .ok(&format!("EXAMINE {}", quote(mailbox)))
            .iter()
            .find_map(|r| match r.as_slice() {
                [Val::Atom(n), Val::Atom(w)] if w == "EXISTS" => n.parse::<usize>().ok(),
                _ => None,
            })
            .expect("EXAMINE reports EXISTS");
        if exists == 0 {
            continue;
        }
        let mut count = 0;
        for resp in imap.ok("UID FETCH 1:* (UID FLAGS INTERNALDATE BODY.PEEK[])") {
            let [_, Val::Atom(fetch), Val::List(items)] = resp.as_slice() else {
                continue;
            };
            assert_eq!(fetch, "FETCH");
            count += 1;
            let m = stored(items);
            let key = (mailbox.clone(), message_id(&m.body));
            let at = format!("{user} {mailbox} UID {}", m.uid);
            assert!(
                account.msgs.insert(key.clone(), m).is_none(),
                "{at}: {key:?} is there twice"
            );
        }
        assert_eq!(count, exists, "{user} {mailbox}: one FETCH per message");
    }
    imap.ok("LOGOUT");
    account
}

/// UID, FLAGS, INTERNALDATE and BODY[] out of one FETCH response's items.
fn stored(items: &[Val]) -> Stored {
    let (mut uid, mut flags, mut date, mut body) = (None, None, None, None);
    for pair in items.chunks(2) {
        match pair {
            [Val::Atom(k), Val::Atom(v)] if k == "UID" => uid = v.parse().ok(),
            [Val::Atom(k), Val::Str(v)] if k == "INTERNALDATE" => {
                date = Some(String::from_utf8_lossy(v).into_owned())
            }
            [Val::Atom(k), Val::List(l)] if k == "FLAGS" => {
                let set = l.iter().map(|f| format!("{f:?}"));
                flags = Some(set.filter(|f| f != "\\Recent").collect())
            }
            [Val::Atom(k), Val::Str(b)] if k == "BODY[]" => body = Some(b.clone()),
            _ => {}
        }
    }
    let what = format!("{items:?}");
    Stored {
        uid: uid.unwrap_or_else(|| panic!("no UID in {what:.200}")),
        flags: flags.unwrap_or_else(|| panic!("no FLAGS in {what:.200}")),
        date: date.unwrap_or_else(|| panic!("no INTERNALDATE in {what:.200}")),
        body: body.unwrap_or_else(|| panic!("no BODY[] in {what:.200}")),
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal blocking IMAP client
