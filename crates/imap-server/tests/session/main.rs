//! Session tests over an in-memory stream: a real `Session` against a real SQLite store and
//! blob folder, driven by a small tag-aware client.

mod client;
mod flows;
mod large_fetch;
mod refusals;
mod sort_thread;
