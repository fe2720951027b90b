//! IDLE (RFC 2177, RFC 9051 §6.3.13): the session waits on the change feed and the socket at
//! once, reports other sessions' changes as they commit, sends an untagged keep-alive so NAT
//! boxes keep the connection, and ends at `DONE` (or the autologout timer).

use super::Session;
use crate::errors::reply_of;
use crate::reply::Reply;
use crate::state::Transition;
use crate::updates::report_changes;
use crate::view::SyncMode;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, sleep_until};

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// Reports what changed in the selected mailbox, if one is selected.
    async fn idle_sync(&mut self) -> Result<(), Reply> {
        match self.selected_ctx() {
            Some(mut cx) => report_changes(&mut cx, SyncMode::Full)
                .await
                .map_err(reply_of),
            None => Ok(()),
        }
    }

    /// IDLE … DONE
    pub(crate) async fn idle(&mut self) -> std::io::Result<Reply> {
        let Some(account) = self.state.user().map(|u| u.account) else {
            return Ok(Reply::bad("log in first"));
        };
        // Subscribe before the first sync, so nothing committed in between is missed.
        let mut feed = self.shared.store.subscribe();
        self.out.raw(b"+ idling\r\n");
        if let Err(r) = self.idle_sync().await {
            return Ok(r);
        }
        self.flush().await?;
        let keepalive = self.shared.config.idle_keepalive;
        let deadline = Instant::now() + self.shared.config.effective_autologout();
        // A fixed deadline, moved only when something is written: a busy server (events for
        // other accounts) must not postpone the keep-alive forever.
        let mut next_keepalive = Instant::now() + keepalive;
        let stopping = self.shared.stopping.clone();
        loop {
            match self.receiver.line(&mut self.rbuf) {
                Ok(Some(line)) if imap_proto::commands::idle::is_done(&line) => {
                    return Ok(Reply::ok("IDLE terminated"));
                }
                Ok(Some(_)) => return Ok(Reply::bad("expected DONE")),
                Ok(None) => {}
                Err(e) => return Ok(Reply::bad(e.to_string())),
            }
            let mailbox = self.state.selected().map(|sel| sel.id);
            tokio::select! {
                read = self.read_some() => {
                    if read? == 0 {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                }
                event = feed.recv() => {
                    let relevant = match event {
                        Ok(ev) => mailbox.is_some_and(|m| ev.concerns(account, m)),
                        // Missed some events: just look.
                        Err(RecvError::Lagged(_)) => true,
                        Err(RecvError::Closed) => return Ok(Reply::no("change feed closed")),
                    };
                    if relevant {
                        if let Err(r) = self.idle_sync().await {
                            return Ok(r);
                        }
                        if !self.out.buf.is_empty() {
                            next_keepalive = Instant::now() + keepalive;
                        }
                        self.flush().await?;
                    }
                }
                _ = sleep_until(next_keepalive) => {
                    self.out.raw(b"* OK Still here\r\n");
                    self.flush().await?;
                    next_keepalive = Instant::now() + keepalive;
                }
                () = stopping.stopped() => {
                    self.out.raw(super::BYE_STOPPING);
                    return Ok(Reply::ok("IDLE ended: the server is stopping").then(Transition::Logout));
                }
                _ = sleep_until(deadline) => {
                    self.out.raw(b"* BYE Autologout; idle for too long\r\n");
                    return Ok(Reply::ok("IDLE ended by autologout").then(Transition::Logout));
                }
            }
        }
    }
}
