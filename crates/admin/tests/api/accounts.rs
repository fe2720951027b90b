//! Domains, accounts, passwords and quotas.

use store::QuotaLimits;
use store::prelude::*;
use strata_admin::LimitChange;
use tonic::Code;

use crate::util::{OPERATOR, TestServer, fake_hash, fake_scram};

/// An operator creates a domain and accounts, lists them, cannot delete a domain that still
/// has accounts, deletes the account and then the domain.
#[tokio::test]
async fn domain_and_account_lifecycle() {
    let server = TestServer::start().await;
    let admin = server.client(OPERATOR).await;
    {
        tracing::info!("--- domains are created once and listed");
        admin.create_domain("Example.ORG").await.expect("create");
        let e = admin.create_domain("example.org").await.expect_err("twice");
        assert_eq!(e.code(), Some(Code::AlreadyExists), "{e}");
        let e = admin.create_domain("not a domain").await.expect_err("bad");
        assert_eq!(e.code(), Some(Code::InvalidArgument), "{e}");
        assert_eq!(admin.list_domains().await.expect("list"), ["example.org"]);
    }
    {
        tracing::info!("--- accounts are created with their domain and listed");
        let a = admin
            .create_account("Alice@Example.org", "pw-alice")
            .await
            .expect("alice");
        assert_eq!(a.address, "alice@example.org");
        assert_eq!(a.limits, QuotaLimits::default());
        admin
            .create_account("bob@other.net", "pw-bob")
            .await
            .expect("bob");
        let e = admin
            .create_account("alice@example.org", "x")
            .await
            .expect_err("exists");
        assert_eq!(e.code(), Some(Code::AlreadyExists), "{e}");
        let e = admin
            .create_account("alice", "x")
            .await
            .expect_err("no domain");
        assert_eq!(e.code(), Some(Code::InvalidArgument), "{e}");
        assert_eq!(
            admin.list_domains().await.expect("domains"),
            ["example.org", "other.net"]
        );
        let all: Vec<String> = admin
            .list_accounts(None)
            .await
            .expect("all")
            .into_iter()
            .map(|a| a.address)
            .collect();
        assert_eq!(all, ["alice@example.org", "bob@other.net"]);
        let one = admin
            .list_accounts(Some("other.net"))
            .await
            .expect("one domain");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].address, "bob@other.net");
        let got = admin.get_account("ALICE@example.org").await.expect("get");
        assert_eq!((got.storage_used, got.messages_used), (0, 0));
        // The default mailboxes exist.
        let creds = server
            .store
            .credentials("alice@example.org")
            .await
            .expect("store")
            .expect("alice");
        assert!(server.store.mailbox(creds.account, "Sent").await.is_ok());
    }
    {
        tracing::info!("--- a domain with accounts cannot be deleted; an empty one can");
        let e = admin
            .delete_domain("example.org")
            .await
            .expect_err("has accounts");
        assert_eq!(e.code(), Some(Code::FailedPrecondition), "{e}");
        admin
            .delete_account("alice@example.org")
            .await
            .expect("delete account");
        let e = admin
            .get_account("alice@example.org")
            .await
            .expect_err("gone");
        assert_eq!(e.code(), Some(Code::NotFound), "{e}");
        let e = admin
            .delete_account("alice@example.org")
            .await
            .expect_err("twice");
        assert_eq!(e.code(), Some(Code::NotFound), "{e}");
        admin
            .delete_domain("example.org")
            .await
            .expect("delete domain");
        let e = admin.delete_domain("example.org").await.expect_err("twice");
        assert_eq!(e.code(), Some(Code::NotFound), "{e}");
        assert_eq!(admin.list_domains().await.expect("domains"), ["other.net"]);
    }
    server.stop().await;
}

/// A password change replaces the hash and the SCRAM verifier; a password without a
/// verifier resets it; bad passwords and unknown accounts are refused before hashing.
#[tokio::test]
async fn passwords() {
    let server = TestServer::start().await;
    let admin = server.client(OPERATOR).await;
    let creds = || async {
        server
            .store
            .credentials("carol@example.org")
            .await
            .expect("store")
            .expect("carol")
    };
    admin
        .create_account("carol@example.org", "first")
        .await
        .expect("create");
    {
        tracing::info!("--- the account starts with the hash and verifier of its password");
        let c = creds().await;
        assert_eq!(c.password_hash, fake_hash("first"));
        assert_eq!(c.scram_sha256, fake_scram("first"));
    }
    {
        tracing::info!("--- a new password replaces both");
        admin
            .set_password("Carol@example.org", "second")
            .await
            .expect("passwd");
        let c = creds().await;
        assert_eq!(c.password_hash, fake_hash("second"));
        assert_eq!(c.scram_sha256, fake_scram("second"));
        assert_ne!(c.scram_sha256, fake_scram("first"));
    }
    {
        tracing::info!("--- a password without a SCRAM verifier resets the old verifier");
        admin
            .set_password("carol@example.org", "grüße")
            .await
            .expect("passwd");
        let c = creds().await;
        assert_eq!(c.password_hash, fake_hash("grüße"));
        assert_eq!(c.scram_sha256, None);
    }
    {
        tracing::info!("--- bad passwords and unknown accounts are refused");
        for bad in ["", "two\nlines", "nul\0"] {
            let e = admin
                .set_password("carol@example.org", bad)
                .await
                .expect_err("bad password");
            assert_eq!(e.code(), Some(Code::InvalidArgument), "{bad:?}: {e}");
        }
        let e = admin
            .create_account("dave@example.org", "")
            .await
            .expect_err("empty password");
        assert_eq!(e.code(), Some(Code::InvalidArgument), "{e}");
        let e = admin
            .set_password("nobody@example.org", "pw")
            .await
            .expect_err("unknown");
        assert_eq!(e.code(), Some(Code::NotFound), "{e}");
        assert_eq!(creds().await.password_hash, fake_hash("grüße"));
    }
    server.stop().await;
}

/// Quota limits are kept, set or removed one at a time; usage is reported.
#[tokio::test]
async fn quotas() {
    let server = TestServer::start().await;
    let admin = server.client(OPERATOR).await;
    admin
        .create_account("erin@example.org", "pw")
        .await
        .expect("create");
    let a = admin
        .set_quota(
            "erin@example.org",
            LimitChange::Set(1_000_000),
            LimitChange::Keep,
        )
        .await
        .expect("storage");
    assert_eq!(
        a.limits,
        QuotaLimits {
            storage: Some(1_000_000),
            messages: None
        }
    );
    let a = admin
        .set_quota("erin@example.org", LimitChange::Keep, LimitChange::Set(5))
        .await
        .expect("messages");
    assert_eq!(
        a.limits,
        QuotaLimits {
            storage: Some(1_000_000),
            messages: Some(5)
        }
    );
    let a = admin
        .set_quota(
            "erin@example.org",
            LimitChange::Unlimited,
            LimitChange::Keep,
        )
        .await
        .expect("unlimited");
    assert_eq!(
        a.limits,
        QuotaLimits {
            storage: None,
            messages: Some(5)
        }
    );
    let listed = admin
        .list_accounts(Some("example.org"))
        .await
        .expect("list");
    assert_eq!(listed[0].limits, a.limits);
    let e = admin
        .set_quota("nobody@example.org", LimitChange::Set(1), LimitChange::Keep)
        .await
        .expect_err("unknown");
    assert_eq!(e.code(), Some(Code::NotFound), "{e}");
    server.stop().await;
}
