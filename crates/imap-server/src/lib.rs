//! # imap-server: Strata's IMAP frontend
//!
//! Sessions, their state machine and the command families, over any transport, talking only to
//! the [`store::MailStore`] trait. Built up over the server work (issue 4); so far it holds the
//! sans-IO core that keeps each session's message numbering consistent:
//!
//! * [`view`]: a session's own view of its selected mailbox (invariant 4 of ARCHITECTURE.md).

pub mod view;
