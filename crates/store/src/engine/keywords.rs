//! The keywords a mailbox has defined (`mailbox_keywords`), kept so that a write can be
//! refused before the mailbox passes [`flags::MAX_MAILBOX_KEYWORDS`]. APPEND, STORE, COPY and
//! MOVE call [`define`] under the mailbox's lock with the keywords their rows will carry.

use super::conn::{Conn, Param, all};
use crate::error::Result;
use crate::rules::flags;
use crate::types::MailboxId;
use Param::{Int, Text};
use std::collections::BTreeSet;

/// Records the keywords of `keywords` that `mailbox` has not defined yet, or refuses with
/// `Limit` (and records nothing) when they would take it past the limit. The record may
/// still hold keywords no message carries any more: before refusing, it is rebuilt from the
/// messages' own keywords, so a mailbox whose old keywords are gone takes new ones.
pub(crate) async fn define<'k, C: Conn>(
    c: &mut C,
    mailbox: MailboxId,
    keywords: impl IntoIterator<Item = &'k str>,
) -> Result<()> {
    let wanted: BTreeSet<String> = keywords.into_iter().map(flags::keyword_key).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let known = all(
        c,
        "SELECT keyword FROM mailbox_keywords WHERE mailbox_id = $1",
        &[Int(mailbox.0)],
        |r| Ok(r.text(0)?.to_string()),
    )
    .await?;
    let known: BTreeSet<String> = known.into_iter().collect();
    let new: Vec<String> = match flags::define_keywords(&known, &wanted) {
        Ok(new) => new,
        Err(full) => {
            let in_use = in_use(c, mailbox).await?;
            if flags::define_keywords(&in_use, &wanted).is_err() {
                return Err(full);
            }
            c.execute(
                "DELETE FROM mailbox_keywords WHERE mailbox_id = $1",
                &[Int(mailbox.0)],
            )
            .await?;
            in_use.union(&wanted).cloned().collect()
        }
    };
    for k in &new {
        c.execute(
            "INSERT INTO mailbox_keywords (mailbox_id, keyword) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
            &[Int(mailbox.0), Text(k)],
        )
        .await?;
    }
    Ok(())
}

/// The keywords `mailbox`'s messages carry now (keys).
async fn in_use<C: Conn>(c: &mut C, mailbox: MailboxId) -> Result<BTreeSet<String>> {
    let rows = all(
        c,
        "SELECT DISTINCT keywords FROM messages WHERE mailbox_id = $1 AND keywords <> ''",
        &[Int(mailbox.0)],
        |r| Ok(r.text(0)?.to_string()),
    )
    .await?;
    Ok(rows
        .iter()
        .flat_map(|k| k.split(' '))
        .filter(|k| !k.is_empty())
        .map(flags::keyword_key)
        .collect())
}
