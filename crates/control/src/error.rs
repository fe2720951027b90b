//! The control plane's error type.

use std::time::Duration;

/// Errors of [`crate::Control`] and [`crate::remote_status`].
///
/// `NoLeader` and `Unavailable` are transient: the caller can retry (after an election, or on
/// another node). The others need an operator.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// No leader was known (or reachable) within the deadline; an election is probably running.
    #[error("no raft leader within {0:?}")]
    NoLeader(Duration),
    /// A node could not be reached or refused the call for now.
    #[error("control plane unavailable: {0}")]
    Unavailable(String),
    /// A remote node answered with an error.
    #[error("remote error: {0}")]
    Remote(#[from] tonic::Status),
    /// The configuration is invalid (raft timings, addresses).
    #[error("invalid control-plane config: {0}")]
    Config(String),
    /// The Raft storage (`<dir>/raft.db`) could not be opened or read.
    #[error("raft storage: {0}")]
    Storage(String),
    /// Raft stopped on a fatal error (storage failure) or was shut down.
    #[error("raft stopped: {0}")]
    Fatal(String),
    /// A message did not encode or decode.
    #[error("bad message: {0}")]
    Codec(#[from] serde_json::Error),
}

impl From<tonic::transport::Error> for ControlError {
    fn from(e: tonic::transport::Error) -> Self {
        ControlError::Config(format!("bad peer address: {e}"))
    }
}

impl From<openraft::error::Fatal<u64>> for ControlError {
    fn from(e: openraft::error::Fatal<u64>) -> Self {
        ControlError::Fatal(e.to_string())
    }
}
