//! The operations of the realistic profile and what each checks beyond the mailbox model.

use super::model::Mailbox;
use super::{Client, FOLDERS, RealOp, Sent, proto};
use crate::conn::{ConnError, Status, quote};
use crate::corpus::{self, WORDS};
use std::time::Instant;

/// The header fields a mail client lists messages with.
const LIST_FIELDS: &str = "DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE";

/// The items of a message list line (webmail, a desktop client's new headers).
fn header_items() -> String {
    format!(
        "UID RFC822.SIZE FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS ({LIST_FIELDS})]"
    )
}

impl Client {
    /// Runs `op` (SELECT first when it needs a mailbox and none is selected; APPEND when it
    /// needs a message and the mailbox is empty).
    pub(super) async fn step(&mut self, op: RealOp) -> Result<(), ConnError> {
        let needs_mailbox = !matches!(
            op,
            RealOp::List | RealOp::Status | RealOp::Append | RealOp::Select
        );
        if needs_mailbox && self.mailbox.is_none() {
            return self.select().await;
        }
        let needs_message = matches!(
            op,
            RealOp::FetchFlags
                | RealOp::FetchHeaders
                | RealOp::FetchBody
                | RealOp::Store
                | RealOp::Expunge
        );
        if needs_message && self.mailbox.as_ref().is_some_and(|m| m.len() == 0) {
            return self.append().await;
        }
        let t = Instant::now();
        match op {
            RealOp::List => {
                let r = self.cmd_ok("LIST \"\" \"*\"").await?;
                let inbox = r.untagged.iter().any(|l| {
                    let l = l.to_ascii_uppercase();
                    l.starts_with(b"LIST ") && (l.ends_with(b" INBOX") || l.ends_with(b"\"INBOX\""))
                });
                if !inbox {
                    self.stats
                        .inconsistent("LIST \"\" \"*\" without INBOX".into());
                }
            }
            RealOp::Status => {
                let selected = self.mailbox.as_ref().map(|m| m.name.clone());
                let folder = self.random_folder();
                if selected.as_deref() == Some(folder.as_str()) {
                    return Ok(());
                }
                let r = self
                    .cmd_ok(&format!(
                        "STATUS {} (MESSAGES UNSEEN UIDNEXT)",
                        quote(&folder)
                    ))
                    .await?;
                let n = r
                    .untagged
                    .iter()
                    .filter(|l| l.to_ascii_uppercase().starts_with(b"STATUS "))
                    .count();
                if n != 1 {
                    self.stats
                        .inconsistent(format!("STATUS {folder}: {n} STATUS responses"));
                }
            }
            RealOp::Select => return self.select().await,
            RealOp::FetchFlags => {
                let (a, b) = self.window(20, 100);
                self.fetch_seqs(a, b, "UID FLAGS").await?;
            }
            RealOp::FetchHeaders => return self.fetch_headers().await,
            RealOp::FetchBody => return self.fetch_body().await,
            RealOp::Store => return self.store().await,
            RealOp::Expunge => return self.expunge().await,
            RealOp::Append => return self.append().await,
            RealOp::Search => {
                let word = WORDS[self.rng.usize(0..WORDS.len())];
                let command = match self.rng.u32(0..6) {
                    0 => "UID SEARCH UNSEEN".to_string(),
                    1 => "UID SEARCH FLAGGED".to_string(),
                    2 => format!("UID SEARCH SUBJECT {word}"),
                    3 => format!("UID SEARCH TEXT {word}"),
                    4 => "UID SEARCH SINCE 1-Jun-2026 NOT DELETED".to_string(),
                    _ => format!("UID SEARCH OR FROM {word} TO {word}"),
                };
                let r = self.cmd_ok(&command).await?;
                let results = r.searches();
                if results.len() != 1 {
                    self.stats
                        .inconsistent(format!("{command}: {} SEARCH responses", results.len()));
                }
            }
            RealOp::Idle => {
                let hold = self.cfg.idle;
                let r = self.conn()?.idle(hold).await?;
                self.absorb(&r);
                if r.status() != Status::Ok {
                    return Err(proto(format!("IDLE: {}", r.tagged)));
                }
                if self.measuring() {
                    self.stats.ok("idle", t.elapsed().saturating_sub(hold));
                }
                return Ok(());
            }
            RealOp::Noop => {
                self.cmd_ok("NOOP").await?;
            }
        }
        self.timed(op_name(op), t);
        Ok(())
    }

