//! Who may act on what: the leader's view of liveness, the ownership lease, the handoff delay,
//! and the leader's reassignment loop (the placement rule itself is in `crate::plan`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use openraft::{BasicNode, RaftMetrics, ServerState};
use tokio::sync::watch;

use super::{Control, lock};
use crate::plan::plan;
use crate::state::Claims;
use crate::types::Command;

impl Control {
    /// When this node became leader of `term` (recorded on first call for that term).
    pub(super) fn leader_since(&self, term: u64) -> Instant {
        let mut lead = lock(&self.inner.leadership);
        match *lead {
            Some((t, since)) if t == term => since,
            _ => {
                let now = Instant::now();
                *lead = Some((term, now));
                now
            }
        }
    }

    /// Whether the leader considers voter `id` live: itself, or heard from within `lost_after`.
    ///
    /// A new leader knows little about the followers it did not talk to before its election, so
    /// it gives each of them `lost_after` of grace from the moment it took over (`since`). The
    /// exception is a node this one followed as leader: its last AppendEntries is a real
    /// last-seen time, and it needs no grace because a deposed leader stops acting on its
    /// shards (see [`Control::owns_shard`]) before a successor can be elected. So when a leader
    /// dies, its shards move as soon as `lost_after` has passed since its last heartbeat, which is
    /// usually right after the election.
    pub(super) fn is_live(&self, id: u64, now: Instant, since: Instant) -> bool {
        if id == self.id() {
            return true;
        }
        let liveness = &self.inner.liveness;
        let seen = liveness.last_seen(id);
        let last = match seen {
            Some(t) if liveness.has_led(id) => t,
            Some(t) => t.max(since),
            None => since,
        };
        now.saturating_duration_since(last) < self.inner.config.lost_after
    }

    /// The shards and jobs this node may act on now (see [`Control::owns_shard`]).
    pub(super) fn current_claims(&self) -> Claims {
        let me = self.id();
        if !self.in_touch() {
            return Claims::default();
        }
        let state = self.inner.state.borrow();
        let acq = lock(&self.inner.acquired);
        Claims {
            shards: state
                .shards
                .iter()
                .filter(|&(s, o)| *o == me && self.settled(acq.shards.get(s)))
                .map(|(s, _)| *s)
                .collect(),
            jobs: state
                .jobs
                .iter()
                .filter(|&(j, h)| *h == me && self.settled(acq.jobs.get(j)))
                .map(|(j, _)| j.clone())
                .collect(),
        }
    }

    /// Whether something acquired at `since` (None: not observed yet) may be acted on: the
    /// previous holder has had `election_timeout_min` to learn of the move (it hears the commit
    /// with the next heartbeat) or to lose its lease.
    pub(super) fn settled(&self, since: Option<&Instant>) -> bool {
        since.is_some_and(|t| t.elapsed() >= self.inner.config.election_timeout_min)
    }

    /// Records when shards and jobs became this node's (first seen so in the applied state),
    /// and forgets those that are no longer its.
    pub(super) fn note_acquisitions(&self) {
        let me = self.id();
        let now = Instant::now();
        let state = self.state();
        let mut acq = lock(&self.inner.acquired);
        acq.shards.retain(|s, _| state.shards.get(s) == Some(&me));
        acq.jobs.retain(|j, _| state.jobs.get(j) == Some(&me));
        for (shard, _) in state.shards.iter().filter(|(_, o)| **o == me) {
            acq.shards.entry(*shard).or_insert(now);
        }
        for (job, _) in state.jobs.iter().filter(|(_, h)| **h == me) {
            acq.jobs.entry(job.clone()).or_insert(now);
        }
    }

