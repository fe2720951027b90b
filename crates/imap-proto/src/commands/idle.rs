//! `IDLE` (RFC 2177, RFC 9051 §6.3.13): `idle = "IDLE" CRLF "DONE"`.
//!
//! The command itself has no argument (the dispatch handles it). What ends it, `DONE`, is a line
//! outside command framing: the session reads it with [`Receiver::line`](crate::Receiver::line)
//! and can check it with [`is_done`].

/// True if `line` (without its CRLF) is the `DONE` that ends IDLE, in any case: the grammar's
/// keywords are case-insensitive (RFC 9051 §9).
pub fn is_done(line: &[u8]) -> bool {
    line.eq_ignore_ascii_case(b"DONE")
}

#[cfg(test)]
mod tests {
    use super::is_done;
    use crate::command::CommandBody;
    use crate::commands::testing::{parses, refuses, syntax};

    #[test]
    fn parse_table() {
        parses(&[(b"a idle\r\n", CommandBody::Idle)]);
        // idle = "IDLE" CRLF "DONE": DONE is a line of its own, not an argument.
        refuses(&[(
            b"a IDLE DONE\r\n",
            syntax("expected end of command at offset 6, found ' '"),
        )]);
    }

    #[test]
    fn done_lines() {
        assert!(is_done(b"DONE"));
        assert!(is_done(b"done"));
        assert!(!is_done(b"DONE "));
        assert!(!is_done(b"a1 DONE"));
        assert!(!is_done(b""));
    }
}
