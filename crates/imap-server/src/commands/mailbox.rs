//! CREATE (RFC 6154 USE), DELETE, RENAME, SUBSCRIBE/UNSUBSCRIBE and STATUS (RFC 9051 §6.3,
//! RFC 8438 SIZE, RFC 9208 DELETED-STORAGE).

use crate::context::AuthCtx;
use crate::mailbox_data::{DELIM, status_response};
use crate::reply::{CommandError, Outcome, Reply};
use crate::updates::enable_condstore;
use imap_proto::Mailbox;
use imap_proto::response::Code;
use imap_proto::types::StatusItem;
use store::{AccountId, MailStore, SpecialUse, StoreError};

/// Creates every missing superior of `name` (RFC 9051 §6.3.4: the server SHOULD).
async fn create_parents(
    store: &dyn MailStore,
    account: AccountId,
    name: &str,
) -> Result<(), StoreError> {
    let mut at = 0;
    while let Some(i) = name[at..].find(DELIM) {
        let parent = &name[..at + i];
        match store.create_mailbox(account, parent, None).await {
            Ok(_) | Err(StoreError::AlreadyExists(_)) => {}
            Err(e) => return Err(e),
        }
        at += i + 1;
    }
    Ok(())
}

/// CREATE mailbox [(USE (attrs))]
pub(crate) async fn create(cx: &mut AuthCtx<'_>, m: &Mailbox, uses: &[String]) -> Outcome {
    let account = cx.account();
    // A trailing delimiter declares intent to create children (RFC 9051 §6.3.4).
    let name = cx.new_name_in(m)?.trim_end_matches(DELIM).to_string();
    if name.eq_ignore_ascii_case("INBOX") {
        return Err(CommandError::no_code(
            Code::AlreadyExists,
            "INBOX always exists",
        ));
    }
    let special_use = match uses {
        [] => None,
        [one] => Some(SpecialUse::from_name(one).ok_or_else(|| {
            CommandError::no_code(Code::UseAttr, format!("unknown special use \\{one}"))
        })?),
        _ => {
            return Err(CommandError::no_code(
                Code::UseAttr,
                "one special use per mailbox",
            ));
        }
    };
    create_parents(cx.store(), account, &name).await?;
    cx.store()
        .create_mailbox(account, &name, special_use)
        .await?;
    Ok(Reply::ok("CREATE completed"))
}

/// DELETE mailbox
pub(crate) async fn delete(cx: &mut AuthCtx<'_>, m: &Mailbox) -> Outcome {
    let name = cx.name_in(m)?;
    cx.store().delete_mailbox(cx.account(), &name).await?;
    Ok(Reply::ok("DELETE completed"))
}

/// RENAME old new
pub(crate) async fn rename(cx: &mut AuthCtx<'_>, from: &Mailbox, to: &Mailbox) -> Outcome {
    let account = cx.account();
    let from = cx.name_in(from)?;
    let to = cx.new_name_in(to)?.trim_end_matches(DELIM).to_string();
    create_parents(cx.store(), account, &to).await?;
    cx.store().rename_mailbox(account, &from, &to).await?;
    Ok(Reply::ok("RENAME completed"))
}

/// SUBSCRIBE / UNSUBSCRIBE mailbox
pub(crate) async fn subscribe(cx: &mut AuthCtx<'_>, m: &Mailbox, on: bool) -> Outcome {
    let (account, name) = (cx.account(), cx.name_in(m)?);
    // RFC 9051 §6.3.7: SUBSCRIBE of a name that does not exist MAY fail; we require it to
    // exist, which is what clients expect from a server that has the mailbox list.
    if on {
        cx.store().mailbox(account, &name).await?;
    }
    cx.store().set_subscribed(account, &name, on).await?;
    Ok(Reply::ok(if on {
        "SUBSCRIBE completed"
    } else {
        "UNSUBSCRIBE completed"
    }))
}

/// STATUS mailbox (items)
pub(crate) async fn status(cx: &mut AuthCtx<'_>, m: &Mailbox, items: &[StatusItem]) -> Outcome {
    let name = cx.name_in(m)?;
    if items.contains(&StatusItem::HighestModSeq) {
        let selected = cx.selected.as_deref().map(|s| s.view.highest_modseq());
        enable_condstore(cx, selected);
    }
    let wire = cx.name_out(&name);
    let r = status_response(cx.shared, cx.account(), &name, wire, items).await?;
    cx.send(&r);
    Ok(Reply::ok("STATUS completed"))
}