    /// Whether this node may act on its shards and jobs now (see [`Control::owns_shard`]).
    pub(super) fn in_touch(&self) -> bool {
        let m = self.inner.raft.metrics().borrow().clone();
        let lease = self.inner.config.election_timeout_min;
        match m.state {
            ServerState::Leader => {
                let voters: Vec<u64> = m.membership_config.membership().voter_ids().collect();
                let now = Instant::now();
                let heard = voters
                    .iter()
                    .filter(|&&v| {
                        v == self.id()
                            || self
                                .inner
                                .liveness
                                .last_seen(v)
                                .is_some_and(|t| now.saturating_duration_since(t) < lease)
                    })
                    .count();
                heard * 2 > voters.len()
            }
            ServerState::Follower => {
                // Everything received from the leader is applied: the state is not stale.
                let caught_up = m.last_applied.map(|l| l.index) >= m.last_log_index;
                caught_up
                    && m.current_leader.is_some_and(|l| l != self.id())
                    && self
                        .inner
                        .liveness
                        .last_leader_contact()
                        .is_some_and(|t| t.elapsed() < lease)
            }
            _ => false,
        }
    }

    /// The assignment the leader should propose now, if any.
    pub(super) fn pending_assignment(&self, m: &RaftMetrics<u64, BasicNode>) -> Option<Command> {
        if m.state != ServerState::Leader || m.current_leader != Some(self.id()) {
            *lock(&self.inner.leadership) = None;
            return None;
        }
        // Plan only from a state that includes everything committed by earlier leaders: the
        // leader has applied an entry (its own blank one) of its own term.
        if m.last_applied.map(|l| l.leader_id.term) != Some(m.current_term) {
            return None;
        }
        let since = self.leader_since(m.current_term);
        let now = Instant::now();
        let live: Vec<u64> = m
            .membership_config
            .membership()
            .voter_ids()
            .filter(|&v| self.is_live(v, now, since))
            .collect();
        let config = &self.inner.config;
        plan(&self.state(), &live, config.shards, &config.jobs)
    }
}

/// The leader's loop: every tick, if this node leads, propose the assignment that the current
/// liveness calls for (nothing when the state already matches). Followers idle.
pub(super) async fn reassign_loop(control: Control, mut stop: watch::Receiver<bool>) {
    let config = &control.inner.config;
    let tick = (config.lost_after / 4)
        .min(config.heartbeat)
        .max(Duration::from_millis(20));
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = interval.tick() => {}
        }
        let metrics = control.inner.raft.metrics().borrow().clone();
        let Some(cmd) = control.pending_assignment(&metrics) else {
            continue;
        };
        if let Command::Assign { shards, jobs } = &cmd {
            tracing::info!(node = control.id(), ?shards, ?jobs, "reassigning");
        }
        let write =
            tokio::time::timeout(config.write_timeout, control.inner.raft.client_write(cmd));
        tokio::select! {
            _ = stop.changed() => break,
            res = write => match res {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::debug!(node = control.id(), error = %e, "reassignment not written"),
                Err(_) => tracing::debug!(node = control.id(), "reassignment timed out"),
            },
        }
    }
}

/// Keeps [`Inner::acquired`] up to date as states are applied, and republishes [`Claims`]
/// when they change (on a state change or, for leases and handoff delays, on a timer).
pub(super) async fn track_claims(control: Control, mut stop: watch::Receiver<bool>) {
    let mut states = control.watch();
    let tick = (control.inner.config.heartbeat / 2).max(Duration::from_millis(10));
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            changed = states.changed() => {
                if changed.is_err() {
                    break;
                }
                states.borrow_and_update();
                control.note_acquisitions();
            }
            _ = interval.tick() => {}
        }
        let claims = control.current_claims();
        control.inner.claims.send_if_modified(|c| {
            if *c == claims {
                false
            } else {
                *c = claims;
                true
            }
        });
    }
}

/// Shards and jobs of this node, with when each became this node's.
#[derive(Default)]
pub(super) struct Acquired {
    pub(super) shards: BTreeMap<u32, Instant>,
    pub(super) jobs: BTreeMap<String, Instant>,
}