    /// SELECT of INBOX (mostly) or another folder, then a flag sync of every message (half
    /// the time: a desktop client) or the newest page of headers (webmail).
    pub(super) async fn select(&mut self) -> Result<(), ConnError> {
        self.leave_mailbox().await?;
        let name = if self.rng.u32(0..10) < 7 {
            "INBOX".to_string()
        } else {
            self.random_folder()
        };
        self.mailbox = Some(Mailbox::selecting(&name));
        let t = Instant::now();
        let r = self.cmd_ok(&format!("SELECT {}", quote(&name))).await?;
        self.timed("select", t);
        let has_exists = r
            .untagged
            .iter()
            .any(|l| l.to_ascii_uppercase().ends_with(b" EXISTS"));
        let mb = self.mailbox.as_ref().map_or(0, |m| m.uidvalidity);
        if !has_exists || mb == 0 {
            self.stats
                .inconsistent(format!("SELECT {name}: EXISTS or UIDVALIDITY missing"));
        }
        let n = self.mailbox.as_ref().map_or(0, Mailbox::len);
        if n == 0 {
            return Ok(());
        }
        let t = Instant::now();
        if self.rng.bool() {
            self.fetch_seqs(1, n, "UID FLAGS").await?;
            self.timed("sync", t);
        } else {
            let a = n.saturating_sub(49).max(1);
            self.fetch_seqs(a, n, &header_items()).await?;
            self.timed("fetch_headers", t);
        }
        Ok(())
    }

    /// One of [`FOLDERS`] at random, as the server spells it.
    fn random_folder(&mut self) -> String {
        let f = FOLDERS[self.rng.usize(0..FOLDERS.len())];
        self.folder(f)
    }

    /// A random window of `min..=max` messages (fewer if the mailbox is smaller).
    fn window(&mut self, min: u32, max: u32) -> (u32, u32) {
        let n = self.mailbox.as_ref().map_or(0, Mailbox::len).max(1);
        let len = self.rng.u32(min..=max).min(n);
        let a = self.rng.u32(1..=n - len + 1);
        (a, a + len - 1)
    }

    /// `FETCH a:b (items)`: OK (`OK [EXPUNGEISSUED]` included), and every message asked for
    /// is answered or reported expunged later. A NO is an error: a message the session still
    /// sees can be read (RFC 2180 §4.1.1; Dovecot and Cyrus answer with its data).
    async fn fetch_seqs(&mut self, a: u32, b: u32, items: &str) -> Result<(), ConnError> {
        if let Some(m) = self.mailbox.as_mut() {
            m.ask(Some(a..=b), &[]);
        }
        let r = self.cmd(&format!("FETCH {a}:{b} ({items})")).await?;
        if r.status() != Status::Ok {
            return Err(proto(format!("FETCH {a}:{b}: {}", r.tagged)));
        }
        if let Some(m) = self.mailbox.as_mut() {
            m.unanswered();
        }
        Ok(())
    }

    /// A known UID of the selected mailbox, at random.
    fn known_uid(&mut self) -> Option<u32> {
        let uids = self.mailbox.as_ref()?.known_uids();
        (!uids.is_empty()).then(|| uids[self.rng.usize(0..uids.len())])
    }

