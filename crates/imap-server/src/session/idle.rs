//! IDLE (RFC 2177, RFC 9051 §6.3.13): the session waits on the change feed and the socket at
//! once, reports other sessions' changes as they commit, sends an untagged keep-alive so NAT
//! boxes keep the connection, and ends at `DONE` (or the autologout timer).

use super::select::sync;
use crate::session::{Reply, Session};
use crate::state::Transition;
use crate::view::SyncMode;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, sleep_until};

/// IDLE … DONE
pub(crate) async fn idle<S>(s: &mut Session<S>) -> std::io::Result<Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let Ok(account) = s.account() else {
        return Ok(Reply::bad("log in first"));
    };
    // Subscribe before the first sync, so nothing committed in between is missed.
    let mut feed = s.shared.store.subscribe();
    s.out.raw(b"+ idling\r\n");
    if let Err(r) = sync(s, SyncMode::Full).await {
        return Ok(r);
    }
    s.flush().await?;
    let keepalive = s.shared.config.idle_keepalive;
    let deadline = Instant::now() + s.shared.config.effective_autologout();
    // A fixed deadline, moved only when something is written: a busy server (events for other
    // accounts) must not postpone the keep-alive forever.
    let mut next_keepalive = Instant::now() + keepalive;
    loop {
        match s.receiver.line(&mut s.rbuf) {
            Ok(Some(line)) if line.eq_ignore_ascii_case(b"DONE") => {
                return Ok(Reply::ok("IDLE terminated"));
            }
            Ok(Some(_)) => return Ok(Reply::bad("expected DONE")),
            Ok(None) => {}
            Err(e) => return Ok(Reply::bad(e.to_string())),
        }
        let mailbox = s.state.selected().map(|sel| sel.id);
        tokio::select! {
            read = s.read_some() => {
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
                    if let Err(r) = sync(s, SyncMode::Full).await {
                        return Ok(r);
                    }
                    if !s.out.buf.is_empty() {
                        next_keepalive = Instant::now() + keepalive;
                    }
                    s.flush().await?;
                }
            }
            _ = sleep_until(next_keepalive) => {
                s.out.raw(b"* OK Still here\r\n");
                s.flush().await?;
                next_keepalive = Instant::now() + keepalive;
            }
            _ = sleep_until(deadline) => {
                s.out.raw(b"* BYE Autologout; idle for too long\r\n");
                return Ok(Reply::ok("IDLE ended by autologout").then(Transition::Logout));
            }
        }
    }
}
