//! Errors to and from `tonic::Status`, in one place.
//!
//! "Not leader" becomes `UNAVAILABLE` with the leader's id and address in metadata
//! (`strata-leader-id`, `strata-leader-addr`); [`leader_hint`] reads them back so callers can
//! follow the leader.

use openraft::BasicNode;
use openraft::error::{ClientWriteError, ForwardToLeader, RaftError};
use tonic::metadata::MetadataValue;

/// Metadata key carrying the leader's address on a "not leader" status.
pub(crate) const LEADER_ADDR: &str = "strata-leader-addr";
/// Metadata key carrying the leader's node id on a "not leader" status.
pub(crate) const LEADER_ID: &str = "strata-leader-id";

/// `UNAVAILABLE`, naming the leader when one is known.
pub(crate) fn not_leader(fwd: &ForwardToLeader<u64, BasicNode>) -> tonic::Status {
    let addr = fwd.leader_node.as_ref().map(|n| n.addr.as_str());
    let msg = match (fwd.leader_id, addr) {
        (Some(id), Some(addr)) => format!("not the leader; leader is node {id} at {addr}"),
        (Some(id), None) => format!("not the leader; leader is node {id}"),
        _ => "not the leader; no leader known".to_string(),
    };
    let mut status = tonic::Status::unavailable(msg);
    if let (Some(id), Some(addr)) = (fwd.leader_id, addr)
        && let (Ok(addr), Ok(id)) = (
            MetadataValue::try_from(addr),
            MetadataValue::try_from(id.to_string()),
        )
    {
        status.metadata_mut().insert(LEADER_ADDR, addr);
        status.metadata_mut().insert(LEADER_ID, id);
    }
    status
}

/// The status for a failed `client_write` on this node.
pub(crate) fn client_write(e: &RaftError<u64, ClientWriteError<u64, BasicNode>>) -> tonic::Status {
    match e {
        RaftError::APIError(ClientWriteError::ForwardToLeader(fwd)) => not_leader(fwd),
        RaftError::APIError(ClientWriteError::ChangeMembershipError(e)) => {
            tonic::Status::failed_precondition(e.to_string())
        }
        RaftError::Fatal(e) => tonic::Status::unavailable(format!("raft stopped: {e}")),
    }
}

/// The leader named by a "not leader" status, if any.
pub(crate) fn leader_hint(status: &tonic::Status) -> Option<(u64, String)> {
    if status.code() != tonic::Code::Unavailable {
        return None;
    }
    let md = status.metadata();
    let addr = md.get(LEADER_ADDR)?.to_str().ok()?.to_string();
    let id = md.get(LEADER_ID)?.to_str().ok()?.parse().ok()?;
    Some((id, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_leader_round_trips_the_leader() {
        let fwd = ForwardToLeader::new(3, BasicNode::new("10.0.0.3:7000"));
        let status = not_leader(&fwd);
        assert_eq!(status.code(), tonic::Code::Unavailable);
        assert_eq!(leader_hint(&status), Some((3, "10.0.0.3:7000".to_string())));
        assert!(status.message().contains("10.0.0.3:7000"));
        assert_eq!(leader_hint(&not_leader(&ForwardToLeader::empty())), None);
        assert_eq!(leader_hint(&tonic::Status::internal("x")), None);
    }
}