    /// A page of message-list items by UID over 10–50 messages whose UIDs the session knows,
    /// else by sequence number.
    async fn fetch_headers(&mut self) -> Result<(), ConnError> {
        let (a, b) = self.window(10, 50);
        let uids: Vec<u32> = self.mailbox.as_ref().map_or(Vec::new(), |m| {
            m.slots[a as usize - 1..b as usize]
                .iter()
                .map(|s| s.uid)
                .collect()
        });
        let t = Instant::now();
        if uids.contains(&0) {
            self.fetch_seqs(a, b, &header_items()).await?;
        } else {
            if let Some(m) = self.mailbox.as_mut() {
                m.ask(None, &uids);
            }
            let (lo, hi) = (uids[0], uids[uids.len() - 1]);
            self.cmd_ok(&format!("UID FETCH {lo}:{hi} ({})", header_items()))
                .await?;
            if let Some(m) = self.mailbox.as_mut() {
                m.unanswered();
            }
        }
        self.timed("fetch_headers", t);
        Ok(())
    }

    /// One message whole, one of its parts, or `BODY[]` (which sets \Seen).
    async fn fetch_body(&mut self) -> Result<(), ConnError> {
        let Some(uid) = self.known_uid() else {
            return self.fetch_seqs(1, 1, "UID FLAGS").await;
        };
        let (items, want) = match self.rng.u32(0..10) {
            0..5 => ("BODY.PEEK[]", "BODY[]"),
            5..7 => ("BODY.PEEK[1]", "BODY[1]"),
            7 => ("BODY.PEEK[HEADER] BODY.PEEK[TEXT]", "BODY[TEXT]"),
            _ => ("FLAGS BODY[]", "BODY[]"),
        };
        if let Some(m) = self.mailbox.as_mut() {
            m.ask(None, &[uid]);
        }
        let t = Instant::now();
        let r = self.conn_cmd(&format!("UID FETCH {uid} ({items})")).await?;
        let fetched = self.absorb(&r);
        if r.status() != Status::Ok {
            return Err(proto(format!("UID FETCH {uid} ({items}): {}", r.tagged)));
        }
        self.timed("fetch_body", t);
        let got = fetched
            .iter()
            .filter(|f| f.uid == Some(uid))
            .flat_map(|f| &f.items)
            .find(|(name, _)| name == want);
        let nil = got.is_some_and(|(_, has)| !has);
        if let Some(m) = self.mailbox.as_mut() {
            m.unanswered();
            if nil {
                m.doom(uid);
            }
        }
        Ok(())
    }

    /// `UID STORE ±FLAGS (f)` on a known message: its FETCH, if one comes, shows the change
    /// (with another session's change of the same message reported beside it, one of them).
    /// (A server need not answer a STORE that changed nothing: Dovecot does not.)
    async fn store(&mut self) -> Result<(), ConnError> {
        let Some(uid) = self.known_uid() else {
            return self.fetch_seqs(1, 1, "UID FLAGS").await;
        };
        let flag = match self.rng.u32(0..8) {
            0..2 => "\\Seen".to_string(),
            2 => "\\Flagged".to_string(),
            3 => "\\Answered".to_string(),
            _ => format!("$Label{}", self.rng.u32(1..=5)),
        };
        let add = self.rng.u32(0..3) != 0;
        let sign = if add { '+' } else { '-' };
        let t = Instant::now();
        let r = self
            .conn_cmd(&format!("UID STORE {uid} {sign}FLAGS ({flag})"))
            .await?;
        let fetched = self.absorb(&r);
        if r.status() != Status::Ok {
            return Err(proto(format!(
                "UID STORE {uid} {sign}FLAGS ({flag}): {}",
                r.tagged
            )));
        }
        self.timed("store", t);
        // Another session may change the message just before or after this STORE, and the
        // server may report that too, in either order: one of the FETCHes must show the change.
        let answers: Vec<&Vec<String>> = fetched
            .iter()
            .filter(|f| f.uid == Some(uid))
            .filter_map(|f| f.flags.as_ref())
            .collect();
        let shows =
            |flags: &&Vec<String>| flags.iter().any(|x| x.eq_ignore_ascii_case(&flag)) == add;
        if !answers.is_empty() && !answers.iter().any(shows) {
            self.stats.inconsistent(format!(
                "UID STORE {uid} {sign}FLAGS ({flag}) answered FLAGS {answers:?}"
            ));
        }
        Ok(())
    }

