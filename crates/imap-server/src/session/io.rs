//! Reading and writing for a session: timed reads into the receive buffer, flushing queued
//! responses, and raw lines (SASL responses) outside command framing.

use super::Session;
use crate::state::State;
use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// How long the session may sit idle now: the login timeout before authentication, the
    /// autologout timer (at least 30 minutes) after.
    fn idle_limit(&self) -> std::time::Duration {
        match self.state {
            State::NotAuthenticated => self.shared.config.login_timeout,
            _ => self.shared.config.effective_autologout(),
        }
    }

    /// Reads more bytes into the receive buffer. `Ok(false)` when the client closed the
    /// connection or the idle timer expired (after sending `* BYE`).
    pub(crate) async fn fill(&mut self) -> std::io::Result<bool> {
        let limit = self.idle_limit();
        match tokio::time::timeout(limit, self.read_some()).await {
            Ok(Ok(0)) => Ok(false),
            Ok(Ok(_)) => Ok(true),
            Ok(Err(e)) => Err(e),
            Err(_) => {
                self.out.raw(b"* BYE Autologout; idle for too long\r\n");
                self.flush().await?;
                Ok(false)
            }
        }
    }

    /// Reads more of the client's bytes onto the receive buffer, inflating them if COMPRESS is
    /// on; returns how many arrived (0: the client closed the connection). Cancel-safe: what
    /// was read is kept in the session, so IDLE can race it against the change feed.
    pub(crate) async fn read_some(&mut self) -> std::io::Result<usize> {
        let Some(z) = self.deflate.as_mut() else {
            return self.io.read_buf(&mut self.rbuf).await;
        };
        loop {
            let n = z.inflate(&mut self.rbuf)?;
            if n > 0 {
                return Ok(n);
            }
            z.input.reserve(super::compress::CHUNK);
            if self.io.read_buf(&mut z.input).await? == 0 {
                return Ok(0);
            }
        }
    }

    /// Writes everything queued (compressed and sync-flushed under COMPRESS).
    pub(crate) async fn flush(&mut self) -> std::io::Result<()> {
        let mut outlet = Outlet {
            io: &mut self.io,
            deflate: &mut self.deflate,
        };
        outlet.drain(&mut self.out).await
    }

    /// Reads one raw line (a SASL response, IDLE's DONE). `None` if the client went away.
    pub(crate) async fn read_line(&mut self) -> std::io::Result<Option<Bytes>> {
        loop {
            match self.receiver.line(&mut self.rbuf) {
                Ok(Some(line)) => return Ok(Some(line)),
                Ok(None) => {
                    if !self.fill().await? {
                        return Ok(None);
                    }
                }
                Err(_) => return Ok(Some(Bytes::from_static(b"*"))),
            }
        }
    }
}

/// The writing side of a session's transport, lent to a command handler (with the context) so
/// that a response too large to hold is sent while it is made: a FETCH of large bodies sends
/// each chunk and waits until the transport took it before it reads the next.
pub(crate) struct Outlet<'s> {
    pub(super) io: &'s mut (dyn AsyncWrite + Unpin + Send),
    pub(super) deflate: &'s mut Option<Box<super::compress::Deflate>>,
}

impl Outlet<'_> {
    /// Writes everything queued in `out` (compressed and sync-flushed under COMPRESS) and
    /// waits until the transport took it.
    pub(crate) async fn drain(
        &mut self,
        out: &mut imap_proto::write::Writer,
    ) -> std::io::Result<()> {
        let bytes = out.take();
        if !bytes.is_empty() {
            match self.deflate.as_mut() {
                Some(z) => {
                    let packed = z.deflate(&bytes)?;
                    self.io.write_all(&packed).await?;
                }
                None => self.io.write_all(&bytes).await?,
            }
            self.io.flush().await?;
        }
        Ok(())
    }
}
