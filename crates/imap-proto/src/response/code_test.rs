//! Exact-byte tests for response codes (RFC examples first, hostile values next to them).

use super::*;
use crate::types::{SeqRange, Tag};
use crate::write::WriteOptions;

fn code(c: Code) -> String {
    let mut w = Writer::new(WriteOptions::SERVER_REV1);
    c.write(&mut w);
    String::from_utf8(w.take()).unwrap()
}

fn set(ranges: &[(u32, u32)]) -> SequenceSet {
    SequenceSet::Ranges(ranges.iter().map(|&(a, b)| SeqRange::new(a, b)).collect())
}

#[test]
fn rfc_examples() {
    assert_eq!(
        code(Code::UidValidity(3857529045)),
        "UIDVALIDITY 3857529045"
    );
    assert_eq!(code(Code::UidNext(4392)), "UIDNEXT 4392");
    assert_eq!(code(Code::Unseen(12)), "UNSEEN 12");
    let perm = Code::PermanentFlags {
        flags: vec![Flag::Deleted, Flag::Seen],
        new_keywords: true,
    };
    assert_eq!(code(perm), "PERMANENTFLAGS (\\Deleted \\Seen \\*)");
    let none = Code::PermanentFlags {
        flags: vec![],
        new_keywords: false,
    };
    assert_eq!(code(none), "PERMANENTFLAGS ()");
    let star = Code::PermanentFlags {
        flags: vec![],
        new_keywords: true,
    };
    assert_eq!(code(star), "PERMANENTFLAGS (\\*)");
    let append = Code::AppendUid {
        uid_validity: 38505,
        uids: SequenceSet::single(3955),
    };
    assert_eq!(code(append), "APPENDUID 38505 3955");
    let multi = Code::AppendUid {
        uid_validity: 38505,
        uids: set(&[(3955, 3957)]),
    };
    assert_eq!(code(multi), "APPENDUID 38505 3955:3957");
    let copy = Code::CopyUid {
        uid_validity: 38505,
        source: set(&[(304, 304), (319, 320)]),
        dest: set(&[(3956, 3958)]),
    };
    assert_eq!(code(copy), "COPYUID 38505 304,319:320 3956:3958");
    assert_eq!(
        code(Code::HighestModSeq(715194045007)),
        "HIGHESTMODSEQ 715194045007"
    );
    assert_eq!(code(Code::Modified(set(&[(7, 7), (9, 9)]))), "MODIFIED 7,9");
    let id = Code::MailboxId("F2212ea87-6097-4256-9d51-71338625".into());
    assert_eq!(code(id), "MAILBOXID (F2212ea87-6097-4256-9d51-71338625)");
    let caps = Code::Capability(vec![
        "IMAP4REV1".into(),
        "STARTTLS".into(),
        "COMPRESS=DEFLATE".into(),
    ]);
    assert_eq!(code(caps), "CAPABILITY IMAP4REV1 STARTTLS COMPRESS=DEFLATE");
    assert_eq!(
        code(Code::BadCharset(vec!["UTF-8".into()])),
        "BADCHARSET (UTF-8)"
    );
    assert_eq!(code(Code::BadCharset(vec![])), "BADCHARSET");
}

#[test]
fn every_bare_code_has_its_rfc_name() {
    use Code::*;
    let all = [
        Alert,
        Parse,
        ReadOnly,
        ReadWrite,
        TryCreate,
        UidNotSticky,
        Unavailable,
        AuthenticationFailed,
        AuthorizationFailed,
        Expired,
        PrivacyRequired,
        ContactAdmin,
        NoPerm,
        InUse,
        ExpungeIssued,
        Corruption,
        ServerBug,
        ClientBug,
        Cannot,
        Limit,
        OverQuota,
        AlreadyExists,
        NonExistent,
        NotSaved,
        HasChildren,
        Closed,
        UnknownCte,
        TooBig,
        NoModSeq,
        UseAttr,
        CompressionActive,
    ];
    let names: Vec<String> = all.into_iter().map(code).collect();
    assert_eq!(
        names.join(" "),
        "ALERT PARSE READ-ONLY READ-WRITE TRYCREATE UIDNOTSTICKY UNAVAILABLE \
AUTHENTICATIONFAILED AUTHORIZATIONFAILED EXPIRED PRIVACYREQUIRED CONTACTADMIN NOPERM INUSE \
EXPUNGEISSUED CORRUPTION SERVERBUG CLIENTBUG CANNOT LIMIT OVERQUOTA ALREADYEXISTS NONEXISTENT \
NOTSAVED HASCHILDREN CLOSED UNKNOWN-CTE TOOBIG NOMODSEQ USEATTR COMPRESSIONACTIVE"
    );
}

#[test]
fn hostile_values_cannot_close_the_bracket() {
    let other = Code::Other {
        atom: "X-FOO]".into(),
        text: Some("a]b\r\nc é".into()),
    };
    assert_eq!(code(other), "X-FOO_ a b  c ?");
    let empty = Code::Other {
        atom: String::new(),
        text: Some(String::new()),
    };
    assert_eq!(code(empty), "_");
    let cs = Code::BadCharset(vec!["KOI8 R".into(), "a]".into(), "\r\n".into(), "".into()]);
    assert_eq!(code(cs), "BADCHARSET (\"KOI8 R\" a_ __ \"\")");
    let caps = Code::Capability(vec!["AUTH=PLAIN]".into()]);
    assert_eq!(code(caps), "CAPABILITY AUTH=PLAIN_");
    assert_eq!(code(Code::MailboxId("x] y".into())), "MAILBOXID (x__y)");
    let flags = vec![Flag::Keyword("$a]".into())];
    assert_eq!(
        code(Code::PermanentFlags {
            flags,
            new_keywords: false
        }),
        "PERMANENTFLAGS ($a_)"
    );
}

#[test]
fn codes_inside_status_responses() {
    use crate::response::{Response, State, StatusResponse, assert_wire};
    let ok = StatusResponse::tagged(Tag::new("A003").unwrap(), State::Ok, "APPEND completed")
        .with_code(Code::AppendUid {
            uid_validity: 38505,
            uids: SequenceSet::single(3955),
        });
    assert_wire(
        &Response::Status(ok),
        WriteOptions::SERVER_REV1,
        b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n",
    );
    let no = StatusResponse::tagged(Tag::new("t3").unwrap(), State::No, "\\All not supported")
        .with_code(Code::UseAttr);
    assert_wire(
        &Response::Status(no),
        WriteOptions::SERVER_REV1,
        b"t3 NO [USEATTR] \\All not supported\r\n",
    );
}
