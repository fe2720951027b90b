//! Whether the selected mailbox may have changed since the session last asked the store: the
//! session's own receiver of the change feed, drained at each command boundary.
//!
//! ```text
//!  other session: commit ─▶ publish ChangeEvent ─▶ returns (tagged OK)
//!  this session:  command ─▶ Watch::stirred(mailbox)? ─yes─▶ changes_since ─▶ view.sync
//!                                                    └─no──▶ nothing changed: skip the query
//! ```
//!
//! The answer "no" is only trusted from a store whose feed is complete
//! ([`store::Messages::feed_is_complete`]: an event is published before the writer's call
//! returns); elsewhere every boundary asks. Events are drained *before* the store is asked, so
//! an event drained is always covered by the answer read after it, and one published later
//! stays in the receiver for the next boundary.

use store::{AccountId, ChangeEvent, MailStore, MailboxId};
use tokio::sync::broadcast::{Receiver, error::TryRecvError};

/// A session's receiver of the change feed.
pub(crate) struct Watch {
    feed: Receiver<ChangeEvent>,
    complete: bool,
    /// Events were drained but the store could not be asked: look at the next boundary.
    missed: bool,
}

impl Watch {
    /// A receiver of `store`'s feed, from now on.
    pub(crate) fn new(store: &dyn MailStore) -> Watch {
        Watch {
            feed: store.subscribe(),
            complete: store.feed_is_complete(),
            missed: false,
        }
    }

    /// Drains the events received so far and says whether `mailbox` of `account` may have
    /// changed since the last call: one of them concerns it, some were lost (the receiver fell
    /// behind), the last look failed ([`missed`](Self::missed)), or the feed is not complete.
    pub(crate) fn stirred(&mut self, account: AccountId, mailbox: MailboxId) -> bool {
        let mut stirred = !self.complete || std::mem::take(&mut self.missed);
        loop {
            match self.feed.try_recv() {
                Ok(ev) => stirred |= ev.concerns(account, mailbox),
                Err(TryRecvError::Empty) => return stirred,
                Err(TryRecvError::Lagged(_)) => stirred = true,
                Err(TryRecvError::Closed) => return true,
            }
        }
    }

    /// The store could not be asked after [`stirred`](Self::stirred) drained the events: the
    /// next call says "stirred" whatever it drains.
    pub(crate) fn missed(&mut self) {
        self.missed = true;
    }
}
