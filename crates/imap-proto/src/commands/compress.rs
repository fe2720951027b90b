//! `COMPRESS` (RFC 4978): `compress = "COMPRESS" SP algorithm`, the algorithm an atom
//! (`DEFLATE` is the one RFC 4978 defines), upper-cased.
//!
//! After the tagged OK both sides compress; that is the session's business, not the grammar's.

use crate::command::CommandBody;
use crate::parser::{PResult, Parser};
use crate::write::Writer;

/// `"COMPRESS" SP algorithm` (RFC 4978 §3).
pub(crate) fn parse_compress(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    Ok(CommandBody::Compress(p.atom()?.to_ascii_uppercase()))
}

/// ` algorithm`, as an atom when it is one.
pub(crate) fn encode_compress<'w>(algorithm: &str, w: &'w mut Writer) -> &'w mut Writer {
    w.sp().atom_or_string(algorithm.as_bytes())
}

#[cfg(test)]
mod tests {
    use crate::command::CommandBody;
    use crate::commands::testing::{check, parses, refuses, syntax};

    #[test]
    fn compress() {
        check(
            CommandBody::Compress("DEFLATE".into()),
            b"a1 COMPRESS DEFLATE\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[(
            b"a COMPRESS deflate\r\n",
            CommandBody::Compress("DEFLATE".into()),
        )]);
        refuses(&[
            (b"a COMPRESS\r\n", syntax("expected SP at end of command")),
            (
                b"a COMPRESS \"DEFLATE\"\r\n",
                syntax("expected an atom at offset 11, found '\"'"),
            ),
        ]);
    }
}
