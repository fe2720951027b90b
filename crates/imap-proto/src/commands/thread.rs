//! `[UID] THREAD` (RFC 5256 §3): an algorithm, a charset and SEARCH's search program (from
//! [`super::search`]).

use super::search::{SearchKey, encode_keys, parse_keys};
use crate::command::CommandBody;
use crate::parser::{PResult, Parser};
use crate::write::Writer;

/// THREAD algorithms (RFC 5256 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadAlgorithm {
    /// `ORDEREDSUBJECT`
    OrderedSubject,
    /// `REFERENCES`
    References,
    /// Any other atom, upper-cased; the server answers that it does not support it.
    Other(String),
}

/// `THREAD SP thread-alg SP charset 1*(SP search-key)`
pub(crate) fn parse_thread(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let algorithm = match p.atom()?.to_ascii_uppercase().as_str() {
        "ORDEREDSUBJECT" => ThreadAlgorithm::OrderedSubject,
        "REFERENCES" => ThreadAlgorithm::References,
        other => ThreadAlgorithm::Other(other.to_string()),
    };
    p.sp()?;
    let charset = p.charset()?;
    p.sp()?;
    let keys = parse_keys(p)?;
    Ok(CommandBody::Thread {
        uid,
        algorithm,
        charset,
        keys,
    })
}

/// ` algorithm charset keys`
pub(crate) fn encode_thread<'w>(
    algorithm: &ThreadAlgorithm,
    charset: &str,
    keys: &[SearchKey],
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp();
    match algorithm {
        ThreadAlgorithm::OrderedSubject => w.raw(b"ORDEREDSUBJECT"),
        ThreadAlgorithm::References => w.raw(b"REFERENCES"),
        ThreadAlgorithm::Other(a) => w.atom_or_string(a.as_bytes()),
    };
    w.sp().atom_or_string(charset.as_bytes()).sp();
    encode_keys(keys, w)
}

#[cfg(test)]
mod tests {
    use super::ThreadAlgorithm;
    use crate::command::CommandBody;
    use crate::commands::search::SearchKey;
    use crate::commands::testing::{check, date, parses, refuses, syntax};

    #[test]
    fn thread() {
        check(
            CommandBody::Thread {
                uid: false,
                algorithm: ThreadAlgorithm::OrderedSubject,
                charset: "US-ASCII".into(),
                keys: vec![SearchKey::Since(date(2024, 2, 1))],
            },
            b"a1 THREAD ORDEREDSUBJECT US-ASCII SINCE 1-Feb-2024\r\n",
        );
        check(
            CommandBody::Thread {
                uid: true,
                algorithm: ThreadAlgorithm::Other("REFS".into()),
                charset: "UTF-8".into(),
                keys: vec![SearchKey::All],
            },
            b"a1 UID THREAD REFS UTF-8 ALL\r\n",
        );
    }

    #[test]
    fn parse_table() {
        parses(&[
            (
                b"a THREAD references UTF-8 SINCE 1-Feb-2024\r\n",
                CommandBody::Thread {
                    uid: false,
                    algorithm: ThreadAlgorithm::References,
                    charset: "UTF-8".into(),
                    keys: vec![SearchKey::Since(date(2024, 2, 1))],
                },
            ),
            // An unknown algorithm parses; the server answers that it does not support it.
            (
                b"a UID THREAD refs us-ascii ALL\r\n",
                CommandBody::Thread {
                    uid: true,
                    algorithm: ThreadAlgorithm::Other("REFS".into()),
                    charset: "US-ASCII".into(),
                    keys: vec![SearchKey::All],
                },
            ),
        ]);
        refuses(&[(
            b"a THREAD REFERENCES UTF-8\r\n",
            syntax("expected SP at end of command"),
        )]);
    }
}
