//! Mailboxes for the realistic profile: every account gets the [`FOLDERS`] and real-shaped
//! mail ([`corpus::realistic`]) with the flags a year of reading leaves: most of INBOX read,
//! some answered, flagged or labelled; a sixth of the messages are replies in threads. The
//! same seed gives the same bytes, folders and flags on every server.

use super::{FOLDERS, on_server};
use crate::conn::{Conn, ConnError, Status, quote};
use crate::corpus;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Where and how much to prepare.
#[derive(Clone)]
pub struct Prepare {
    /// The server.
    pub server: SocketAddr,
    /// Source address to bind, if any.
    pub source: Option<IpAddr>,
    /// Per-response timeout.
    pub timeout: Duration,
    /// The accounts: login name and password.
    pub accounts: Arc<Vec<(String, String)>>,
    /// Messages in each INBOX; the other folders get a share of it.
    pub messages: usize,
    /// Accounts prepared at once.
    pub parallel: usize,
}

/// Messages each folder gets for `inbox` messages in INBOX.
pub fn folder_sizes(inbox: usize) -> Vec<(&'static str, usize)> {
    let mut sizes = vec![("INBOX", inbox)];
    for f in FOLDERS {
        let n = match f {
            "Sent" | "Archive" => inbox / 5,
            "Drafts" => inbox / 60,
            "Trash" => inbox / 40,
            _ => inbox / 20,
        };
        sizes.push((f, n));
    }
    sizes
}

/// Prepares every account; returns the messages and octets appended, or the first failure.
pub async fn prepare(p: &Prepare) -> Result<(u64, u64), String> {
    let gate = Arc::new(tokio::sync::Semaphore::new(p.parallel.max(1)));
    let tasks: Vec<_> = (0..p.accounts.len())
        .map(|k| {
            let (p, gate) = (p.clone(), gate.clone());
            tokio::spawn(async move {
                let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
                account(&p, k)
                    .await
                    .map_err(|e| format!("{}: {e}", p.accounts[k].0))
            })
        })
        .collect();
    let (mut messages, mut octets) = (0, 0);
    for t in tasks {
        let (m, o) = t.await.map_err(|e| e.to_string())??;
        messages += m;
        octets += o;
    }
    Ok((messages, octets))
}

/// Folders and messages of account `k` (its own seed).
async fn account(p: &Prepare, k: usize) -> Result<(u64, u64), ConnError> {
    let (user, password) = &p.accounts[k];
    let mut c = Conn::connect(p.server, p.source, p.timeout).await?;
    let r = c
        .command(&format!("LOGIN {} {}", quote(user), quote(password)))
        .await?;
    if r.status() != Status::Ok {
        return Err(ConnError::Protocol(format!("LOGIN: {}", r.tagged)));
    }
    if !r.tagged.to_ascii_uppercase().contains("[CAPABILITY ") {
        c.command("CAPABILITY").await?;
    }
    let delimiter = super::delimiter(&mut c).await?;
    for f in FOLDERS {
        // NO: it exists already (prepared before).
        let f = on_server(f, delimiter);
        let r = c.command(&format!("CREATE {}", quote(&f))).await?;
        if r.status() == Status::Bad {
            return Err(ConnError::Protocol(format!("CREATE {f}: {}", r.tagged)));
        }
    }
    let mut rng = fastrand::Rng::with_seed(0x5eed_0000 + k as u64);
    let mut earlier: Vec<(String, Vec<String>, String)> = Vec::new();
    let (mut messages, mut octets) = (0u64, 0u64);
    for (folder, count) in folder_sizes(p.messages) {
        for i in 0..count {
            let msgid = format!("prep.{k}.{folder}.{i}@loadgen.example.org").replace(' ', "-");
            let parent = (!earlier.is_empty() && rng.u32(0..6) == 0)
                .then(|| earlier[rng.usize(0..earlier.len())].clone());
            let made = corpus::realistic(
                &mut rng,
                &corpus::Wanted {
                    to: user,
                    msgid: &msgid,
                    reply_to: parent.as_ref().map(|(id, refs, subject)| corpus::Parent {
                        msgid: id,
                        references: refs,
                        subject,
                    }),
                },
            );
            let flags = flags_for(&mut rng, folder);
            let r = c
                .command_with_literal(
                    &format!("APPEND {} ({flags})", quote(&on_server(folder, delimiter))),
                    &made.bytes,
                    "",
                )
                .await?;
            if r.status() != Status::Ok {
                return Err(ConnError::Protocol(format!(
                    "APPEND {folder}: {}",
                    r.tagged
                )));
            }
            messages += 1;
            octets += made.bytes.len() as u64;
            if earlier.len() >= 50 {
                earlier.swap_remove(rng.usize(0..earlier.len()));
            }
            earlier.push((msgid, made.references, made.subject));
        }
    }
    c.command("LOGOUT").await?;
    Ok((messages, octets))
}

/// The flags a message in `folder` has after a year of use.
fn flags_for(rng: &mut fastrand::Rng, folder: &str) -> String {
    let mut f: Vec<String> = Vec::new();
    match folder {
        "Sent" => f.push("\\Seen".into()),
        "Drafts" => f.extend(["\\Seen".into(), "\\Draft".into()]),
        _ => {
            if rng.u32(0..100) < 75 {
                f.push("\\Seen".into());
            }
            if rng.u32(0..100) < 12 {
                f.push("\\Answered".into());
            }
            if rng.u32(0..100) < 8 {
                f.push("\\Flagged".into());
            }
            if rng.u32(0..100) < 6 {
                f.push(format!("$Label{}", rng.u32(1..=5)));
            }
        }
    }
    f.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_shares() {
        let sizes = folder_sizes(200);
        assert_eq!(sizes[0], ("INBOX", 200));
        let total: usize = sizes.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 200 + 40 + 3 + 40 + 5 + 10 + 10);
        let mut rng = fastrand::Rng::with_seed(1);
        let seen = (0..1000)
            .filter(|_| flags_for(&mut rng, "INBOX").contains("\\Seen"))
            .count();
        assert!((700..800).contains(&seen), "{seen}");
        assert_eq!(flags_for(&mut rng, "Sent"), "\\Seen");
    }
}
