//! Fuzz target for the command receiver and parser.
//!
//! The first input octet picks a chunk size; the rest is fed to a [`Receiver`] in chunks of
//! that size, as a socket would deliver it. Checked for every input:
//! * nothing panics, and the receiver never holds more than its limits allow;
//! * every command it yields survives encode → parse unchanged (the encoder and the parser
//!   agree on the grammar).
#![no_main]

use bytes::BytesMut;
use imap_proto::encode;
use imap_proto::write::WriteOptions;
use imap_proto::{Limits, Receiver, Step};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_line: 4096,
        max_append_literal: 1 << 16,
        max_other_literal: 4096,
        max_command: 1 << 18,
        max_literals: 64,
        max_depth: 24,
        ..Limits::default()
    };
    let mut receiver = Receiver::new(limits);
    let mut buf = BytesMut::new();
    for chunk in input.chunks(first as usize % 32 + 1) {
        buf.extend_from_slice(chunk);
        loop {
            match receiver.step(&mut buf) {
                Ok(Step::NeedMore) => break,
                Ok(Step::Continue { size, .. }) => assert!(size <= limits.max_append_literal),
                Ok(Step::Command(cmd)) => {
                    for opts in [
                        WriteOptions {
                            utf8: false,
                            non_sync_literals: false,
                        },
                        WriteOptions {
                            utf8: true,
                            non_sync_literals: true,
                        },
                    ] {
                        let wire = encode::to_bytes(&cmd, opts);
                        let again = imap_proto::parse_command_with(&wire, Limits::default())
                            .unwrap_or_else(|e| {
                                panic!(
                                    "{cmd:?} encoded as {:?}: {e}",
                                    String::from_utf8_lossy(&wire)
                                )
                            });
                        assert_eq!(again, cmd, "{:?}", String::from_utf8_lossy(&wire));
                    }
                }
                Err(_) => {}
            }
        }
        // Whatever it keeps waiting is bounded by the limits (plus one read's worth).
        assert!(buf.len() <= limits.max_command as usize + 64);
    }
});
