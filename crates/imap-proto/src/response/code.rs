//! Response codes, the bracketed part of a status response (RFC 9051 §7.1 and `resp-text-code`
//! in §9, plus the codes of RFC 3501, 4315, 4469, 4978, 5182, 5530, 6154, 7162 and 8474).
//!
//! Nothing written here may contain `]`, CR or LF: the atom and text helpers repair such values.

use super::{atom, flag, object_id, sp_list};
use crate::types::{Flag, SequenceSet};
use crate::write::Writer;

/// A response code: `[ALERT]`, `[UIDNEXT 4392]`, `[COPYUID 38505 304 3956]`…
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// `ALERT`: the text must be shown to the user (RFC 9051 §7.1).
    Alert,
    /// `BADCHARSET [(charset…)]`: SEARCH charset not supported; lists the supported ones.
    BadCharset(Vec<String>),
    /// `CAPABILITY name…`: the capability list, saving a CAPABILITY round trip.
    Capability(Vec<String>),
    /// `PARSE`: a message's headers could not be parsed.
    Parse,
    /// `PERMANENTFLAGS (flag… [\*])`: flags the client can change permanently.
    PermanentFlags {
        /// The flags.
        flags: Vec<Flag>,
        /// `\*`: the client may also create new keywords.
        new_keywords: bool,
    },
    /// `READ-ONLY`: the mailbox is selected read-only.
    ReadOnly,
    /// `READ-WRITE`: the mailbox is selected read-write.
    ReadWrite,
    /// `TRYCREATE`: the target mailbox does not exist but could be created.
    TryCreate,
    /// `UIDNEXT n`: the predicted next UID.
    UidNext(u32),
    /// `UIDVALIDITY n`: the mailbox's UID validity value.
    UidValidity(u32),
    /// `UNSEEN n`: first unseen message's sequence number (RFC 3501, IMAP4rev1 only).
    Unseen(u32),
    /// `APPENDUID uidvalidity uid-set` (RFC 4315 §3; a set for MULTIAPPEND, RFC 3502).
    AppendUid {
        /// UIDVALIDITY of the destination mailbox.
        uid_validity: u32,
        /// UIDs given to the appended messages, in APPEND order.
        uids: SequenceSet,
    },
    /// `COPYUID uidvalidity source-set dest-set` (RFC 4315 §3).
    CopyUid {
        /// UIDVALIDITY of the destination mailbox.
        uid_validity: u32,
        /// Source UIDs.
        source: SequenceSet,
        /// Destination UIDs, in the same order.
        dest: SequenceSet,
    },
    /// `UIDNOTSTICKY`: the mailbox cannot keep UIDs across sessions (RFC 4315 §3).
    UidNotSticky,
    /// `UNAVAILABLE`: a subsystem is down (RFC 5530).
    Unavailable,
    /// `AUTHENTICATIONFAILED`: wrong credentials (RFC 5530).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED`: may not act as the requested identity (RFC 5530).
    AuthorizationFailed,
    /// `EXPIRED`: the credentials have expired (RFC 5530).
    Expired,
    /// `PRIVACYREQUIRED`: the operation needs an encrypted connection (RFC 5530).
    PrivacyRequired,
    /// `CONTACTADMIN`: the user should contact the administrator (RFC 5530).
    ContactAdmin,
    /// `NOPERM`: access control forbids it (RFC 5530).
    NoPerm,
    /// `INUSE`: someone else is using the resource (RFC 5530).
    InUse,
    /// `EXPUNGEISSUED`: another session expunged messages meanwhile (RFC 5530).
    ExpungeIssued,
    /// `CORRUPTION`: the server found corrupt data (RFC 5530).
    Corruption,
    /// `SERVERBUG`: the server hit a bug (RFC 5530).
    ServerBug,
    /// `CLIENTBUG`: the client did something questionable but legal (RFC 5530).
    ClientBug,
    /// `CANNOT`: the operation violates an invariant of the server (RFC 5530).
    Cannot,
    /// `LIMIT`: a server limit was hit (RFC 5530).
    Limit,
    /// `OVERQUOTA`: a quota is exceeded (RFC 5530, RFC 9208).
    OverQuota,
    /// `ALREADYEXISTS`: the target name exists (RFC 5530).
    AlreadyExists,
    /// `NONEXISTENT`: the object does not exist (RFC 5530).
    NonExistent,
    /// `NOTSAVED`: a SEARCH result could not be saved (RFC 5182 §2.5).
    NotSaved,
    /// `HASCHILDREN`: a mailbox with children cannot be deleted this way (RFC 9051).
    HasChildren,
    /// `CLOSED`: the previously selected mailbox is now closed (RFC 9051 §7.1).
    Closed,
    /// `UNKNOWN-CTE`: a part's content-transfer-encoding cannot be decoded (RFC 3516).
    UnknownCte,
    /// `TOOBIG`: the message is larger than the server accepts (RFC 4469, RFC 7889 §4).
    TooBig,
    /// `HIGHESTMODSEQ n` (RFC 7162 §3.1.2.1).
    HighestModSeq(u64),
    /// `NOMODSEQ`: the mailbox has no persistent mod-sequences (RFC 7162 §3.1.2.2).
    NoModSeq,
    /// `MODIFIED set`: messages a conditional STORE did not change (RFC 7162 §3.1.3).
    Modified(SequenceSet),
    /// `USEATTR`: a special-use attribute cannot be used (RFC 6154 §3).
    UseAttr,
    /// `COMPRESSIONACTIVE`: compression is already on (RFC 4978 §3).
    CompressionActive,
    /// `MAILBOXID (id)`: the object id of a created mailbox (RFC 8474 §4.1).
    MailboxId(String),
    /// Any other code: `atom [SP text]` (RFC 9051 `resp-text-code` catch-all). In the text, `]`,
    /// CR, LF and NUL become spaces and 8-bit characters `?` (it is 7-bit `TEXT-CHAR`s only).
    Other {
        /// The code's name.
        atom: String,
        /// Its argument text, if any; an empty text is omitted.
        text: Option<String>,
    },
}

