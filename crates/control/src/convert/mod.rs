//! Conversions between protobuf messages and the crate's types, one small file each.

pub(crate) mod error;
pub(crate) mod status;
