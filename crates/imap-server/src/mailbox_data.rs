//! What the server says about mailboxes beyond their own commands: the hierarchy, the STATUS
//! data (STATUS and LIST-STATUS), the LIST entry SELECT sends an IMAP4rev2 client, and a
//! mailbox's OBJECTID.

use crate::config::Shared;
use crate::context::Ctx;
use imap_proto::Mailbox;
use imap_proto::response::{ListResponse, MailboxAttr, MailboxStatus, Response, StatusValue};
use imap_proto::types::StatusItem;
use std::collections::BTreeMap;
use store::{AccountId, MailboxId, MailboxInfo, SpecialUse, StoreError};

/// The hierarchy delimiter.
pub(crate) const DELIM: char = '/';

/// A mailbox's OBJECTID (RFC 8474): stable for the mailbox's life, across RENAME.
pub(crate) fn mailbox_id(id: MailboxId) -> String {
    format!("F{}", id.0)
}

/// The LIST attribute of a SPECIAL-USE (RFC 6154).
pub(crate) fn special_attr(u: SpecialUse) -> MailboxAttr {
    match u {
        SpecialUse::All => MailboxAttr::All,
        SpecialUse::Archive => MailboxAttr::Archive,
        SpecialUse::Drafts => MailboxAttr::Drafts,
        SpecialUse::Flagged => MailboxAttr::Flagged,
        SpecialUse::Junk => MailboxAttr::Junk,
        SpecialUse::Sent => MailboxAttr::Sent,
        SpecialUse::Trash => MailboxAttr::Trash,
    }
}

/// Every name that exists or is the ancestor of one, with its mailbox if it exists.
pub(crate) fn tree(mailboxes: &[MailboxInfo]) -> BTreeMap<String, Option<&MailboxInfo>> {
    let mut t: BTreeMap<String, Option<&MailboxInfo>> = BTreeMap::new();
    for m in mailboxes {
        let mut at = 0;
        while let Some(i) = m.name[at..].find(DELIM) {
            t.entry(m.name[..at + i].to_string()).or_insert(None);
            at += i + 1;
        }
        t.insert(m.name.clone(), Some(m));
    }
    t
}

/// Whether `name` has a child in the tree.
pub(crate) fn has_child<V>(t: &BTreeMap<String, V>, name: &str) -> bool {
    let prefix = format!("{name}{DELIM}");
    t.range(prefix.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&prefix))
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
            StatusItem::MailboxId => StatusValue::MailboxId(mailbox_id(info.id)),
        })
        .collect();
    Ok(Response::MailboxStatus(MailboxStatus {
        mailbox: wire,
        items,
    }))
}

/// The LIST response SELECT and EXAMINE send to an IMAP4rev2 client (RFC 9051 §6.3.2): the
/// mailbox's name and accurate attributes (children, special use). `None` (logged) when the
/// list cannot be read: SELECT goes on without it.
pub(crate) async fn selected_list(
    cx: &Ctx<'_>,
    account: AccountId,
    name: &str,
) -> Option<Response> {
    let mailboxes = match cx.store().list_mailboxes(account).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(session = cx.session, error = %e, "no LIST response for SELECT");
            return None;
        }
    };
    let t = tree(&mailboxes);
    let info = t.get(name).copied().flatten()?;
    let mut attributes = vec![if has_child(&t, name) {
        MailboxAttr::HasChildren
    } else {
        MailboxAttr::HasNoChildren
    }];
    attributes.extend(info.special_use.map(special_attr));
    Some(Response::List(ListResponse {
        attributes,
        delimiter: Some(DELIM),
        mailbox: cx.name_out(name),
        extended: vec![],
    }))
}
