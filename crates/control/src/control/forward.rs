//! Calls that go to another node: commands forwarded to the leader, and the status client.

use std::time::Duration;

use openraft::error::{ClientWriteError, RaftError};

use super::Control;
use crate::convert::error::leader_hint;
use crate::error::ControlError;
use crate::network::{endpoint, peer_client};
use crate::pb;
use crate::state::ClusterStatus;
use crate::types::Command;

impl Control {
    /// Proposes `cmd` through the leader (this node or a remote one) and returns the log index
    /// it was committed at. Retries until `write_timeout` while there is no leader.
    pub(super) async fn propose(&self, cmd: Command) -> Result<u64, ControlError> {
        let timeout = self.inner.config.write_timeout;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut hint: Option<(u64, String)> = None;
        let mut metrics = self.inner.raft.metrics();
        loop {
            match hint.take().or_else(|| self.leader()) {
                Some((id, _)) if id == self.id() => {
                    let write = self.inner.raft.client_write(cmd.clone());
                    match tokio::time::timeout_at(deadline, write).await {
                        Ok(Ok(resp)) => return Ok(resp.log_id.index),
                        Ok(Err(RaftError::APIError(ClientWriteError::ForwardToLeader(f)))) => {
                            hint = f.leader_id.zip(f.leader_node.map(|n| n.addr));
                        }
                        Ok(Err(RaftError::APIError(e))) => {
                            return Err(ControlError::Unavailable(e.to_string()));
                        }
                        Ok(Err(RaftError::Fatal(e))) => return Err(e.into()),
                        // Leader without a quorum: fall through to the deadline check.
                        Err(_) => {}
                    }
                }
                Some((id, addr)) => {
                    let mut client = self.inner.peers.client(id, &addr)?;
                    let req = pb::ClientWriteRequest {
                        command: serde_json::to_vec(&cmd)?,
                    };
                    match tokio::time::timeout_at(deadline, client.client_write(req)).await {
                        Ok(Ok(reply)) => return Ok(reply.into_inner().log_index),
                        Ok(Err(status)) => match leader_hint(&status) {
                            Some(h) if h.0 != id => hint = Some(h),
                            Some(_) => {}
                            None if status.code() == tonic::Code::Unavailable => {}
                            None => return Err(ControlError::Remote(status)),
                        },
                        Err(_) => {}
                    }
                }
                None => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ControlError::NoLeader(timeout));
            }
            if hint.is_some() {
                // Follow the hint soon, but never spin if two nodes keep naming each other.
                tokio::time::sleep(Duration::from_millis(20)).await;
            } else {
                // Wait for news (a leader elected) but retry at least every 100 ms.
                let pause = deadline.min(tokio::time::Instant::now() + Duration::from_millis(100));
                let _ = tokio::time::timeout_at(pause, metrics.changed()).await;
            }
        }
    }
}

/// The cluster status as seen through the node at `addr` (`host:port`): the leader's view when
/// that node can reach the leader. Used by `strata admin cluster status`.
/// `secret` is the cluster secret the node requires, if any.
pub async fn remote_status(
    addr: &str,
    secret: Option<&str>,
) -> Result<ClusterStatus, ControlError> {
    let timeout = Duration::from_secs(5);
    let channel = tokio::time::timeout(timeout, endpoint(addr, timeout)?.connect())
        .await
        .map_err(|_| ControlError::Unavailable(format!("connecting to {addr}: timed out")))?
        .map_err(|e| ControlError::Unavailable(format!("connecting to {addr}: {e}")))?;
    let mut client = peer_client(crate::auth::SecretChannel::new(channel, secret));
    let reply = tokio::time::timeout(timeout, client.status(pb::StatusRequest { local: false }))
        .await
        .map_err(|_| ControlError::Unavailable(format!("status from {addr}: timed out")))??;
    Ok(reply.into_inner().into())
}
