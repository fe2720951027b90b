//! The `MailStore` contract suite lives in this crate's `tests/`: every case
//! runs on every implementation — SQLite (a file), PostgreSQL (a throw-away database) and
//! `RemoteStore` over real gRPC on loopback to a metad serving PostgreSQL. A case that only one
//! implementation passes is a defect in that implementation. The crate has no code of its own.
