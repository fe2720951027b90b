//! End to end with a real synchronizer: `mbsync` (isync 1.4) carries a generated 1,000-message
//! maildir into the real `strata serve` and back out into a second maildir, then carries flag
//! changes, deletions and new messages made on each side, and a last run changes nothing.
//!
//! ```text
//!   maildir A  <-- channel a -->  Strata  <-- channel b -->  maildir B
//!   (generated)                 (IMAP, LOGIN on loopback)      (pulled fresh)
//! ```
//!
//! The test keeps a model, (mailbox, Message-ID) -> (bytes, flags), and checks every replica
//! against it after every phase. "Byte-identical" means, concretely:
//! - a maildir file holds the source bytes (LF line ends, as generated);
//! - Strata's `BODY[]` holds the same bytes with every LF turned into CRLF (mbsync's default
//!   conversion on the IMAP side, where messages are RFC 5322 text: lines end in CRLF), and its
//!   `RFC822.SIZE` is the length of that `BODY[]` (RFC 9051 §2.3.4);
//! - the only thing allowed on top is mbsync's own bookkeeping line `X-TUID: <12 chars>`, which
//!   isync 1.4 writes as the *last header line* of every message it copies (and replaces when
//!   it copies again). Exactly that line, in exactly that place, is ignored; any other byte that
//!   differs fails the test.
//!
//! Flags: the maildir letters `D F P R S T` are `\Draft \Flagged $Forwarded \Answered \Seen
//! \Deleted` (isync 1.4). The first two runs use `Expunge None`, so `T` messages travel as
//! `\Deleted`; from the third run on the channels use `Expunge Both`, so every message marked
//! deleted on either side is gone from all three replicas.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::imap::{Imap, Val, quote};
use support::{add_user, init_tracing, start, tail};

const USER: &str = "alice@example.org";
const PASS: &str = "mbsync-pass";

/// The generated maildir: 1,000 messages, most in INBOX; `Work` and the nested `Work/Reports`
/// make mbsync CREATE mailboxes on the server.
const BOXES: [(&str, usize); 3] = [("INBOX", 940), ("Work", 50), ("Work/Reports", 10)];

/// How long one mbsync run may take before the test gives up on it.
const MBSYNC_DEADLINE: Duration = Duration::from_secs(300);

/// mbsync 1.4's maildir flag letters, in the order maildir file names list them, with the IMAP
/// flag each one stands for.
const FLAGS: [(char, &str); 6] = [
    ('D', "\\Draft"),
    ('F', "\\Flagged"),
    ('P', "$Forwarded"),
    ('R', "\\Answered"),
    ('S', "\\Seen"),
    ('T', "\\Deleted"),
];

/// One message as every replica must hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Msg {
    /// The source bytes: LF line ends, without mbsync's `X-TUID` line.
    bytes: Vec<u8>,
    /// Maildir flag letters in `DFPRST` order.
    flags: String,
}

/// A message's identity across replicas: its mailbox and its Message-ID.
type Key = (String, String);

/// What one replica holds (or must hold).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Replica {
    boxes: BTreeSet<String>,
    msgs: BTreeMap<Key, Msg>,
}

