//! The accept loops: cleartext IMAP (143 style) and implicit TLS (993 style). Each connection
//! runs its own [`Session`]; a server-wide cap and a per-address limit refuse floods with
//! `* BYE`. When the shutdown future resolves, the loop stops accepting and drains the
//! sessions (`crate::shutdown`).
//!
//! ```text
//!  TcpListener ──accept──▶ server cap ok? ──▶ (task) [PROXY header from a trusted proxy]
//!    (errors: back off)        └─ no ──▶ BYE      ──▶ per-client-address count ok?
//!                                                   ──▶ [TLS handshake] ──▶ Session::run
//! ```

use crate::config::{ConnectionInfo, Shared};
use crate::session::{Session, Upgrade};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// What a listener speaks.
#[derive(Clone)]
pub enum Mode {
    /// Cleartext IMAP; STARTTLS is offered when an acceptor is given.
    Cleartext {
        /// For STARTTLS.
        starttls: Option<TlsAcceptor>,
    },
    /// TLS from the first byte (RFC 8314).
    ImplicitTls(TlsAcceptor),
}

/// A connection's transport: cleartext until STARTTLS replaces it with TLS in place.
pub enum Conn {
    /// Cleartext TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
    /// Between the two during an upgrade (or after a failed one).
    Closed,
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Conn::Closed => Poll::Ready(Err(std::io::ErrorKind::NotConnected.into())),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Conn::Closed => Poll::Ready(Err(std::io::ErrorKind::NotConnected.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Conn::Closed => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Conn::Closed => Poll::Ready(Ok(())),
        }
    }
}

/// The STARTTLS upgrade for a cleartext [`Conn`].
fn starttls(acceptor: TlsAcceptor) -> Upgrade<Conn> {
    Box::new(move |conn: &mut Conn| {
        Box::pin(async move {
            let Conn::Plain(tcp) = std::mem::replace(conn, Conn::Closed) else {
                return Err(std::io::Error::other(
                    "STARTTLS on a connection that is not cleartext",
                ));
            };
            *conn = Conn::Tls(Box::new(acceptor.accept(tcp).await?));
            Ok(())
        })
    })
}

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

/// First and longest wait after a failed accept.
const ACCEPT_BACKOFF_MIN: std::time::Duration = std::time::Duration::from_millis(10);
const ACCEPT_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(1);

/// Serves one listener until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    mode: Mode,
    shared: Shared,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let per_ip = Arc::new(PerIp::default());
    let mut backoff = ACCEPT_BACKOFF_MIN;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => {
                // Closed first: a client connecting during the grace is refused at once and
                // can go elsewhere, instead of waiting in a backlog nobody accepts from.
                drop(listener);
                drain(&shared).await;
                return Ok(());
            }
            r = listener.accept() => match r {
                Ok(x) => {
                    backoff = ACCEPT_BACKOFF_MIN;
                    x
                }
                Err(e) => {
                    // Out of descriptors (EMFILE/ENFILE) or memory: accepting again at once
                    // fails again at once, a busy loop. Wait, longer each time, for sessions
                    // to end.
                    tracing::warn!(error = %e, wait_ms = backoff.as_millis() as u64,
                        "accept failed; waiting before the next");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                    continue;
                }
            },
        };
        let max = shared.config.max_connections;
        if max > 0 && shared.stopping.live() >= max {
            tracing::warn!(%peer, max, "connection limit of the server reached");
            tokio::spawn(refuse(
                stream,
                b"* BYE the server is full; try again later\r\n",
            ));
            continue;
        }
        // Counted before the task starts, so a stop that begins during its TLS handshake
        // (or before it is first scheduled) still waits for it.
        let live = shared.stopping.enter();
        let shared = shared.clone();
        let mode = mode.clone();
        let per_ip = per_ip.clone();
        tokio::spawn(async move {
            let _live = live;
            let mut stream = stream;
            // Behind a trusted load balancer the client is the one its PROXY header names.
            let client = if crate::proxy::trusted(&shared.config.trusted_proxies, peer) {
                let header = crate::proxy::client_address(&mut stream, peer);
                match tokio::time::timeout(shared.config.login_timeout, header).await {
                    Ok(Ok(client)) => client,
                    Ok(Err(e)) => {
                        tracing::warn!(%peer, error = %e, "connection from a trusted proxy closed");
                        return;
                    }
                    Err(_) => {
                        tracing::warn!(%peer, "no PROXY header from a trusted proxy in time");
                        return;
                    }
                }
            } else {
                peer
            };
            let Some(_slot) = per_ip.take(client.ip(), shared.config.max_connections_per_ip) else {
                tracing::warn!(peer = %client, "too many connections from this address");
                refuse(stream, b"* BYE too many connections from your address\r\n").await;
                return;
            };
            if let Err(e) = connection(stream, client, mode, shared).await {
                tracing::debug!(peer = %client, error = %e, "connection ended with an error");
            }
        });
    }
}

/// The graceful stop: every session says BYE at its next command boundary; waits for them, up
/// to the configured grace.
async fn drain(shared: &Shared) {
    shared.stopping.begin();
    let grace = shared.config.shutdown_grace;
    let left = shared.stopping.drained(grace).await;
    if left > 0 {
        tracing::warn!(
            connections = left,
            ?grace,
            "stopping with connections still busy"
        );
    }
}

async fn refuse(mut stream: TcpStream, bye: &'static [u8]) {
    let _ = stream.write_all(bye).await;
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    mode: Mode,
    shared: Shared,
) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    match mode {
        Mode::ImplicitTls(acceptor) => {
            let handshake = acceptor.accept(stream);
            let stopping = shared.stopping.clone();
            let stream = tokio::select! {
                r = tokio::time::timeout(shared.config.login_timeout, handshake) => r
                    .map_err(|_| {
                        std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake")
                    })??,
                // Nothing can be said before TLS is up: the connection just closes.
                () = stopping.stopped() => return Ok(()),
            };
            let conn = ConnectionInfo {
                peer: Some(peer),
                tls: true,
                auth_allowed: true,
            };
            Session::new(Conn::Tls(Box::new(stream)), shared, conn)
                .run()
                .await
        }
        Mode::Cleartext { starttls: acceptor } => {
            let auth_allowed = peer.ip().is_loopback() || shared.config.allow_plaintext_auth;
            let conn = ConnectionInfo {
                peer: Some(peer),
                tls: false,
                auth_allowed,
            };
            let mut session = Session::new(Conn::Plain(stream), shared, conn);
            if let Some(acceptor) = acceptor {
                session = session.with_starttls(starttls(acceptor));
            }
            session.run().await
        }
    }
}
