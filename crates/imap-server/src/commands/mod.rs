//! One module per command family, each with `handle` functions; [`dispatch`] picks the family.
//! Every handler has already been checked against the state ([`crate::state::State::allows`]).

pub(crate) mod any;
pub(crate) mod auth;
pub(crate) mod list;
pub(crate) mod mailbox;
pub(crate) mod select;

use crate::session::{Reply, Session};
use imap_proto::response::Code;
use imap_proto::{CommandBody, Tag};
use tokio::io::{AsyncRead, AsyncWrite};

/// Runs the handler of `body`.
pub(crate) async fn dispatch<S: AsyncRead + AsyncWrite + Unpin + Send>(
    s: &mut Session<S>,
    tag: &Tag,
    body: CommandBody,
) -> std::io::Result<Reply> {
    use CommandBody::*;
    Ok(match body {
        Capability => any::capability(s),
        Noop | Check => any::noop(s).await,
        Logout => any::logout(s),
        Id(params) => any::id(s, params),
        Enable(caps) => any::enable(s, caps),
        Namespace => any::namespace(s),
        Login { username, password } => auth::login(s, &username, &password).await,
        Authenticate {
            mechanism,
            initial_response,
        } => auth::authenticate(s, &mechanism, initial_response).await?,
        Create {
            mailbox,
            special_use,
        } => mailbox::create(s, &mailbox, &special_use).await,
        Delete(m) => mailbox::delete(s, &m).await,
        Rename { from, to } => mailbox::rename(s, &from, &to).await,
        Subscribe(m) => mailbox::subscribe(s, &m, true).await,
        Unsubscribe(m) => mailbox::subscribe(s, &m, false).await,
        Status { mailbox, items } => mailbox::status(s, &mailbox, &items).await,
        List(l) => list::list(s, l).await,
        Lsub { reference, pattern } => list::lsub(s, &reference, &pattern).await,
        Select { mailbox, params } => select::select(s, &mailbox, params, false).await,
        Examine { mailbox, params } => select::select(s, &mailbox, params, true).await,
        Close => select::close(s).await,
        Unselect => select::unselect(s),
        other => {
            let _ = tag;
            Reply::no(format!(
                "{} is not available on this server yet",
                other.name()
            ))
            .code(Code::Cannot)
        }
    })
}
