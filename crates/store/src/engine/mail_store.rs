//! `MailStore` (its four families) for `SqlStore<D>`: each method is one operation of the engine, run by the
//! driver as a write (published once durable) or a read.

use super::accounts::{self, AccountUpdate};
use super::copy::Transfer;
use super::{
    Driver, SqlStore, append, blobs, changes, copy, expunge, fetch, mailboxes, search, select,
    store,
};
use crate::error::Result;
use crate::mail_store::{Accounts, Mailboxes, Messages, Sweep};
use crate::types::*;
use async_trait::async_trait;
use tokio::sync::broadcast;

/// No events: a write that changes no mailbox.
fn quiet<T>(r: Result<T>) -> Result<(T, super::Events)> {
    r.map(|v| (v, Vec::new()))
}

#[async_trait]
impl<D: Driver> Accounts for SqlStore<D> {
    async fn create_domain(&self, name: &str) -> Result<DomainId> {
        let name = name.to_string();
        self.write(move |c| Box::pin(async move { quiet(accounts::create_domain(c, &name).await) }))
            .await
    }

    async fn list_domains(&self) -> Result<Vec<Domain>> {
        self.driver()
            .read(false, |c| Box::pin(accounts::list_domains(c)))
            .await
    }

    async fn delete_domain(&self, name: &str) -> Result<()> {
        let name = name.to_string();
        self.write(move |c| Box::pin(async move { quiet(accounts::delete_domain(c, &name).await) }))
            .await
    }

    async fn create_account(&self, address: &str, password_hash: &str) -> Result<AccountId> {
        let (address, hash) = (address.to_string(), password_hash.to_string());
        self.write(move |c| {
            Box::pin(async move { quiet(accounts::create_account(c, &address, &hash).await) })
        })
        .await
    }

    async fn delete_account(&self, address: &str) -> Result<()> {
        let address = address.to_string();
        self.write(move |c| {
            Box::pin(async move { quiet(accounts::delete_account(c, &address).await) })
        })
        .await
    }

    async fn list_accounts(&self, domain: Option<&str>) -> Result<Vec<Account>> {
        let domain = domain.map(str::to_string);
        self.driver()
            .read(false, move |c| {
                Box::pin(async move { accounts::list_accounts(c, domain.as_deref()).await })
            })
            .await
    }

    async fn set_password(&self, address: &str, password_hash: &str) -> Result<()> {
        let (address, hash) = (address.to_string(), password_hash.to_string());
        self.write(move |c| {
            Box::pin(async move {
                let update = AccountUpdate::Password(&hash);
                quiet(accounts::update_account(c, &address, update).await)
            })
        })
        .await
    }

    async fn set_scram(&self, address: &str, scram: Option<&str>) -> Result<()> {
        let (address, scram) = (address.to_string(), scram.map(str::to_string));
        self.write(move |c| {
            Box::pin(async move {
                let update = AccountUpdate::Scram(scram.as_deref());
                quiet(accounts::update_account(c, &address, update).await)
            })
        })
        .await
    }

    async fn set_quota(&self, address: &str, limits: QuotaLimits) -> Result<()> {
        let address = address.to_string();
        self.write(move |c| {
            Box::pin(async move {
                let update = AccountUpdate::Quota(limits);
                quiet(accounts::update_account(c, &address, update).await)
            })
        })
        .await
    }

    async fn credentials(&self, address: &str) -> Result<Option<Credentials>> {
        let address = address.to_string();
        self.driver()
            .read(false, move |c| {
                Box::pin(async move { accounts::credentials(c, &address).await })
            })
            .await
    }

    async fn quota(&self, account: AccountId) -> Result<QuotaUsage> {
        self.driver()
            .read(false, |c| Box::pin(accounts::quota_usage(c, account)))
            .await
    }
}

#[async_trait]
impl<D: Driver> Mailboxes for SqlStore<D> {
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo> {
        let name = name.to_string();
        self.write(move |c| {
            Box::pin(async move { mailboxes::create_mailbox(c, account, &name, special_use).await })
        })
        .await
    }

    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<()> {
        let name = name.to_string();
        self.write(move |c| {
            Box::pin(async move { mailboxes::delete_mailbox(c, account, &name).await })
        })
        .await
    }

    async fn rename_mailbox(&self, account: AccountId, from: &str, to: &str) -> Result<()> {
        let (from, to) = (from.to_string(), to.to_string());
        self.write(move |c| {
            Box::pin(async move { mailboxes::rename_mailbox(c, account, &from, &to).await })
        })
        .await
    }

    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>> {
        self.driver()
            .read(false, |c| Box::pin(mailboxes::list_mailboxes(c, account)))
            .await
    }

