//! QUOTA (RFC 9208): one quota root per account, named `""`, with the STORAGE (KiB) and MESSAGE
//! resources that have limits. Limits are set by the operator (`strata user quota`), so
//! SETQUOTA is refused.

use crate::context::AuthCtx;
use crate::reply::{CommandError, Outcome, Reply};
use imap_proto::Mailbox;
use imap_proto::response::{Code, QuotaResource, QuotaResponse, QuotaRootResponse, Response};
use imap_proto::types::IString;

/// The QUOTA data of the account's root, or `None` when nothing is limited.
async fn quota_data(cx: &AuthCtx<'_>) -> Result<Option<QuotaResponse>, CommandError> {
    let q = cx.store().quota(cx.account()).await?;
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
pub(crate) async fn getquotaroot(cx: &mut AuthCtx<'_>, m: &Mailbox) -> Outcome {
    let name = cx.name_in(m)?;
    cx.store().mailbox(cx.account(), &name).await?;
    let data = quota_data(cx).await?;
    let roots = if data.is_some() {
        vec![IString::new()]
    } else {
        vec![]
    };
    let mailbox = cx.name_out(&name);
    cx.send(&Response::QuotaRoot(QuotaRootResponse { mailbox, roots }));
    if let Some(d) = data {
        cx.send(&Response::Quota(d));
    }
    Ok(Reply::ok("GETQUOTAROOT completed"))
}

/// GETQUOTA root
pub(crate) async fn getquota(cx: &mut AuthCtx<'_>, root: &[u8]) -> Outcome {
    match quota_data(cx).await? {
        Some(d) if root.is_empty() => {
            cx.send(&Response::Quota(d));
            Ok(Reply::ok("GETQUOTA completed"))
        }
        _ => Err(CommandError::no_code(
            Code::NonExistent,
            "no such quota root",
        )),
    }
}

/// SETQUOTA: limits belong to the operator.
pub(crate) fn setquota() -> Outcome {
    Err(CommandError::no_code(
        Code::NoPerm,
        "quota limits are set by the administrator",
    ))
}
