//! Integration tests of powercut-fs: real mounts (they need root and `/dev/fuse`), real
//! programs on them, real power cuts.

mod child;
mod files;
mod sqlite;
mod util;