    async fn mailbox(&self, account: AccountId, name: &str) -> Result<MailboxInfo> {
        let name = name.to_string();
        self.driver()
            .read(false, move |c| {
                Box::pin(async move { mailboxes::mailbox(c, account, &name).await })
            })
            .await
    }

    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()> {
        let name = name.to_string();
        self.write(move |c| {
            Box::pin(async move {
                quiet(mailboxes::set_subscribed(c, account, &name, subscribed).await)
            })
        })
        .await
    }

    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>> {
        self.driver()
            .read(false, |c| Box::pin(mailboxes::subscriptions(c, account)))
            .await
    }

    async fn status(&self, account: AccountId, mailbox: MailboxId) -> Result<MailboxStatus> {
        self.driver()
            .read(false, |c| Box::pin(mailboxes::status(c, account, mailbox)))
            .await
    }
}

#[async_trait]
impl<D: Driver> Messages for SqlStore<D> {
    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> Result<AppendResult> {
        self.write(move |c| {
            Box::pin(async move { append::append(c, account, mailbox, &messages).await })
        })
        .await
    }

    async fn snapshot(&self, account: AccountId, mailbox: MailboxId) -> Result<Snapshot> {
        self.driver()
            .read(false, |c| Box::pin(select::snapshot(c, account, mailbox)))
            .await
    }

    async fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        modseq: u64,
    ) -> Result<Changes> {
        self.driver()
            .read(false, |c| {
                Box::pin(changes::changes_since(c, account, mailbox, modseq))
            })
            .await
    }

    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        update: FlagUpdate,
    ) -> Result<FlagUpdateResult> {
        self.write(move |c| {
            Box::pin(async move { store::store_flags(c, account, mailbox, &update).await })
        })
        .await
    }

    async fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<CopyResult> {
        let t = Transfer {
            account,
            from,
            uids,
            to,
            is_move: false,
        };
        Ok(self.transfer(t).await?.0)
    }

    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<(CopyResult, ExpungeResult)> {
        let t = Transfer {
            account,
            from,
            uids,
            to,
            is_move: true,
        };
        self.transfer(t).await
    }

    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&[u32]>,
    ) -> Result<ExpungeResult> {
        let uids = uids.map(<[u32]>::to_vec);
        self.write(move |c| {
            Box::pin(async move { expunge::expunge(c, account, mailbox, uids.as_deref()).await })
        })
        .await
    }

    async fn fetch(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        self.fetch_records(account, mailbox, uids, true).await
    }

    async fn fetch_meta(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        self.fetch_records(account, mailbox, uids, false).await
    }

    async fn uid_blobs(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        after: u32,
    ) -> Result<Vec<(u32, BlobRef)>> {
        self.driver()
            .read(false, |c| {
                Box::pin(search::uid_blobs(c, account, mailbox, after))
            })
            .await
    }

    async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<std::ops::Range<u32>> {
        let fast = self
            .driver()
            .read(false, |c| {
                Box::pin(select::nothing_recent(c, account, mailbox))
            })
            .await?;
        if let Some(none) = fast {
            // The answer reflects commits that may not be durable yet (SQLite's group commit).
            self.driver().durable().await?;
            return Ok(none);
        }
        self.write(move |c| {
            Box::pin(async move { quiet(select::claim_recent(c, account, mailbox).await) })
        })
        .await
    }

    fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.feed().subscribe()
    }

    fn feed_is_complete(&self) -> bool {
        self.driver().sole_writer()
    }
}

#[async_trait]
impl<D: Driver> Sweep for SqlStore<D> {
    async fn sweep_mark(&self, batch: &[BlobRef]) -> Result<Vec<BlobRef>> {
        let batch = batch.to_vec();
        self.write(move |c| Box::pin(async move { quiet(blobs::sweep_mark(c, &batch).await) }))
            .await
    }

    async fn sweep_done(&self, deleted: &[BlobRef]) -> Result<()> {
        let deleted = deleted.to_vec();
        self.write(move |c| Box::pin(async move { quiet(blobs::sweep_done(c, &deleted).await) }))
            .await
    }
}

impl<D: Driver> SqlStore<D> {
    /// COPY or MOVE.
    async fn transfer(&self, t: Transfer<'_>) -> Result<(CopyResult, ExpungeResult)> {
        let uids = t.uids.to_vec();
        let Transfer {
            account,
            from,
            to,
            is_move,
            ..
        } = t;
        self.write(move |c| {
            Box::pin(async move {
                let t = Transfer {
                    account,
                    from,
                    uids: &uids,
                    to,
                    is_move,
                };
                copy::transfer(c, &t).await
            })
        })
        .await
    }

    async fn fetch_records(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
        with_facts: bool,
    ) -> Result<Vec<MessageRecord>> {
        let snapshot = fetch::fetch_needs_snapshot(uids);
        let uids = uids.to_vec();
        self.driver()
            .read(snapshot, move |c| {
                Box::pin(async move { fetch::fetch(c, account, mailbox, &uids, with_facts).await })
            })
            .await
    }
}
