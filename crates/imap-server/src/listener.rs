//! The accept loops: cleartext IMAP (143 style) and implicit TLS (993 style). Each connection
//! runs its own [`Session`]; a per-IP limit refuses floods with `* BYE`.
//!
//! ```text
//!  TcpListener ──accept──▶ per-IP count ok? ──▶ [TLS handshake] ──▶ Session::run (task)
//!                                 └─ no ──▶ "* BYE too many connections"
//! ```

use crate::config::{ConnectionInfo, Shared};
use crate::session::Session;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// Open connections per peer address. A std mutex: held for a map update, never across an
/// await.
#[derive(Default)]
struct PerIp(Mutex<HashMap<IpAddr, usize>>);

/// Releases a connection slot when the session ends.
struct Slot {
    ip: IpAddr,
    table: Arc<PerIp>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut t) = self.table.0.lock()
            && let Some(n) = t.get_mut(&self.ip)
        {
            *n -= 1;
            if *n == 0 {
                t.remove(&self.ip);
            }
        }
    }
}

impl PerIp {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut t = self.0.lock().ok()?;
        let n = t.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            ip,
            table: self.clone(),
        })
    }
}

/// Serves one listener until `shutdown` resolves. `tls` makes it an implicit-TLS listener.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Shared,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let per_ip = Arc::new(PerIp::default());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        let Some(slot) = per_ip.take(peer.ip(), shared.config.max_connections_per_ip) else {
            tracing::warn!(%peer, "too many connections from this address");
            tokio::spawn(refuse(stream));
            continue;
        };
        let shared = shared.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = connection(stream, peer, tls, shared).await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}

async fn refuse(mut stream: TcpStream) {
    let _ = stream
        .write_all(b"* BYE too many connections from your address\r\n")
        .await;
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    shared: Shared,
) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let loopback = peer.ip().is_loopback();
    match tls {
        Some(acceptor) => {
            let stream = tokio::time::timeout(shared.config.login_timeout, acceptor.accept(stream))
                .await
                .map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake")
                })??;
            let conn = ConnectionInfo {
                peer: Some(peer),
                tls: true,
                auth_allowed: true,
            };
            Session::new(stream, shared, conn).run().await
        }
        None => {
            let auth_allowed = loopback || shared.config.allow_plaintext_auth;
            let conn = ConnectionInfo {
                peer: Some(peer),
                tls: false,
                auth_allowed,
            };
            Session::new(stream, shared, conn).run().await
        }
    }
}
