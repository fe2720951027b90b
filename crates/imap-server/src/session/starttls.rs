//! STARTTLS (RFC 9051 §6.2.1): the tagged OK goes out in cleartext, then the handshake; any
//! bytes the client pipelined after the command are discarded (they were not protected), and
//! the session continues, unauthenticated, over TLS with a fresh capability list.

use super::Session;
use crate::reply::Reply;
use imap_proto::response::{Response, State as Cond, StatusResponse};
use tokio::io::{AsyncRead, AsyncWrite};

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// STARTTLS
    pub(crate) async fn starttls(&mut self, tag: &imap_proto::Tag) -> std::io::Result<Reply> {
        let Some(upgrade) = self.upgrade.take() else {
            return Ok(Reply::bad("STARTTLS is not available on this connection"));
        };
        let ok = StatusResponse::tagged(tag.clone(), Cond::Ok, "begin TLS negotiation now");
        self.send(&Response::Status(ok));
        self.flush().await?;
        self.rbuf.clear();
        self.receiver = imap_proto::Receiver::new(self.shared.config.limits);
        let limit = self.shared.config.login_timeout;
        let stopping = self.shared.stopping.clone();
        tokio::select! {
            r = tokio::time::timeout(limit, upgrade(&mut self.io)) => r
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake"))??,
            // Nothing can be said mid-handshake: the connection just closes.
            () = stopping.stopped() => {
                return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "server stopping"));
            }
        }
        self.conn.tls = true;
        self.conn.auth_allowed = true;
        Ok(Reply::ok("").silent())
    }
}
