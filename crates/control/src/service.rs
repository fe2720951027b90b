//! The server side of the peer service: decodes openraft messages and hands them to the local
//! Raft, forwards nothing (followers forward *commands* from [`crate::Control`], not here).

use std::io::Cursor;

use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, VoteRequest,
};
use openraft::{BasicNode, Snapshot, SnapshotMeta, Vote};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tonic::{Request, Response, Status};

use crate::control::Control;
use crate::convert::error as status_err;
use crate::pb;
use crate::types::{Command, TypeConfig};

/// The tonic service of the peer-only Raft API; build it with [`Control::service`] and add it to
/// metad's router.
#[derive(Clone)]
pub struct PeerService {
    pub(crate) control: Control,
}

fn decode<T: DeserializeOwned>(what: &str, data: &[u8]) -> Result<T, Status> {
    serde_json::from_slice(data).map_err(|e| Status::invalid_argument(format!("bad {what}: {e}")))
}

fn reply<T: Serialize>(result: &T) -> Result<Response<pb::RaftReply>, Status> {
    let data = serde_json::to_vec(result).map_err(|e| Status::internal(e.to_string()))?;
    Ok(Response::new(pb::RaftReply { data }))
}

#[tonic::async_trait]
impl pb::raft_peer_server::RaftPeer for PeerService {
    async fn append_entries(
        &self,
        request: Request<pb::RaftRequest>,
    ) -> Result<Response<pb::RaftReply>, Status> {
        let req: AppendEntriesRequest<TypeConfig> =
            decode("AppendEntriesRequest", &request.into_inner().data)?;
        let sender = req.vote.leader_id().voted_for();
        let res = self.control.raft().append_entries(req).await;
        // The sender is the current leader unless we answered with a higher vote. Only a
        // success means our log now matches the leader's, which the ownership lease needs.
        if let (Some(leader), Ok(resp)) = (sender, &res) {
            match resp {
                AppendEntriesResponse::Success | AppendEntriesResponse::PartialSuccess(_) => {
                    self.control.liveness().leader_contact(leader, true);
                }
                AppendEntriesResponse::Conflict => {
                    self.control.liveness().leader_contact(leader, false);
                }
                AppendEntriesResponse::HigherVote(_) => {}
            }
        }
        reply(&res)
    }

    async fn vote(
        &self,
        request: Request<pb::RaftRequest>,
    ) -> Result<Response<pb::RaftReply>, Status> {
        let req: VoteRequest<u64> = decode("VoteRequest", &request.into_inner().data)?;
        reply(&self.control.raft().vote(req).await)
    }

    async fn install_snapshot(
        &self,
        request: Request<pb::RaftRequest>,
    ) -> Result<Response<pb::RaftReply>, Status> {
        let req: InstallSnapshotRequest<TypeConfig> =
            decode("InstallSnapshotRequest", &request.into_inner().data)?;
        reply(&self.control.raft().install_snapshot(req).await)
    }

    async fn full_snapshot(
        &self,
        request: Request<pb::SnapshotRequest>,
    ) -> Result<Response<pb::RaftReply>, Status> {
        let req = request.into_inner();
        let vote: Vote<u64> = decode("vote", &req.vote)?;
        let meta: SnapshotMeta<u64, BasicNode> = decode("snapshot meta", &req.meta)?;
        let snapshot = Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(req.data)),
        };
        reply(
            &self
                .control
                .raft()
                .install_full_snapshot(vote, snapshot)
                .await,
        )
    }

    async fn client_write(
        &self,
        request: Request<pb::ClientWriteRequest>,
    ) -> Result<Response<pb::ClientWriteReply>, Status> {
        let cmd: Command = decode("command", &request.into_inner().command)?;
        match self.control.raft().client_write(cmd).await {
            Ok(resp) => Ok(Response::new(pb::ClientWriteReply {
                log_index: resp.log_id.index,
            })),
            Err(e) => Err(status_err::client_write(&e)),
        }
    }

    async fn status(
        &self,
        request: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::StatusReply>, Status> {
        let status = if request.into_inner().local {
            self.control.local_status()
        } else {
            self.control.status().await
        };
        Ok(Response::new(pb::StatusReply::from(&status)))
    }
}