/// mbsync carries a 1,000-message maildir into Strata and back byte for byte, then carries
/// flag changes, deletions and new messages made in the maildir and on the server, to every
/// replica; one more run changes nothing anywhere.
#[test]
fn mbsync_round_trip_through_strata() {
    init_tracing();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let data = root.join("data");
    add_user(&data, USER, PASS);
    let server_log = root.join("server.log");
    let (_server, port, _) = start(&data, fs::File::create(&server_log).unwrap());
    let env = Env {
        root: root.to_path_buf(),
        port,
        server_log,
    };
    let (a, b) = (root.join("a"), root.join("b"));

    let mut model = {
        tracing::info!("generate maildir A: 1,000 messages with a mix of flags");
        let mut model = generate(&a);
        assert_eq!(model.msgs.len(), 1000);
        assert_replica("the generated maildir A", &maildir_state(&a).0, &model);
        // The mailboxes a new account starts with (Sent, Trash, ...) come down to the maildirs.
        model.boxes.extend(server_state(port).replica.boxes);
        model
    };

    {
        tracing::info!("push: mbsync copies maildir A into Strata (Expunge None)");
        env.write_rc("None");
        env.mbsync("a");
        let server = server_state(port);
        assert_replica("Strata after the push", &server.replica, &model);
        assert_replica("maildir A after the push", &maildir_state(&a).0, &model);
        let deleted = model.msgs.values().filter(|m| m.flags.contains('T'));
        assert!(deleted.count() > 10, "some messages travel as \\Deleted");
    }

    {
        tracing::info!("pull: mbsync copies Strata into a fresh maildir B");
        fs::create_dir(&b).unwrap();
        env.mbsync("b");
        assert_replica("maildir B after the pull", &maildir_state(&b).0, &model);
    }

    {
        tracing::info!("change both sides, then sync A and B with Expunge Both");
        // Which message changes where is decided once, so no message changes on both sides.
        let live = live_keys(&model);
        change_maildir(&a, &mut model, &live);
        let appended = change_server(port, &mut model, &live);
        // Everything marked deleted anywhere (T in A, \Deleted on the server, and the T
        // messages pushed in the first run) is expunged everywhere by `Expunge Both`.
        model.msgs.retain(|_, m| !m.flags.contains('T'));
        env.write_rc("Both");
        env.mbsync("a");
        env.mbsync("b");
        let server = server_state(port);
        assert_replica("Strata after the changes", &server.replica, &model);
        for (key, uid) in appended {
            assert_eq!(
                server.uids[&key], uid,
                "{key:?} has the UID its APPENDUID said"
            );
        }
        assert_replica("maildir A after the changes", &maildir_state(&a).0, &model);
        assert_replica("maildir B after the changes", &maildir_state(&b).0, &model);
    }

    {
        tracing::info!("idempotent: one more run of each channel changes nothing anywhere");
        let before = (raw_files(&a), raw_files(&b), server_state(port));
        env.mbsync("a");
        env.mbsync("b");
        let after = (raw_files(&a), raw_files(&b), server_state(port));
        assert!(
            before.0 == after.0,
            "maildir A changed: {}",
            diff_keys(&before.0, &after.0)
        );
        assert!(
            before.1 == after.1,
            "maildir B changed: {}",
            diff_keys(&before.1, &after.1)
        );
        assert!(
            before.2.raw == after.2.raw,
            "Strata's messages changed: {}",
            diff_keys(&before.2.raw, &after.2.raw)
        );
        assert_eq!(before.2.status, after.2.status, "Strata's STATUS changed");
    }
}

// ---------------------------------------------------------------------------------------------
// mbsync

/// Where the test's files live and how to reach the server.
struct Env {
    root: PathBuf,
    port: u16,
    server_log: PathBuf,
}

impl Env {
    fn rc(&self) -> PathBuf {
        self.root.join("mbsyncrc")
    }

    /// Writes the mbsync configuration: one IMAP store, two maildirs, a channel for each.
    fn write_rc(&self, expunge: &str) {
        let mut rc = format!(
            "IMAPAccount strata\nHost 127.0.0.1\nPort {}\nUser {USER}\nPass {PASS}\n\
             SSLType None\nAuthMechs LOGIN\nTimeout 120\n\n\
             IMAPStore strata\nAccount strata\n\n",
            self.port
        );
        for side in ["a", "b"] {
            let dir = self.root.join(side);
            rc += &format!(
                "MaildirStore {side}\nPath \"{}/\"\nInbox \"{}/INBOX\"\nSubFolders Verbatim\n\n\
                 Channel {side}\nFar :strata:\nNear :{side}:\nPatterns *\nCreate Both\n\
                 Expunge {expunge}\nSyncState *\n\n",
                dir.display(),
                dir.display()
            );
        }
        fs::write(self.rc(), rc).unwrap();
    }

    /// Runs `mbsync -V CHANNEL`; it must exit 0 and print no error and no warning other than
    /// the expected one about the cleartext password (loopback, no TLS on purpose).
    fn mbsync(&self, channel: &str) {
        let started = Instant::now();
        let out_path = self.root.join(format!("mbsync-{channel}.out"));
        let out = fs::File::create(&out_path).unwrap();
        let mut child = Command::new("mbsync")
            .arg("-V")
            .arg("-c")
            .arg(self.rc())
            .arg(channel)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("mbsync runs (Debian package isync)");
        let status = support::wait_or_kill(&mut child, started, MBSYNC_DEADLINE);
        let output = fs::read_to_string(&out_path).unwrap();
        let odd: Vec<&str> = output
            .lines()
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                (l.contains("error") || l.contains("warning"))
                    && !l.contains("password is being sent in the clear")
            })
            .collect();
        let ok = status.is_some_and(|s| s.success()) && odd.is_empty();
        assert!(
            ok,
            "mbsync {channel} failed ({status:?} after {:?}); unexpected lines: {odd:#?}\n\
             --- mbsync output ---\n{}\n--- last lines of the server log ---\n{}",
            started.elapsed(),
            tail(&output, 80),
            tail(
                &fs::read_to_string(&self.server_log).unwrap_or_default(),
                40
            ),
        );
        tracing::info!(channel, elapsed = ?started.elapsed(), "mbsync done");
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing replicas

