//! Tokens and tenancy: who may call what.

use bytes::Bytes;
use store::Flags;
use store::prelude::*;
use strata_admin::pb;
use strata_admin::{AdminClient, LimitChange, MailItem};
use tonic::Code;

use crate::util::{OPERATOR, TENANT, TestServer};

fn mail(subject: &str) -> MailItem {
    MailItem {
        data: Bytes::from(format!("Subject: {subject}\r\n\r\nbody\r\n")),
        flags: Flags::default(),
        internal_date: None,
        internal_zone: 0,
    }
}

/// Calls without a token, with an empty one or an unknown one are refused, and change
/// nothing.
#[tokio::test]
async fn unauthenticated_calls_are_refused() {
    let server = TestServer::start().await;
    {
        tracing::info!("--- no authorization metadata at all");
        let mut raw = pb::admin_client::AdminClient::connect(server.endpoint())
            .await
            .expect("connect");
        let e = raw
            .create_domain(pb::DomainName {
                name: "example.org".into(),
            })
            .await
            .expect_err("no token");
        assert_eq!(e.code(), Code::Unauthenticated, "{e:?}");
        let e = raw.list_domains(pb::Empty {}).await.expect_err("no token");
        assert_eq!(e.code(), Code::Unauthenticated, "{e:?}");
    }
    {
        tracing::info!("--- an empty or unknown token");
        for token in ["", "guess", "operator-secreT"] {
            let c = server.client(token).await;
            let e = c.create_domain("example.org").await.expect_err(token);
            assert_eq!(e.code(), Some(Code::Unauthenticated), "{token}: {e}");
            let e = c.cluster_status().await.expect_err(token);
            assert_eq!(e.code(), Some(Code::Unauthenticated), "{token}: {e}");
        }
        assert!(matches!(
            AdminClient::connect(&server.endpoint(), "bad\ntoken").await,
            Err(strata_admin::ClientError::BadToken)
        ));
    }
    assert!(
        server
            .store
            .list_domains()
            .await
            .expect("domains")
            .is_empty()
    );
    server.stop().await;
}

/// A tenant token administers its own domain's accounts and nothing else: not another
/// domain's accounts or mail, not other domains, not the cluster.
#[tokio::test]
async fn tenant_token_is_confined_to_its_domain() {
    let server = TestServer::start().await;
    let operator = server.client(OPERATOR).await;
    let tenant = server.client(TENANT).await;
    operator
        .create_account("victim@other.org", "pw")
        .await
        .expect("other tenant's account");
    {
        tracing::info!("--- its own accounts: allowed");
        tenant
            .create_account("Ann@TENANT.org", "pw")
            .await
            .expect("own account");
        tenant
            .set_password("ann@tenant.org", "pw2")
            .await
            .expect("own password");
        tenant
            .set_quota(
                "ann@tenant.org",
                LimitChange::Set(10_000),
                LimitChange::Keep,
            )
            .await
            .expect("own quota");
        tenant.get_account("ann@tenant.org").await.expect("own get");
        let r = tenant
            .import(
                "ann@tenant.org",
                "INBOX",
                pb::MailFormat::Unspecified,
                futures::stream::iter([mail("own")]),
            )
            .await
            .expect("own import");
        assert_eq!(r.imported, 1);
        let summary = tenant
            .reindex(Some("ann@tenant.org"))
            .await
            .expect("own reindex");
        assert_eq!(summary.accounts, 1);
        assert_eq!(
            tenant.list_domains().await.expect("domains"),
            ["tenant.org"]
        );
        let own: Vec<String> = tenant
            .list_accounts(None)
            .await
            .expect("own list")
            .into_iter()
            .map(|a| a.address)
            .collect();
        assert_eq!(own, ["ann@tenant.org"]);
    }
    {
        tracing::info!("--- another domain's accounts and mail: denied");
        let denied = |r: Result<(), strata_admin::ClientError>, what: &str| {
            let e = r.expect_err(what);
            assert_eq!(e.code(), Some(Code::PermissionDenied), "{what}: {e}");
        };
        denied(
            tenant.create_account("eve@other.org", "pw").await.map(drop),
            "create",
        );
        denied(tenant.delete_account("victim@other.org").await, "delete");
        denied(tenant.set_password("victim@other.org", "x").await, "passwd");
        denied(
            tenant
                .set_quota("victim@other.org", LimitChange::Set(1), LimitChange::Keep)
                .await
                .map(drop),
            "quota",
        );
        denied(
            tenant.get_account("victim@other.org").await.map(drop),
            "get",
        );
        // A look-alike domain is another domain.
        denied(
            tenant.get_account("x@tenant.org.other.org").await.map(drop),
            "look-alike",
        );
        denied(
            tenant.list_accounts(Some("other.org")).await.map(drop),
            "list other",
        );
        denied(
            tenant
                .import(
                    "victim@other.org",
                    "INBOX",
                    pb::MailFormat::Mbox,
                    futures::stream::iter([mail("planted")]),
                )
                .await
                .map(drop),
            "import",
        );
        denied(
            tenant.export("victim@other.org", "INBOX").await.map(drop),
            "export",
        );
        denied(
            tenant.reindex(Some("victim@other.org")).await.map(drop),
            "reindex other",
        );
    }
    {
        tracing::info!("--- other domains, reindex-all and the cluster: denied");
        let denied = |r: Result<(), strata_admin::ClientError>, what: &str| {
            let e = r.expect_err(what);
            assert_eq!(e.code(), Some(Code::PermissionDenied), "{what}: {e}");
        };
        denied(tenant.create_domain("new.org").await, "create domain");
        denied(tenant.delete_domain("other.org").await, "delete domain");
        denied(tenant.cluster_status().await.map(drop), "cluster status");
        denied(tenant.set_setting("k", "v").await, "cluster settings");
        denied(tenant.reindex(None).await.map(drop), "reindex all");
    }
    {
        tracing::info!("--- nothing of the other tenant changed");
        let victim = server
            .store
            .credentials("victim@other.org")
            .await
            .expect("store")
            .expect("still there");
        assert_eq!(victim.password_hash, crate::util::fake_hash("pw"));
        let usage = server.store.quota(victim.account).await.expect("quota");
        assert_eq!(usage.messages, 0);
        assert_eq!(usage.limits.storage, None);
    }
    {
        tracing::info!("--- the operator sees the cluster and reindexes everything");
        operator
            .set_setting("imap.banner", "Welcome")
            .await
            .expect("set setting");
        let bad = operator.set_setting("has space", "x").await;
        assert!(bad.is_err(), "a key with a space is refused");
        let status = operator.cluster_status().await.expect("status");
        assert_eq!(status.leader_id, Some(1));
        assert_eq!(status.members.len(), 2);
        assert_eq!(
            status.settings.get("imap.banner").map(String::as_str),
            Some("Welcome")
        );
        assert!(!status.settings.contains_key("has space"));
        let all = operator.reindex(None).await.expect("reindex all");
        assert_eq!((all.accounts, all.indexed), (2, 20));
        let calls = server.hooks.reindexed.lock().expect("lock").clone();
        assert_eq!(
            calls.len(),
            2,
            "one call of the tenant, one of the operator"
        );
        assert_eq!(calls[1].len(), 2);
    }
    server.stop().await;
}
