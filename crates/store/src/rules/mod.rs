//! Storage rules: every decision the store makes, once, in plain functions over the rows a
//! backend read. No SQL, no driver, no I/O: the [`crate::engine`] reads rows through whichever
//! driver it runs on, asks these functions what to do, and writes what they say.
//!
//! | file | decides |
//! |---|---|
//! | [`names`] | what a mailbox name, an address or a domain may be; the mailboxes a new account gets; which mailboxes a RENAME renames and in what order |
//! | [`uids`] | which UIDs and MODSEQ a write takes, when a mailbox has run out of UIDs, the UIDVALIDITY of a new mailbox |
//! | [`flags`] | how STORE combines flags and keywords, which messages it changes, UNCHANGEDSINCE, how many keywords a mailbox may define |
//! | [`quota`] | what a write costs, whether it fits |
//! | [`transfer`] | what COPY and MOVE create, cost and expunge |
//! | [`expunge`] | which messages an EXPUNGE removes and what it records for QRESYNC |
//! | [`recent`] | who gets `\Recent` |
//! | [`blobs`] | when an append may use a body the sweep is collecting, and the order bodies are locked in |

pub mod blobs;
pub mod expunge;
pub mod flags;
pub mod names;
pub mod quota;
pub mod recent;
pub mod transfer;
pub mod uids;