impl Code {
    /// The name of a code without arguments, or `None` for codes that carry data.
    fn bare_name(&self) -> Option<&'static str> {
        use Code::*;
        Some(match self {
            Alert => "ALERT",
            Parse => "PARSE",
            ReadOnly => "READ-ONLY",
            ReadWrite => "READ-WRITE",
            TryCreate => "TRYCREATE",
            UidNotSticky => "UIDNOTSTICKY",
            Unavailable => "UNAVAILABLE",
            AuthenticationFailed => "AUTHENTICATIONFAILED",
            AuthorizationFailed => "AUTHORIZATIONFAILED",
            Expired => "EXPIRED",
            PrivacyRequired => "PRIVACYREQUIRED",
            ContactAdmin => "CONTACTADMIN",
            NoPerm => "NOPERM",
            InUse => "INUSE",
            ExpungeIssued => "EXPUNGEISSUED",
            Corruption => "CORRUPTION",
            ServerBug => "SERVERBUG",
            ClientBug => "CLIENTBUG",
            Cannot => "CANNOT",
            Limit => "LIMIT",
            OverQuota => "OVERQUOTA",
            AlreadyExists => "ALREADYEXISTS",
            NonExistent => "NONEXISTENT",
            NotSaved => "NOTSAVED",
            HasChildren => "HASCHILDREN",
            Closed => "CLOSED",
            UnknownCte => "UNKNOWN-CTE",
            TooBig => "TOOBIG",
            NoModSeq => "NOMODSEQ",
            UseAttr => "USEATTR",
            CompressionActive => "COMPRESSIONACTIVE",
            _ => return None,
        })
    }

    /// Writes the code without its brackets.
    pub(super) fn write(&self, w: &mut Writer) {
        if let Some(name) = self.bare_name() {
            w.raw(name.as_bytes());
            return;
        }
        match self {
            Code::BadCharset(charsets) => {
                w.raw(b"BADCHARSET");
                if !charsets.is_empty() {
                    w.raw(b" (");
                    sp_list(w, charsets, |w, c| charset(w, c));
                    w.raw(b")");
                }
            }
            Code::Capability(caps) => {
                w.raw(b"CAPABILITY");
                for c in caps {
                    w.sp();
                    atom(w, c);
                }
            }
            Code::PermanentFlags {
                flags,
                new_keywords,
            } => {
                w.raw(b"PERMANENTFLAGS (");
                sp_list(w, flags, flag);
                if *new_keywords {
                    w.raw(if flags.is_empty() { b"\\*" } else { b" \\*" });
                }
                w.raw(b")");
            }
            Code::UidNext(n) => number(w, b"UIDNEXT ", *n as u64),
            Code::UidValidity(n) => number(w, b"UIDVALIDITY ", *n as u64),
            Code::Unseen(n) => number(w, b"UNSEEN ", *n as u64),
            Code::HighestModSeq(n) => number(w, b"HIGHESTMODSEQ ", *n),
            Code::AppendUid { uid_validity, uids } => {
                number(w, b"APPENDUID ", *uid_validity as u64);
                w.sp().seq_set(uids);
            }
            Code::CopyUid {
                uid_validity,
                source,
                dest,
            } => {
                number(w, b"COPYUID ", *uid_validity as u64);
                w.sp().seq_set(source).sp().seq_set(dest);
            }
            Code::Modified(set) => {
                w.raw(b"MODIFIED ").seq_set(set);
            }
            Code::MailboxId(id) => {
                w.raw(b"MAILBOXID (");
                object_id(w, id);
                w.raw(b")");
            }
            Code::Other { atom: name, text } => {
                atom(w, name);
                if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
                    w.sp();
                    code_text(w, text);
                }
            }
            _ => {}
        }
    }
}

fn number(w: &mut Writer, name: &[u8], n: u64) {
    w.raw(name).num(n);
}

/// `charset = atom / quoted`. A literal is not allowed here, so a value that is neither is
/// repaired like an atom.
fn charset(w: &mut Writer, c: &str) {
    let b = c.as_bytes();
    if !b.is_empty() && b.iter().all(|&x| crate::types::is_atom_char(x)) {
        w.raw(b);
    } else if w.quotable(b) && !b.contains(&b']') {
        w.quoted(b);
    } else {
        atom(w, c);
    }
}

/// `1*<any TEXT-CHAR except "]">`.
fn code_text(w: &mut Writer, text: &str) {
    for c in text.chars() {
        let b = match c {
            ']' | '\r' | '\n' | '\0' => b' ',
            c if c.is_ascii() => c as u8,
            _ => b'?',
        };
        w.buf.push(b);
    }
}

#[cfg(test)]
#[path = "code_test.rs"]
mod tests;
