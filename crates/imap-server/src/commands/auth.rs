//! LOGIN (RFC 9051 §6.2.3). AUTHENTICATE, which talks with the client between the command
//! and its answer, is `session/sasl.rs`; STARTTLS `session/starttls.rs`; both share the
//! credential checks of `crate::auth`.

use crate::auth::{check, logged_in};
use crate::context::Ctx;
use crate::limits::AccountSlot;
use crate::reply::Outcome;

/// LOGIN user password.
pub(crate) async fn login(
    cx: &mut Ctx<'_>,
    slot: &mut Option<AccountSlot>,
    username: &[u8],
    password: &[u8],
) -> Outcome {
    let user = check(cx, username, password).await?;
    Ok(logged_in(cx, slot, user))
}
