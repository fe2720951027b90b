//! CREATE (RFC 6154 USE), DELETE, RENAME, SUBSCRIBE/UNSUBSCRIBE and STATUS (RFC 9051 §6.3,
//! RFC 8438 SIZE, RFC 9208 DELETED-STORAGE).

use crate::config::Shared;
use crate::errors::store_reply;
use crate::session::{Reply, Session};
use imap_proto::Mailbox;
use imap_proto::response::{Code, MailboxStatus, Response, StatusValue};
use imap_proto::types::StatusItem;
use store::{AccountId, MailStore, SpecialUse, StoreError};
use tokio::io::{AsyncRead, AsyncWrite};

/// The hierarchy delimiter.
pub(crate) const DELIM: char = '/';

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
pub(crate) async fn create<S>(s: &mut Session<S>, m: &Mailbox, uses: &[String]) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let account = match s.account() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let name = match s.name_in(m) {
        Ok(n) => n,
        Err(r) => return r,
    };
    // A trailing delimiter declares intent to create children (RFC 9051 §6.3.4).
    let name = name.trim_end_matches(DELIM).to_string();
    if name.eq_ignore_ascii_case("INBOX") {
        return Reply::no("INBOX always exists").code(Code::AlreadyExists);
    }
    let special_use = match uses {
        [] => None,
        [one] => match SpecialUse::from_name(one) {
            Some(u) => Some(u),
            None => return Reply::no(format!("unknown special use \\{one}")).code(Code::UseAttr),
        },
        _ => return Reply::no("one special use per mailbox").code(Code::UseAttr),
    };
    if let Err(e) = create_parents(s.shared.store.as_ref(), account, &name).await {
        return store_reply(e);
    }
    match s
        .shared
        .store
        .create_mailbox(account, &name, special_use)
        .await
    {
        Ok(_) => Reply::ok("CREATE completed"),
        Err(e) => store_reply(e),
    }
}

/// DELETE mailbox
pub(crate) async fn delete<S>(s: &mut Session<S>, m: &Mailbox) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, name) = match (s.account(), s.name_in(m)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    match s.shared.store.delete_mailbox(account, &name).await {
        Ok(()) => Reply::ok("DELETE completed"),
        Err(e) => store_reply(e),
    }
}

/// RENAME old new
pub(crate) async fn rename<S>(s: &mut Session<S>, from: &Mailbox, to: &Mailbox) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, from, to) = match (s.account(), s.name_in(from), s.name_in(to)) {
        (Ok(a), Ok(f), Ok(t)) => (a, f, t.trim_end_matches(DELIM).to_string()),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
    };
    if let Err(e) = create_parents(s.shared.store.as_ref(), account, &to).await {
        return store_reply(e);
    }
    match s.shared.store.rename_mailbox(account, &from, &to).await {
        Ok(()) => Reply::ok("RENAME completed"),
        Err(e) => store_reply(e),
    }
}

/// SUBSCRIBE / UNSUBSCRIBE mailbox
pub(crate) async fn subscribe<S>(s: &mut Session<S>, m: &Mailbox, on: bool) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, name) = match (s.account(), s.name_in(m)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    // RFC 9051 §6.3.7: SUBSCRIBE of a name that does not exist MAY fail; we require it to
    // exist, which is what clients expect from a server that has the mailbox list.
    if on && let Err(e) = s.shared.store.mailbox(account, &name).await {
        return store_reply(e);
    }
    match s.shared.store.set_subscribed(account, &name, on).await {
        Ok(()) => Reply::ok(if on {
            "SUBSCRIBE completed"
        } else {
            "UNSUBSCRIBE completed"
        }),
        Err(e) => store_reply(e),
    }
}

/// The `* STATUS` response for one mailbox.
pub(crate) async fn status_response(
    shared: &Shared,
    account: AccountId,
    name: &str,
    wire: Mailbox,
    items: &[StatusItem],
) -> Result<Response, StoreError> {
    let store = shared.store.as_ref();
    let append_limit = shared.config.limits.max_append_literal;
    let info = store.mailbox(account, name).await?;
    let st = store.status(account, info.id).await?;
    let items = items
        .iter()
        .map(|i| match i {
            StatusItem::Messages => StatusValue::Messages(st.messages),
            StatusItem::Recent => StatusValue::Recent(st.recent),
            StatusItem::UidNext => StatusValue::UidNext(st.uid_next),
            StatusItem::UidValidity => StatusValue::UidValidity(st.uid_validity),
            StatusItem::Unseen => StatusValue::Unseen(st.unseen),
            StatusItem::Deleted => StatusValue::Deleted(st.deleted),
            StatusItem::DeletedStorage => StatusValue::DeletedStorage(st.deleted_storage),
            StatusItem::Size => StatusValue::Size(st.size),
            StatusItem::HighestModSeq => StatusValue::HighestModSeq(st.highest_modseq),
            StatusItem::AppendLimit => StatusValue::AppendLimit(Some(append_limit)),
            StatusItem::MailboxId => StatusValue::MailboxId(super::mailbox_id(info.id)),
        })
        .collect();
    Ok(Response::MailboxStatus(MailboxStatus {
        mailbox: wire,
        items,
    }))
}

/// STATUS mailbox (items)
pub(crate) async fn status<S>(s: &mut Session<S>, m: &Mailbox, items: &[StatusItem]) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, name) = match (s.account(), s.name_in(m)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let wire = s.name_out(&name);
    match status_response(&s.shared, account, &name, wire, items).await {
        Ok(r) => {
            s.send(&r);
            Reply::ok("STATUS completed")
        }
        Err(e) => store_reply(e),
    }
}
