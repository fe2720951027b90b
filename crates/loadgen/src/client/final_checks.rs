//! The end-of-run checks of one client (not timed): every own message still has the flags it
//! last stored, a sample of them is found exactly once by Message-ID, and the private mailbox
//! holds what COPY and MOVE put there; then the client removes what it left behind.

use super::Client;
use crate::conn::{ConnError, Untagged, parse_untagged, quote};

impl Client {
    /// The end-of-run checks (not timed), then removes what the client left behind.
    pub(super) async fn finish(&mut self) -> Result<(), ConnError> {
        self.select().await?;
        let own = self.own.clone();
        for chunk in own.chunks(200) {
            let set: Vec<String> = chunk.iter().map(|o| o.uid.to_string()).collect();
            let r = self
                .cmd_ok(&format!("UID FETCH {} (UID FLAGS)", set.join(",")))
                .await?;
            for o in chunk {
                let seen: Vec<Vec<String>> = r
                    .untagged
                    .iter()
                    .filter_map(|l| match parse_untagged(l) {
                        Ok(Untagged::Fetch {
                            uid: Some(u),
                            flags: Some(f),
                            ..
                        }) if u == o.uid => Some(f),
                        _ => None,
                    })
                    .collect();
                match seen.as_slice() {
                    [flags] => {
                        let has = flags.iter().any(|f| f.eq_ignore_ascii_case("\\Flagged"));
                        if has != o.flagged {
                            self.stats.inconsistent(format!(
                                "UID {}: \\Flagged is {has}, last STORE made it {}",
                                o.uid, o.flagged
                            ));
                        }
                    }
                    other => self.stats.inconsistent(format!(
                        "own UID {} answered {} times",
                        o.uid,
                        other.len()
                    )),
                }
            }
        }
        // Appended once: a sample of the own messages by Message-ID.
        for o in own.iter().take(20) {
            let found = self.find_by_msgid(&o.msgid).await?;
            if found != [o.uid] {
                self.stats
                    .inconsistent(format!("own {} found as {found:?}", o.msgid));
            }
        }
        let r = self
            .cmd_ok(&format!("STATUS {} (MESSAGES)", quote(&self.private)))
            .await?;
        let status = r
            .untagged
            .iter()
            .map(|l| String::from_utf8_lossy(l).to_ascii_uppercase())
            .find(|l| l.starts_with("STATUS"))
            .and_then(|l| {
                l.split("MESSAGES ").nth(1).and_then(|n| {
                    n.split([')', ' '])
                        .next()
                        .and_then(|n| n.parse::<u32>().ok())
                })
            });
        if status != Some(self.private_count) {
            self.stats.inconsistent(format!(
                "{} holds {status:?} messages, {} were copied or moved",
                self.private, self.private_count
            ));
        }
        // Leave the shared INBOX as it was.
        for chunk in own.chunks(200) {
            let set: Vec<String> = chunk.iter().map(|o| o.uid.to_string()).collect();
            let set = set.join(",");
            self.cmd_ok(&format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)"))
                .await?;
            self.cmd_ok(&format!("UID EXPUNGE {set}")).await?;
        }
        self.own.clear();
        self.cmd(&format!("DELETE {}", quote(&self.private)))
            .await?;
        self.cmd("LOGOUT").await?;
        Ok(())
    }
}