/// Asserts that `got` holds exactly the mailboxes and messages of `want`, listing the first
/// differences.
fn assert_replica(what: &str, got: &Replica, want: &Replica) {
    if got == want {
        return;
    }
    let mut report = Vec::new();
    if got.boxes != want.boxes {
        report.push(format!(
            "mailboxes {:?}, expected {:?}",
            got.boxes, want.boxes
        ));
    }
    for (key, w) in &want.msgs {
        match got.msgs.get(key) {
            None => report.push(format!("missing {key:?}")),
            Some(g) if g.flags != w.flags => report.push(format!(
                "{key:?}: flags {:?}, expected {:?}",
                g.flags, w.flags
            )),
            Some(g) if g.bytes != w.bytes => {
                let at = g
                    .bytes
                    .iter()
                    .zip(&w.bytes)
                    .take_while(|(x, y)| x == y)
                    .count();
                report.push(format!(
                    "{key:?}: content differs at byte {at} (len {} vs {}): got {:?}, expected {:?}",
                    g.bytes.len(),
                    w.bytes.len(),
                    snippet(&g.bytes, at),
                    snippet(&w.bytes, at),
                ))
            }
            Some(_) => {}
        }
    }
    for key in got.msgs.keys().filter(|k| !want.msgs.contains_key(*k)) {
        report.push(format!("unexpected {key:?}"));
    }
    let shown: Vec<&String> = report.iter().take(25).collect();
    panic!(
        "{what}: {} messages, expected {}; {} differences, first ones:\n{shown:#?}",
        got.msgs.len(),
        want.msgs.len(),
        report.len()
    );
}

/// Up to 40 bytes of `bytes` around offset `at`, for a failure message.
fn snippet(bytes: &[u8], at: usize) -> String {
    let from = at.saturating_sub(10);
    String::from_utf8_lossy(&bytes[from..bytes.len().min(at + 30)]).into_owned()
}

/// The keys that differ between two maps, for a failure message.
fn diff_keys<K: Ord + std::fmt::Debug, V: PartialEq>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
) -> String {
    let mut diff: Vec<String> = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => diff.push(format!("gone {k:?}")),
            Some(w) if w != v => diff.push(format!("changed {k:?}")),
            Some(_) => {}
        }
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        diff.push(format!("new {k:?}"));
    }
    diff.truncate(20);
    format!("{diff:#?}")
}

/// Removes mbsync's `X-TUID: <12 chars>` line if it is the last line of the header, the only
/// place isync 1.4 writes it. `msg` has LF line ends.
fn strip_tuid(msg: &[u8]) -> Vec<u8> {
    let Some(blank) = header_end(msg) else {
        return msg.to_vec();
    };
    // `blank` is the empty line's LF; the last header line ends just before it.
    let last = msg[..blank - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = &msg[last..blank];
    let tuid = line.strip_prefix(b"X-TUID: ").filter(|t| {
        t.len() == 13
            && t[12] == b'\n'
            && t[..12]
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    });
    match tuid {
        Some(_) => [&msg[..last], &msg[blank..]].concat(),
        None => msg.to_vec(),
    }
}

/// The offset of the LF that makes the empty line ending the header (LF line ends), if any.
fn header_end(msg: &[u8]) -> Option<usize> {
    (1..msg.len()).find(|&i| msg[i] == b'\n' && msg[i - 1] == b'\n')
}

/// The Message-ID header's value.
fn message_id(msg: &[u8]) -> String {
    let header = &msg[..header_end(msg).unwrap_or(msg.len())];
    header
        .split(|&b| b == b'\n')
        .find_map(|l| {
            let l = String::from_utf8_lossy(l);
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no Message-ID in {:?}", snippet(msg, 0)))
}

/// Inserts `m` under its (mailbox, Message-ID); two messages with one key are a failure.
fn insert(replica: &mut Replica, mailbox: &str, m: Msg, whence: &str) -> Key {
    let key = (mailbox.to_string(), message_id(&m.bytes));
    let again = replica.msgs.insert(key.clone(), m);
    assert!(again.is_none(), "{whence}: {key:?} is there twice");
    key
}

// ---------------------------------------------------------------------------------------------
// Maildirs

/// Reads a maildir tree written with `SubFolders Verbatim` (INBOX at `root/INBOX`): every
/// mailbox, every message with its flags, and where each message's file is.
fn maildir_state(root: &Path) -> (Replica, BTreeMap<Key, PathBuf>) {
    let mut replica = Replica::default();
    let mut paths = BTreeMap::new();
    let mut dirs = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, name)) = dirs.pop() {
        if dir.join("cur").is_dir() {
            replica.boxes.insert(name.clone());
            for sub in ["cur", "new"] {
                for entry in fs::read_dir(dir.join(sub)).unwrap() {
                    let path = entry.unwrap().path();
                    let file = path.file_name().unwrap().to_str().unwrap().to_string();
                    let bytes = fs::read(&path).unwrap();
                    assert!(!bytes.contains(&b'\r'), "{path:?}: a CR in a maildir file");
                    let flags = file.split_once(":2,").map_or("", |(_, f)| f).to_string();
                    let m = Msg {
                        bytes: strip_tuid(&bytes),
                        flags,
                    };
                    let key = insert(&mut replica, &name, m, &format!("{path:?}"));
                    paths.insert(key, path);
                }
            }
        }
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let file = entry.file_name().to_str().unwrap().to_string();
            if entry.file_type().unwrap().is_dir() && !["cur", "new", "tmp"].contains(&&*file) {
                let name = if name.is_empty() {
                    file
                } else {
                    format!("{name}/{file}")
                };
                dirs.push((entry.path(), name));
            }
        }
    }
    (replica, paths)
}

