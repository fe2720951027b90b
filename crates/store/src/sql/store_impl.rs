//! `impl MailStore for SqlStore`: each method delegates to the file that owns its concern.

use super::messages::Transfer;
use super::{SqlStore, lite};
use crate::error::Result;
use crate::mail_store::MailStore;
use crate::types::*;
use async_trait::async_trait;
use tokio::sync::broadcast;

#[async_trait]
impl MailStore for SqlStore {
    async fn create_domain(&self, name: &str) -> Result<DomainId> {
        self.create_domain_impl(name).await
    }
    async fn list_domains(&self) -> Result<Vec<Domain>> {
        self.list_domains_impl().await
    }
    async fn delete_domain(&self, name: &str) -> Result<()> {
        self.delete_domain_impl(name).await
    }
    async fn create_account(&self, address: &str, password_hash: &str) -> Result<AccountId> {
        self.create_account_impl(address, password_hash).await
    }
    async fn delete_account(&self, address: &str) -> Result<()> {
        self.delete_account_impl(address).await
    }
    async fn list_accounts(&self, domain: Option<&str>) -> Result<Vec<Account>> {
        self.list_accounts_impl(domain).await
    }
    async fn set_password(&self, address: &str, password_hash: &str) -> Result<()> {
        self.set_password_impl(address, password_hash).await
    }

    async fn set_scram(&self, address: &str, scram: Option<&str>) -> Result<()> {
        self.set_scram_impl(address, scram).await
    }
    async fn set_quota(&self, address: &str, limits: QuotaLimits) -> Result<()> {
        self.set_quota_impl(address, limits).await
    }
    async fn credentials(&self, address: &str) -> Result<Option<Credentials>> {
        self.credentials_impl(address).await
    }
    async fn quota(&self, account: AccountId) -> Result<QuotaUsage> {
        self.quota_impl(account).await
    }
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo> {
        self.create_mailbox_impl(account, name, special_use).await
    }
    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<()> {
        self.delete_mailbox_impl(account, name).await
    }
    async fn rename_mailbox(&self, account: AccountId, from: &str, to: &str) -> Result<()> {
        self.rename_mailbox_impl(account, from, to).await
    }
    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>> {
        self.list_mailboxes_impl(account).await
    }
    async fn mailbox(&self, account: AccountId, name: &str) -> Result<MailboxInfo> {
        match &self.lite {
            Some(lite) => {
                let name = super::mailboxes::normalize_name(name)?;
                lite.read(|c| lite::mailbox_named(c, account, &name))
            }
            None => self.mailbox_impl(account, name).await,
        }
    }
    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()> {
        self.set_subscribed_impl(account, name, subscribed).await
    }
    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>> {
        self.subscriptions_impl(account).await
    }
    async fn status(&self, account: AccountId, mailbox: MailboxId) -> Result<MailboxStatus> {
        self.status_impl(account, mailbox).await
    }
    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> Result<AppendResult> {
        let Some(lite) = &self.lite else {
            return self.append_impl(account, mailbox, messages).await;
        };
        let r = lite
            .run(move |tx| lite::append(tx, account, mailbox, &messages))
            .await?;
        self.publish(account, mailbox, r.modseq);
        Ok(r)
    }
    async fn snapshot(&self, account: AccountId, mailbox: MailboxId) -> Result<Snapshot> {
        match &self.lite {
            Some(lite) => lite.read(|c| lite::snapshot(c, account, mailbox)),
            None => self.snapshot_impl(account, mailbox).await,
        }
    }
    async fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        modseq: u64,
    ) -> Result<Changes> {
        match &self.lite {
            Some(lite) => lite.read(|c| lite::changes_since(c, account, mailbox, modseq)),
            None => self.changes_since_impl(account, mailbox, modseq).await,
        }
    }
    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        update: FlagUpdate,
    ) -> Result<FlagUpdateResult> {
        let Some(lite) = &self.lite else {
            return self.store_flags_impl(account, mailbox, update).await;
        };
        let r = lite
            .run(move |tx| lite::store_flags(tx, account, mailbox, &update))
            .await?;
        if let Some(first) = r.updated.first() {
            self.publish(account, mailbox, first.modseq);
        }
        Ok(r)
    }
    async fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<CopyResult> {
        Ok(self
            .transfer(Transfer {
                account,
                from,
                uids,
                to,
                is_move: false,
            })
            .await?
            .0)
    }
    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<(CopyResult, ExpungeResult)> {
        self.transfer(Transfer {
            account,
            from,
            uids,
            to,
            is_move: true,
        })
        .await
    }
    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&[u32]>,
    ) -> Result<ExpungeResult> {
        let Some(lite) = &self.lite else {
            return self.expunge_impl(account, mailbox, uids).await;
        };
        let uids = uids.map(<[u32]>::to_vec);
        let r = lite
            .run(move |tx| lite::expunge(tx, account, mailbox, uids.as_deref()))
            .await?;
        if !r.uids.is_empty() {
            self.publish(account, mailbox, r.modseq);
        }
        Ok(r)
    }
    async fn fetch(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        match &self.lite {
            Some(lite) => lite.read(|c| lite::fetch(c, account, mailbox, uids, true)),
            None => self.fetch_impl(account, mailbox, uids, true).await,
        }
    }
    async fn fetch_meta(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        match &self.lite {
            Some(lite) => lite.read(|c| lite::fetch(c, account, mailbox, uids, false)),
            None => self.fetch_impl(account, mailbox, uids, false).await,
        }
    }
    async fn uid_blobs(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        after: u32,
    ) -> Result<Vec<(u32, BlobRef)>> {
        match &self.lite {
            Some(lite) => lite.read(|c| lite::uid_blobs(c, account, mailbox, after)),
            None => self.uid_blobs_impl(account, mailbox, after).await,
        }
    }
    async fn claim_recent(&self, account: AccountId, mailbox: MailboxId) -> Result<u32> {
        let Some(lite) = &self.lite else {
            return self.claim_recent_impl(account, mailbox).await;
        };
        if let Some(claimed) = lite.read(|c| lite::nothing_recent(c, account, mailbox))? {
            self.durable().await?;
            return Ok(claimed);
        }
        let first = lite
            .run(move |tx| lite::claim_recent(tx, account, mailbox))
            .await?;
        Ok(first)
    }
    fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.events.subscribe()
    }
    async fn sweep_mark(&self, batch: &[BlobRef]) -> Result<Vec<BlobRef>> {
        self.sweep_mark_impl(batch).await
    }
    async fn sweep_done(&self, deleted: &[BlobRef]) -> Result<()> {
        self.sweep_done_impl(deleted).await
    }
}

impl SqlStore {
    /// COPY or MOVE: on SQLite's writer thread, or through sqlx.
    async fn transfer(&self, t: Transfer<'_>) -> Result<(CopyResult, ExpungeResult)> {
        let Some(lite) = &self.lite else {
            return self.copy_impl(t).await;
        };
        let Transfer {
            account,
            from,
            to,
            is_move,
            ..
        } = t;
        let uids = t.uids.to_vec();
        let (copy, expunge, dst_modseq) = lite
            .run(move |tx| {
                let t = Transfer {
                    account,
                    from,
                    uids: &uids,
                    to,
                    is_move,
                };
                lite::copy(tx, &t)
            })
            .await?;
        if let Some(modseq) = dst_modseq {
            self.publish(account, to, modseq);
        }
        if is_move && !expunge.uids.is_empty() {
            self.publish(account, from, expunge.modseq);
        }
        Ok((copy, expunge))
    }
}