    /// \Deleted on a known message, then UID EXPUNGE of it (EXPUNGE without UIDPLUS): the
    /// message is gone from the session's view when the reply ends.
    async fn expunge(&mut self) -> Result<(), ConnError> {
        let Some(uid) = self.known_uid() else {
            return self.fetch_seqs(1, 1, "UID FLAGS").await;
        };
        self.cmd_ok(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"))
            .await?;
        let uidplus = self.conn.as_ref().is_some_and(|c| c.has("UIDPLUS"));
        let command = if uidplus {
            format!("UID EXPUNGE {uid}")
        } else {
            "EXPUNGE".to_string()
        };
        let t = Instant::now();
        self.cmd_ok(&command).await?;
        self.timed("expunge", t);
        if let Some(m) = &self.mailbox
            && m.seq_of(uid).is_some()
        {
            let what = format!("{}: {command} left UID {uid} in the mailbox", m.name);
            self.stats.inconsistent(what);
        }
        Ok(())
    }

    /// APPEND of a real-shaped message (a reply to an earlier one a quarter of the time) to
    /// INBOX, Sent or Drafts.
    pub(super) async fn append(&mut self) -> Result<(), ConnError> {
        self.appended += 1;
        let msgid = format!(
            "{}.{}.{}@loadgen.example.org",
            self.cfg.run, self.cfg.id, self.appended
        );
        let (folder, flags) = match self.rng.u32(0..10) {
            0..8 => ("INBOX", ""),
            8 => ("Sent", " (\\Seen)"),
            _ => ("Drafts", " (\\Seen \\Draft)"),
        };
        let parent = (!self.sent.is_empty() && self.rng.u32(0..4) == 0)
            .then(|| self.sent[self.rng.usize(0..self.sent.len())].clone());
        let to = self.cfg.accounts[self.account].0.clone();
        let made = corpus::realistic(
            &mut self.rng,
            &corpus::Wanted {
                to: &to,
                msgid: &msgid,
                reply_to: parent.as_ref().map(|p| corpus::Parent {
                    msgid: &p.msgid,
                    references: &p.references,
                    subject: &p.subject,
                }),
            },
        );
        let t = Instant::now();
        let r = self
            .conn()?
            .command_with_literal(&format!("APPEND {}{flags}", quote(folder)), &made.bytes, "")
            .await?;
        self.absorb(&r);
        if r.status() != Status::Ok {
            return Err(proto(format!("APPEND {folder}: {}", r.tagged)));
        }
        self.timed("append", t);
        let upper = r.tagged.to_ascii_uppercase();
        if let Some(at) = upper.find("[APPENDUID ")
            && let Some(m) = &self.mailbox
            && m.name == folder
        {
            let validity: Option<u32> = upper[at + 11..]
                .split(' ')
                .next()
                .and_then(|v| v.parse().ok());
            if validity != Some(m.uidvalidity) {
                let what = format!(
                    "APPEND {folder}: APPENDUID validity {validity:?}, SELECT said {}",
                    m.uidvalidity
                );
                self.stats.inconsistent(what);
            }
        }
        if self.sent.len() >= 20 {
            self.sent.remove(0);
        }
        self.sent.push(Sent {
            msgid,
            references: made.references,
            subject: made.subject,
        });
        Ok(())
    }

    /// Sends `command` on the connection without absorbing (the caller does, to see FETCHes).
    async fn conn_cmd(&mut self, command: &str) -> Result<crate::conn::Reply, ConnError> {
        self.conn()?.command(command).await
    }
}

fn op_name(op: RealOp) -> &'static str {
    use crate::mix::Operation;
    op.name()
}
