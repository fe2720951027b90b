//! QUOTA (RFC 9208): one quota root per account, named `""`, with the STORAGE (KiB) and MESSAGE
//! resources that have limits. Limits are set by the operator (`strata user quota`), so
//! SETQUOTA is refused.

use crate::errors::store_reply;
use crate::session::{Reply, Session};
use imap_proto::Mailbox;
use imap_proto::response::{Code, QuotaResource, QuotaResponse, QuotaRootResponse, Response};
use imap_proto::types::IString;
use tokio::io::{AsyncRead, AsyncWrite};

/// The QUOTA data of the account's root, or `None` when nothing is limited.
async fn quota_data<S>(s: &Session<S>) -> Result<Option<QuotaResponse>, Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let account = s.account()?;
    let q = s.shared.store.quota(account).await.map_err(store_reply)?;
    let mut resources = Vec::new();
    if let Some(limit) = q.limits.storage {
        // STORAGE is counted in units of 1024 octets (RFC 9208 §5.1), rounded up.
        resources.push(QuotaResource {
            name: "STORAGE".into(),
            usage: q.storage.div_ceil(1024),
            limit: limit / 1024,
        });
    }
    if let Some(limit) = q.limits.messages {
        resources.push(QuotaResource {
            name: "MESSAGE".into(),
            usage: q.messages,
            limit,
        });
    }
    Ok((!resources.is_empty()).then(|| QuotaResponse {
        root: IString::new(),
        resources,
    }))
}

/// GETQUOTAROOT mailbox
pub(crate) async fn getquotaroot<S>(s: &mut Session<S>, m: &Mailbox) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, name) = match (s.account(), s.name_in(m)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if let Err(e) = s.shared.store.mailbox(account, &name).await {
        return store_reply(e);
    }
    let data = match quota_data(s).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let roots = if data.is_some() {
        vec![IString::new()]
    } else {
        vec![]
    };
    s.send(&Response::QuotaRoot(QuotaRootResponse {
        mailbox: s.name_out(&name),
        roots,
    }));
    if let Some(d) = data {
        s.send(&Response::Quota(d));
    }
    Reply::ok("GETQUOTAROOT completed")
}

/// GETQUOTA root
pub(crate) async fn getquota<S>(s: &mut Session<S>, root: &[u8]) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    match quota_data(s).await {
        Ok(Some(d)) if root.is_empty() => {
            s.send(&Response::Quota(d));
            Reply::ok("GETQUOTA completed")
        }
        Ok(_) => Reply::no("no such quota root").code(Code::NonExistent),
        Err(r) => r,
    }
}

/// SETQUOTA: limits belong to the operator.
pub(crate) fn setquota() -> Reply {
    Reply::no("quota limits are set by the administrator").code(Code::NoPerm)
}