/// Every file under `root` with its bytes, except mbsync's state files (rewritten each run).
fn raw_files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            } else if !entry
                .file_name()
                .to_string_lossy()
                .starts_with(".mbsyncstate")
            {
                let path = entry.path();
                files.insert(
                    path.strip_prefix(root).unwrap().into(),
                    fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

/// The maildir file name of a message `base` with `flags` (`new/` files carry no info part).
fn file_name(base: &str, flags: &str) -> String {
    format!("{base}:2,{flags}")
}

/// In maildir A: changes the flags of some messages (as a mail reader renames files), marks a
/// few trashed (`T`), deletes others, and delivers new ones. Updates `model` to match.
fn change_maildir(a: &Path, model: &mut Replica, live: &[Key]) {
    let (_, paths) = maildir_state(a);
    let mut flagged = 0;
    let mut trashed = 0;
    let mut deleted = 0;
    for (j, key) in live.iter().cloned().enumerate() {
        let path = &paths[&key];
        let file = path.file_name().unwrap().to_str().unwrap();
        let base = file.split_once(":2,").map_or(file, |(b, _)| b);
        let cur = path.parent().unwrap().parent().unwrap().join("cur");
        let m = model.msgs.get_mut(&key).unwrap();
        match change_for(j) {
            Some(Change::MaildirFlags) => {
                m.flags = toggled(&m.flags, ["S", "F", "RP", "SD"][j / 23 % 4]);
                fs::rename(path, cur.join(file_name(base, &m.flags))).unwrap();
                flagged += 1;
            }
            Some(Change::MaildirTrash) => {
                m.flags = toggled(&m.flags, "T");
                fs::rename(path, cur.join(file_name(base, &m.flags))).unwrap();
                trashed += 1;
            }
            Some(Change::MaildirDelete) => {
                fs::remove_file(path).unwrap();
                model.msgs.remove(&key);
                deleted += 1;
            }
            _ => {}
        }
    }
    assert!(
        flagged > 30 && trashed > 5 && deleted > 15,
        "{flagged} {trashed} {deleted}"
    );
    // New deliveries: two unread in new/, two read in cur/, one in the nested mailbox.
    let new = [
        ("INBOX", "new", ""),
        ("INBOX", "new", ""),
        ("INBOX", "cur", "S"),
        ("INBOX", "cur", "FS"),
        ("Work/Reports", "cur", "RS"),
    ];
    for (k, (mailbox, sub, flags)) in new.into_iter().enumerate() {
        let bytes = fresh_message("maildir", k);
        let base = format!("1800000000.M{k}P77.maildir-new");
        let name = if sub == "new" {
            base
        } else {
            file_name(&base, flags)
        };
        fs::write(a.join(mailbox).join(sub).join(name), &bytes).unwrap();
        let m = Msg {
            bytes,
            flags: flags.to_string(),
        };
        insert(model, mailbox, m, "maildir delivery");
    }
}

/// The model's keys that are not marked deleted, in order: the candidates for changes.
fn live_keys(model: &Replica) -> Vec<Key> {
    let live = model.msgs.iter().filter(|(_, m)| !m.flags.contains('T'));
    live.map(|(k, _)| k.clone()).collect()
}

/// What phase 3 does to the `j`-th live message; the arms are disjoint by construction, so no
/// message is changed on both sides (that would be a conflict, not a sync).
enum Change {
    MaildirFlags,
    MaildirTrash,
    MaildirDelete,
    ServerFlags,
    ServerExpunge,
    ServerDeleted,
}

fn change_for(j: usize) -> Option<Change> {
    Some(match j {
        j if j % 23 == 0 => Change::MaildirFlags,
        j if j % 23 == 11 => Change::ServerFlags,
        j if j % 47 == 3 => Change::MaildirDelete,
        j if j % 47 == 30 => Change::ServerExpunge,
        j if j % 97 == 5 => Change::MaildirTrash,
        j if j % 97 == 50 => Change::ServerDeleted,
        _ => return None,
    })
}

/// `flags` with each letter of `toggle` added or removed, in `DFPRST` order.
fn toggled(flags: &str, toggle: &str) -> String {
    let mut set: BTreeSet<char> = flags.chars().collect();
    for c in toggle.chars() {
        if !set.remove(&c) {
            set.insert(c);
        }
    }
    set.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// The server side, over a small IMAP client

/// What Strata holds: the replica, each message's UID, and the raw state (UID, flags, bytes
/// and STATUS per mailbox) to prove a run changed nothing.
struct ServerView {
    replica: Replica,
    uids: BTreeMap<Key, u32>,
    raw: BTreeMap<(String, u32), (Vec<String>, Vec<u8>)>,
    status: BTreeMap<String, String>,
}

/// Reads every mailbox and message of the user from Strata.
fn server_state(port: u16) -> ServerView {
    let mut imap = Imap::login(port, USER, PASS);
    let mut view = ServerView {
        replica: Replica::default(),
        uids: BTreeMap::new(),
        raw: BTreeMap::new(),
        status: BTreeMap::new(),
    };
    for resp in imap.ok("LIST \"\" \"*\"") {
        let name = match resp.last() {
            Some(Val::Atom(s)) => s.clone(),
            Some(Val::Str(s)) => String::from_utf8(s.clone()).unwrap(),
            other => panic!("LIST response without a name: {other:?}"),
        };
        view.replica.boxes.insert(name);
    }
    for mailbox in view.replica.boxes.clone() {
        let status = imap.ok(&format!(
            "STATUS {} (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)",
            quote(&mailbox)
        ));
        view.status.insert(mailbox.clone(), format!("{status:?}"));
        let exists = imap
            .ok(&format!("EXAMINE {}", quote(&mailbox)))
            .iter()
            .find_map(|r| match r.as_slice() {
                [Val::Atom(n), Val::Atom(w)] if w == "EXISTS" => n.parse::<usize>().ok(),
                _ => None,
            })
            .expect("EXAMINE reports EXISTS");
        if exists == 0 {
            continue;
        }
        let fetched = imap.ok("UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[])");
        let mut count = 0;
        for resp in fetched {
            let [_, Val::Atom(fetch), Val::List(items)] = resp.as_slice() else {
                continue;
            };
            assert_eq!(fetch, "FETCH");
            count += 1;
            let (uid, flags, size, body) = fetch_items(items);
            let at = format!("{mailbox} UID {uid}");
            assert_eq!(
                size,
                body.len(),
                "{at}: RFC822.SIZE is not the size of BODY[]"
            );
            let lf = crlf_to_lf(&body).unwrap_or_else(|| panic!("{at}: a bare CR or LF"));
            let m = Msg {
                bytes: strip_tuid(&lf),
                flags: letters(&flags, &at),
            };
            let key = insert(&mut view.replica, &mailbox, m, &at);
            view.uids.insert(key, uid);
            // \Recent belongs to sessions, not to the message (and is gone in IMAP4rev2).
            let flags = flags.into_iter().filter(|f| f != "\\Recent").collect();
            view.raw.insert((mailbox.clone(), uid), (flags, body));
        }
        assert_eq!(count, exists, "{mailbox}: one FETCH per message");
    }
    imap.ok("LOGOUT");
    view
}

/// UID, FLAGS, RFC822.SIZE and BODY[] out of one FETCH response's items.
fn fetch_items(items: &[Val]) -> (u32, Vec<String>, usize, Vec<u8>) {
    let (mut uid, mut flags, mut size, mut body) = (None, None, None, None);
    for pair in items.chunks(2) {
        match pair {
            [Val::Atom(k), Val::Atom(v)] if k == "UID" => uid = v.parse().ok(),
            [Val::Atom(k), Val::Atom(v)] if k == "RFC822.SIZE" => size = v.parse().ok(),
            [Val::Atom(k), Val::List(l)] if k == "FLAGS" => {
                let mut l: Vec<String> = l.iter().map(|f| format!("{f:?}")).collect();
                l.sort();
                flags = Some(l)
            }
            [Val::Atom(k), Val::Str(b)] if k == "BODY[]" => body = Some(b.clone()),
            _ => {}
        }
    }
    let what = format!("{items:?}");
    (
        uid.unwrap_or_else(|| panic!("no UID in {what:.200}")),
        flags.unwrap_or_else(|| panic!("no FLAGS in {what:.200}")),
        size.unwrap_or_else(|| panic!("no RFC822.SIZE in {what:.200}")),
        body.unwrap_or_else(|| panic!("no BODY[] in {what:.200}")),
    )
}

/// The maildir letters for IMAP `flags` (`\Recent` has none and is left out).
fn letters(flags: &[String], at: &str) -> String {
    let mut out = String::new();
    for (letter, flag) in FLAGS {
        if flags.iter().any(|f| f.eq_ignore_ascii_case(flag)) {
            out.push(letter);
        }
    }
    for f in flags {
        let known = f.eq_ignore_ascii_case("\\Recent")
            || FLAGS.iter().any(|(_, k)| f.eq_ignore_ascii_case(k));
        assert!(known, "{at}: unexpected flag {f}");
    }
    out
}

/// The IMAP flag list for maildir `letters`.
fn imap_flags(letters: &str) -> String {
    let flags: Vec<&str> = FLAGS
        .iter()
        .filter(|(l, _)| letters.contains(*l))
        .map(|(_, f)| *f)
        .collect();
    format!("({})", flags.join(" "))
}

/// `msg` with CRLF turned into LF; `None` if any CR or LF is not part of a CRLF pair.
fn crlf_to_lf(msg: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(msg.len());
    let mut i = 0;
    while i < msg.len() {
        match msg[i] {
            b'\r' if msg.get(i + 1) == Some(&b'\n') => {
                out.push(b'\n');
                i += 2;
            }
            b'\r' | b'\n' => return None,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(out)
}

/// `msg` with every LF turned into CRLF.
fn lf_to_crlf(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + msg.len() / 40);
    for &b in msg {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// On the server: replaces the flags of some messages, expunges others with UID EXPUNGE, marks
/// a few `\Deleted` without expunging, and APPENDs new ones. Updates `model` to match and
/// returns the appended messages with the UIDs APPENDUID gave them.
fn change_server(port: u16, model: &mut Replica, live: &[Key]) -> Vec<(Key, u32)> {
    let view = server_state(port);
    let mut imap = Imap::login(port, USER, PASS);
    let mut by_box: BTreeMap<String, Vec<(usize, Key)>> = BTreeMap::new();
    for (j, key) in live.iter().cloned().enumerate() {
        by_box.entry(key.0.clone()).or_default().push((j, key));
    }
    let mut counts = [0; 3];
    for (mailbox, keys) in by_box {
        imap.ok(&format!("SELECT {}", quote(&mailbox)));
        let mut expunge = Vec::new();
        for (j, key) in keys {
            let uid = view.uids[&key];
            match change_for(j) {
                Some(Change::ServerFlags) => {
                    let m = model.msgs.get_mut(&key).unwrap();
                    m.flags = toggled(&m.flags, ["S", "F", "RP", "SD"][j / 23 % 4]);
                    imap.ok(&format!(
                        "UID STORE {uid} FLAGS.SILENT {}",
                        imap_flags(&m.flags)
                    ));
                    counts[0] += 1;
                }
                Some(Change::ServerExpunge) => {
                    imap.ok(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"));
                    expunge.push(uid.to_string());
                    model.msgs.remove(&key);
                    counts[1] += 1;
                }
                Some(Change::ServerDeleted) => {
                    imap.ok(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"));
                    let m = model.msgs.get_mut(&key).unwrap();
                    m.flags = toggled(&m.flags, "T");
                    counts[2] += 1;
                }
                _ => {}
            }
        }
        if !expunge.is_empty() {
            // UID EXPUNGE (RFC 4315): only these; the other \Deleted ones are mbsync's to expunge.
            imap.ok(&format!("UID EXPUNGE {}", expunge.join(",")));
        }
        imap.ok("UNSELECT");
    }
    assert!(
        counts[0] > 30 && counts[1] > 15 && counts[2] > 5,
        "{counts:?}"
    );
    let appended = [
        ("INBOX", ""),
        ("INBOX", "S"),
        ("INBOX", "FPS"),
        ("INBOX", "RS"),
        ("Work", "D"),
        ("Work", ""),
    ];
    let mut uids = Vec::new();
    for (k, (mailbox, flags)) in appended.into_iter().enumerate() {
        let bytes = fresh_message("server", k);
        let uid = imap.append(mailbox, &imap_flags(flags), None, &lf_to_crlf(&bytes));
        let m = Msg {
            bytes,
            flags: flags.to_string(),
        };
        uids.push((insert(model, mailbox, m, "APPEND"), uid));
    }
    imap.ok("LOGOUT");
    uids
}

// ---------------------------------------------------------------------------------------------
// The generated maildir

/// A small deterministic generator (xorshift64*), so every run writes the same maildir.
struct Rng(u64);

impl Rng {
    fn step(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.step() % n as u64) as usize
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.step() as u8).collect()
    }
}

/// Writes maildir A (the `BOXES`, `SubFolders Verbatim`) and returns the model of it.
fn generate(root: &Path) -> Replica {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut model = Replica::default();
    let mut i = 0;
    for (mailbox, count) in BOXES {
        let dir = root.join(mailbox);
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        model.boxes.insert(mailbox.to_string());
        for _ in 0..count {
            let bytes = message(i, &mut rng);
            let mut flags = String::new();
            for (letter, p) in [
                ('D', 3),
                ('F', 10),
                ('P', 5),
                ('R', 15),
                ('S', 70),
                ('T', 5),
            ] {
                if rng.percent(p) {
                    flags.push(letter);
                }
            }
            let base = format!("{}.M{i}P4242.strata-gen", 1_600_000_000 + i * 3_600);
            let path = if flags.is_empty() && rng.percent(60) {
                dir.join("new").join(base)
            } else {
                dir.join("cur").join(file_name(&base, &flags))
            };
            fs::write(path, &bytes).unwrap();
            insert(&mut model, mailbox, Msg { bytes, flags }, "generator");
            i += 1;
        }
    }
    model
}

const WORDS: [&str; 24] = [
    "strata",
    "mail",
    "sync",
    "server",
    "message",
    "folder",
    "quarterly",
    "report",
    "meeting",
    "tomorrow",
    "invoice",
    "attached",
    "please",
    "review",
    "the",
    "and",
    "of",
    "to",
    "budget",
    "release",
    "notes",
    "draft",
    "thanks",
    "regards",
];

const UTF8_SUBJECTS: [&str; 6] = [
    "Grüße aus Köln",
    "Ünïcödé naïve café",
    "日本語のテスト、メールの同期",
    "Привет, мир: отчёт за квартал",
    "Ελληνικά και emoji 📬 ✓",
    "Smörgåsbord på fredag",
];

/// Message number `i`: plain text, UTF-8 (encoded-word subjects, 8-bit bodies),
/// multipart/alternative, attachments (a few of ~200 KB), and odd but valid shapes.
fn message(i: usize, rng: &mut Rng) -> Vec<u8> {
    let mut h = String::new();
    if i.is_multiple_of(3) {
        h += "Return-Path: <sender@example.net>\n";
        h += &format!(
            "Received: from mx{}.example.net (mx.example.net [192.0.2.{}])\n\tby strata.test \
             with ESMTPS id {i:08x}\n\tfor <alice@example.org>; {}\n",
            i % 7,
            i % 250,
            date(rng, 0)
        );
    }
    let from = if i % 50 == 25 {
        // Encoded, not raw UTF-8 (RFC 6532): mbsync 1.4 never sends ENABLE UTF8=ACCEPT, and
        // then RFC 6855 §4 has the server refuse 8-bit header fields with NO. Bodies may be 8-bit.
        "=?ISO-8859-1?Q?J=FCrgen_M=FCller?= <jm@example.net>".to_string()
    } else {
        format!("\"Sender {}\" <sender{}@example.net>", i % 37, i % 37)
    };
    h += &format!("From: {from}\nTo: Alice <alice@example.org>\n");
    if i % 4 == 1 {
        h += "Cc: bob@example.org,\n    carol@example.org\n";
    }
    let kind = i % 10;
    let subject = if matches!(kind, 4 | 5) {
        encoded_subject(UTF8_SUBJECTS[i % UTF8_SUBJECTS.len()], i.is_multiple_of(4))
    } else {
        let n = 3 + rng.below(6);
        format!("{} #{i}", words(rng, n))
    };
    h += &format!("Subject: {subject}\n");
    if !i.is_multiple_of(97) {
        h += &format!("Date: {}\n", date(rng, i % 4));
    }
    h += &format!("Message-ID: <gen-{i:04}@strata.test>\n");
    if i % 5 == 2 {
        h += &format!("In-Reply-To: <gen-{:04}@strata.test>\n", i / 2);
    }
    h += "MIME-Version: 1.0\n";

    let big = i % 200 == 99;
    let body = if big || kind == 8 {
        let size = if big { 150_000 } else { 300 + rng.below(6_000) };
        let b = format!("mixed-{i}");
        h += &format!("Content-Type: multipart/mixed; boundary=\"{b}\"\n");
        format!(
            "This is a multi-part message in MIME format.\n\n--{b}\n\
             Content-Type: text/plain; charset=us-ascii\n\n{}\n--{b}\n\
             Content-Type: application/octet-stream; name=\"data-{i}.bin\"\n\
             Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9-{i}.bin\n\
             Content-Transfer-Encoding: base64\n\n{}--{b}--\n",
            paragraphs(rng, 1),
            base64_lines(&rng.bytes(size))
        )
    } else if matches!(kind, 6 | 7) {
        let b = format!("alt-{i}");
        h += &format!("Content-Type: multipart/alternative; boundary=\"{b}\"\n");
        let text = paragraphs(rng, 2);
        format!(
            "--{b}\nContent-Type: text/plain; charset=us-ascii\n\n{text}\n--{b}\n\
             Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: \
             quoted-printable\n\n<html><body><p style=3D\"color: navy\">\n{text}</p></body>\
             </html>\n\n--{b}--\n"
        )
    } else if matches!(kind, 4 | 5) {
        h += "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n";
        format!(
            "{}\n\n{}\n",
            UTF8_SUBJECTS[(i + 1) % UTF8_SUBJECTS.len()],
            paragraphs(rng, 1)
        )
    } else if kind == 9 {
        h += "Content-Type: text/plain; charset=us-ascii\n";
        match i / 10 % 5 {
            0 => String::new(),                                   // no body at all
            1 => "no newline at the end".to_string(),             // last line without LF
            2 => format!("{}\n", "x".repeat(900)),                // one long line
            3 => "trailing spaces   \n\ttab\n\n\n\n".to_string(), // blank lines at the end
            _ => "From here on, a line that mboxes would escape\n.\n..\n".to_string(),
        }
    } else {
        h += "Content-Type: text/plain; charset=us-ascii\n";
        let n = 1 + rng.below(4);
        paragraphs(rng, n)
    };
    format!("{h}\n{body}").into_bytes()
}

/// A subject with RFC 2047 encoded-words: Q encoding when asked and short enough, otherwise B,
/// split into folded words of at most 30 bytes of text each.
fn encoded_subject(text: &str, q: bool) -> String {
    let q_word: String = text
        .bytes()
        .map(|b| match b {
            b' ' => "_".to_string(),
            b if b.is_ascii_alphanumeric() => (b as char).to_string(),
            b => format!("={b:02X}"),
        })
        .collect();
    if q && q_word.len() <= 60 {
        return format!("=?UTF-8?Q?{q_word}?=");
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 30 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    words.join("\n ")
}

/// `n` words from the word list.
fn words(rng: &mut Rng, n: usize) -> String {
    let w: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    w.join(" ")
}

/// `n` paragraphs of text wrapped at 72 columns, each followed by a blank line.
fn paragraphs(rng: &mut Rng, n: usize) -> String {
    let mut out = String::new();
    for _ in 0..n {
        let mut line = String::new();
        for _ in 0..20 + rng.below(60) {
            let w = WORDS[rng.below(WORDS.len())];
            if line.len() + w.len() > 72 {
                out += &line;
                out.push('\n');
                line.clear();
            } else if !line.is_empty() {
                line.push(' ');
            }
            line += w;
        }
        out += &line;
        out += ".\n\n";
    }
    out
}

/// A Date header value between 2015 and 2025, in one of four shapes real mail carries.
fn date(rng: &mut Rng, shape: usize) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01
    const ZONES: [&str; 5] = ["+0000", "-0500", "+0530", "+0900", "-0800"];
    let days = 16_436 + rng.below(3_650) as i64; // from 2015-01-01
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rng.below(24), rng.below(60), rng.below(60));
    let wd = DAYS[(days % 7) as usize];
    let mon = MONTHS[m as usize - 1];
    let zone = ZONES[rng.below(ZONES.len())];
    match shape {
        0 => format!("{wd}, {d} {mon} {y} {hh:02}:{mm:02}:{ss:02} {zone}"),
        1 => format!("{d} {mon} {y} {hh:02}:{mm:02}:{ss:02} {zone}"),
        2 => format!("{wd}, {d:02} {mon} {y} {hh:02}:{mm:02}:{ss:02} +0000 (UTC)"),
        _ => format!("{wd}, {d} {mon} {:02} {hh:02}:{mm:02} GMT", y % 100),
    }
}

/// (year, month, day) of a count of days since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A message delivered during the change phase, by `who` ("maildir" or "server").
fn fresh_message(who: &str, k: usize) -> Vec<u8> {
    format!(
        "From: Late Sender <late@example.net>\nTo: alice@example.org\n\
         Subject: {}\nDate: Wed, 1 Oct 2025 09:{k:02}:00 +0200\n\
         Message-ID: <{who}-new-{k}@strata.test>\nMIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n\
         New on the {who} side, number {k}. Grüße!\n",
        encoded_subject(UTF8_SUBJECTS[k % UTF8_SUBJECTS.len()], k.is_multiple_of(2))
    )
    .into_bytes()
}

/// Base64 (RFC 4648) without line breaks.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, &b)| n | (u32::from(b) << (16 - 8 * k)));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 in lines of 76 characters, each ending with LF (RFC 2045 §6.8).
fn base64_lines(data: &[u8]) -> String {
    let encoded = base64(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 76 + 1);
    for line in encoded.as_bytes().chunks(76) {
        out += std::str::from_utf8(line).unwrap();
        out.push('\n');
    }
    out
}
