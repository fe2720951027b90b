//! A graceful stop (SIGTERM, Ctrl-C): the accept loops stop, every session says `* BYE` at its
//! next command boundary (a command in flight, even one still being received, finishes first,
//! RFC 9051 §7.1.5), and the listener, closed at once, waits up to a bound for them to end. A
//! client in the middle of a SASL exchange gets `NO [UNAVAILABLE]` and BYE; a TLS handshake in
//! progress is abandoned.
//!
//! ```text
//!  listener::serve ── shutdown future ──▶ Stopping::begin ──watch──▶ sessions: * BYE, end
//!        └────────── Stopping::drained(grace): open connections == 0, or the grace is over
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// The server's stop signal and its count of open connections. Cheap to clone.
#[derive(Clone)]
pub struct Stopping {
    stop: Arc<watch::Sender<bool>>,
    live: Arc<AtomicUsize>,
    ended: Arc<Notify>,
}

impl Default for Stopping {
    fn default() -> Self {
        Stopping {
            stop: Arc::new(watch::channel(false).0),
            live: Arc::default(),
            ended: Arc::default(),
        }
    }
}

/// A connection's place in the count (taken when it is accepted, before its TLS handshake);
/// dropping it ends the connection's part.
pub(crate) struct Live(Stopping);

impl Drop for Live {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.ended.notify_waiters();
        }
    }
}

impl Stopping {
    /// Tells every session to end at its next command boundary.
    pub fn begin(&self) {
        self.stop.send_replace(true);
    }

    /// Whether the server is stopping.
    pub fn is_stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Resolves when the server starts stopping.
    pub async fn stopped(&self) {
        let mut rx = self.stop.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Counts a connection as live until the guard is dropped.
    pub(crate) fn enter(&self) -> Live {
        self.live.fetch_add(1, Ordering::SeqCst);
        Live(self.clone())
    }

    /// Connections still open.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// Waits until no connection is left, or `grace` has passed; returns how many are left.
    pub async fn drained(&self, grace: Duration) -> usize {
        let wait = async {
            loop {
                let ended = self.ended.notified();
                if self.live() == 0 {
                    return;
                }
                ended.await;
            }
        };
        let _ = tokio::time::timeout(grace, wait).await;
        self.live()
    }
}
