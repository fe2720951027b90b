//! End to end with a terminal mail client: neomutt (Debian's build, with IDLE, CONDSTORE and
//! QRESYNC turned on) driven in a private tmux server against the real `strata serve`. What the
//! user would see is read from the screen with `tmux capture-pane`; what the server holds is
//! checked over IMAP with Python's imaplib.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{add_user, start};

const USER: &str = "alice@example.org";
const PASS: &str = "pencil sharp";

/// A tmux server of our own (its own socket), killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(home: &Path, rc: &Path) -> Tmux {
        let t = Tmux {
            socket: format!("strata-neomutt-{}", std::process::id()),
        };
        let run = format!(
            "neomutt -n -F {} 2>{}; sleep 600",
            rc.display(),
            home.join("neomutt.err").display()
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "new-session",
                "-d",
                "-x",
                "160",
                "-y",
                "40",
            ])
            .arg(run)
            .env("HOME", home)
            .env("TERM", "xterm")
            .status()
            .expect("tmux runs");
        assert!(ok.success(), "tmux new-session");
        t
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &str) {
        let ok = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", keys])
            .status()
            .expect("tmux send-keys");
        assert!(ok.success());
    }

    /// Waits up to 20 s for the screen to satisfy `want`; returns the last screen.
    fn wait(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if want(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "neomutt never showed {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// Runs a Python snippet with imaplib already logged in as `m` on `port`; returns its stdout.
fn imap(port: u16, body: &str) -> String {
    let script = format!(
        "import imaplib, sys\nm = imaplib.IMAP4('127.0.0.1', {port})\nm.login({USER:?}, {PASS:?})\n{body}\nm.logout()\n"
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn message(from: &str, subject: &str, minute: u32) -> String {
    format!(
        "From: {from}\r\nTo: {USER}\r\nSubject: {subject}\r\nDate: Mon, 23 Nov 2026 10:{minute:02}:00 +0000\r\nMessage-ID: <{minute}@example.org>\r\n\r\nBody of {subject}\r\n"
    )
}

/// neomutt lists the INBOX, deletes and syncs a message (the server expunges it), shows a
/// message that arrives while it sits in the index (IDLE), opens one (the server records
/// `\Seen`), and quits cleanly.
#[test]
fn neomutt_reads_deletes_and_sees_new_mail() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), USER, PASS);
    let log_path = dir.path().join("server.log");
    let (_server, port, _) = start(dir.path(), std::fs::File::create(&log_path).unwrap());
    for (i, subject) in ["Hello neomutt 1", "Hello neomutt 2", "Hello neomutt 3"]
        .iter()
        .enumerate()
    {
        let msg = message("Bob <bob@example.org>", subject, i as u32 + 1);
        imap(
            port,
            &format!("m.append('INBOX', None, None, {msg:?}.encode())"),
        );
    }
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let rc = home.join("neomuttrc");
    std::fs::write(
        &rc,
        format!(
            "set folder=\"imap://{USER}@127.0.0.1:{port}/\"\n\
             set spoolfile=\"+INBOX\"\n\
             set imap_user=\"{USER}\"\n\
             set imap_pass=\"{PASS}\"\n\
             set ssl_starttls=no\nset ssl_force_tls=no\n\
             set imap_condstore=yes\nset imap_qresync=yes\nset imap_idle=yes\n\
             set mail_check=1\nset timeout=1\n\
             set header_cache=\"\"\nset message_cachedir=\"\"\n\
             set delete=yes\nset quit=yes\nset sort=date\n\
             set record=\"\"\nset postponed=\"\"\n"
        ),
    )
    .unwrap();
    let tmux = Tmux::new(&home, &rc);
    tmux.wait("the three messages", |s| {
        (1..=3).all(|i| s.contains(&format!("Hello neomutt {i}")))
    });

    // Delete the first and sync: the server expunges it.
    tmux.keys("d");
    tmux.keys("$");
    tmux.wait("the index without message 1", |s| {
        !s.contains("Hello neomutt 1") && s.contains("Hello neomutt 2")
    });
    let left = imap(
        port,
        "m.select('INBOX')\nprint(m.fetch('1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])'))",
    );
    assert!(
        !left.contains("neomutt 1") && left.contains("neomutt 2") && left.contains("neomutt 3"),
        "{left}"
    );

    // New mail while neomutt sits in the index.
    let msg = message("Carol <carol@example.org>", "Arrived while open", 30);
    imap(
        port,
        &format!("m.append('INBOX', None, None, {msg:?}.encode())"),
    );
    tmux.wait("the new message", |s| s.contains("Arrived while open"));

    // Open the first message (now "Hello neomutt 2"): its body is shown, and it is \Seen.
    tmux.keys("Enter");
    tmux.wait("the message body", |s| {
        s.contains("Body of Hello neomutt 2")
    });
    tmux.keys("q");
    tmux.wait("the index again", |s| s.contains("Arrived while open"));
    tmux.keys("q");
    let flags = imap(
        port,
        "m.select('INBOX')\nprint(m.fetch('1:*', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])'))",
    );
    let seen_line = flags
        .split("), ")
        .find(|part| part.contains("neomutt 2"))
        .unwrap_or_default()
        .to_string();
    assert!(seen_line.contains("\\\\Seen"), "{flags}");

    // neomutt used IDLE, and left without errors on the server's side.
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("\"command\":\"IDLE\""),
        "neomutt idled:\n{log}"
    );
    assert!(
        !log.contains("\"result\":\"Bad\""),
        "no command of neomutt's was BAD:\n{log}"
    );
}
