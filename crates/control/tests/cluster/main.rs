//! Three control-plane nodes in one process, each with its own gRPC server on an ephemeral
//! 127.0.0.1 port and its own data directory. One scenario per file; `util` starts and stops
//! nodes and waits on conditions with deadlines.

mod failover;
mod restart;
mod util;
