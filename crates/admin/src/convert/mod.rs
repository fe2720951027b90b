//! Conversions between the protobuf messages and the domain types, one small file per kind
//! (STYLE.md §5).

pub(crate) mod account;
pub(crate) mod flags;
pub(crate) mod message;
