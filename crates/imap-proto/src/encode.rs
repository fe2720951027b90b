//! Command encoder: the client side of [`crate::command`].
//!
//! [`encode`] writes one complete [`Command`], final CRLF included, in the form RFC 9051 §9 and the
//! extensions' grammars give it. Every string goes through [`Writer`], so a value is an atom, a
//! quoted string or a literal as its octets require: CR, LF, NUL or (without UTF-8) 8-bit octets
//! never reach the wire raw. Values the grammar wants as atoms (mechanism names, charsets, flag
//! keywords…) are written raw only when they *are* atoms; otherwise they are written as a string,
//! which a server rejects with `BAD` instead of reading an injected command.
//!
//! A client writing the result must stop at each offset in [`Writer::continuations`] and wait for
//! the server's `+` (synchronizing literals); with [`WriteOptions::non_sync_literals`] there are
//! none. Used by our test client and by the round-trip tests (`tests/roundtrip.rs`).
//!
//! This file holds the entry points, the dispatch over [`CommandBody`] and what several families
//! share; each command's arguments are written by its family in [`crate::commands`]. The
//! dispatch writes the command name ([`CommandBody::name`], `UID` prefix included), then the
//! family encoder writes the arguments, each after its SP.

use crate::command::{Command, CommandBody};
use crate::commands::{
    any, append, auth, compress, copy, expunge, fetch, list, mailbox, quota, search, select, sort,
    store, thread,
};
use crate::types::{Flag, is_atom_char};
use crate::write::{WriteOptions, Writer};

/// Writes `cmd` (tag, command, arguments and the final CRLF) to `w`.
///
/// Synchronizing literals are recorded in `w.continuations`. Values the grammar cannot carry (an
/// empty search program, an empty FETCH list…) are the caller's error: they are written as the
/// equivalent well-formed form where there is one (`ALL` for no search keys, `=` for an empty
/// SASL initial response) and otherwise as given, for the server to reject.
pub fn encode(cmd: &Command, w: &mut Writer) {
    w.raw(cmd.tag.as_str().as_bytes()).sp();
    body(&cmd.body, w).crlf();
}

/// Encodes `cmd` into a fresh buffer with the given string rules.
pub fn to_bytes(cmd: &Command, opts: WriteOptions) -> Vec<u8> {
    let mut w = Writer::new(opts);
    encode(cmd, &mut w);
    w.buf
}

/// The command name, then its family's arguments.
fn body<'w>(b: &CommandBody, w: &'w mut Writer) -> &'w mut Writer {
    use CommandBody::*;
    w.raw(b.name().as_bytes());
    match b {
        Capability | Noop | Logout | StartTls | Namespace | Idle | Check | Close | Unselect => w,
        Expunge { uids: None } => w,
        Expunge { uids: Some(set) } => expunge::encode_uid_expunge(set, w),
        Id(params) => any::encode_id(params.as_deref(), w),
        Enable(names) => any::encode_enable(names, w),
        Authenticate {
            mechanism,
            initial_response,
        } => auth::encode_authenticate(mechanism, initial_response.as_ref(), w),
        Login { username, password } => auth::encode_login(username, password, w),
        Compress(alg) => compress::encode_compress(alg, w),
        Select { mailbox, params } | Examine { mailbox, params } => {
            select::encode_select(mailbox, params, w)
        }
        Create {
            mailbox,
            special_use,
        } => mailbox::encode_create(mailbox, special_use, w),
        Delete(m) | Subscribe(m) | Unsubscribe(m) => mailbox::encode_mailbox(m, w),
        Rename { from, to } => mailbox::encode_rename(from, to, w),
        Status { mailbox, items } => mailbox::encode_status(mailbox, items, w),
        List(l) => list::encode_list(l, w),
        Lsub { reference, pattern } => list::encode_lsub(reference, pattern, w),
        Append { mailbox, messages } => append::encode_append(mailbox, messages, w),
        GetQuota(root) => quota::encode_getquota(root, w),
        GetQuotaRoot(m) => quota::encode_getquotaroot(m, w),
        SetQuota { root, limits } => quota::encode_setquota(root, limits, w),
        Search {
            uid: _,
            charset,
            ret,
            criteria,
        } => search::encode_search(charset.as_deref(), ret.as_deref(), criteria, w),
        Fetch {
            uid: _,
            set,
            items,
            modifiers,
        } => fetch::encode_fetch(set, items, modifiers, w),
        Store {
            uid: _,
            set,
            unchanged_since,
            action,
            silent,
            flags,
        } => {
            store::encode_store_set(set, *unchanged_since, w);
            store::encode_store_flags(*action, *silent, flags, w)
        }
        Copy {
            uid: _,
            set,
            mailbox,
        }
        | Move {
            uid: _,
            set,
            mailbox,
        } => copy::encode_copy(set, mailbox, w),
        Sort {
            uid: _,
            ret,
            criteria,
            charset,
            keys,
        } => sort::encode_sort(ret.as_deref(), criteria, charset, keys, w),
        Thread {
            uid: _,
            algorithm,
            charset,
            keys,
        } => thread::encode_thread(algorithm, charset, keys, w),
    }
}

/// True if the flag's wire text is a flag the grammar can carry raw.
fn flag_is_wire_safe(f: &Flag) -> bool {
    match f {
        Flag::Extension(s) | Flag::Keyword(s) => !s.is_empty() && s.bytes().all(is_atom_char),
        _ => true,
    }
}

/// `flag-list` through [`Writer::flag_list`], unless a flag is not an atom: that one is written as
/// a string, so that it cannot escape the list. STORE's and APPEND's flags.
pub(crate) fn flag_list<'w>(flags: &[Flag], w: &'w mut Writer) -> &'w mut Writer {
    if flags.iter().all(flag_is_wire_safe) {
        return w.flag_list(flags);
    }
    w.raw(b"(");
    for (i, f) in flags.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        if flag_is_wire_safe(f) {
            w.raw(f.as_wire().as_bytes());
        } else {
            w.string(f.as_wire().as_bytes());
        }
    }
    w.raw(b")")
}

#[cfg(test)]
mod tests {
    //! The dispatch: names of the commands without arguments, and what the entry points record.
    //! Each family's table is at the bottom of its module in [`crate::commands`].

    use super::*;
    use crate::commands::testing::{UTF8_PLUS, b, check, cmd};

    #[test]
    fn commands_without_arguments() {
        check(CommandBody::Capability, b"a1 CAPABILITY\r\n");
        check(CommandBody::Noop, b"a1 NOOP\r\n");
        check(CommandBody::Logout, b"a1 LOGOUT\r\n");
        check(CommandBody::StartTls, b"a1 STARTTLS\r\n");
        check(CommandBody::Namespace, b"a1 NAMESPACE\r\n");
        check(CommandBody::Idle, b"a1 IDLE\r\n");
        check(CommandBody::Check, b"a1 CHECK\r\n");
        check(CommandBody::Close, b"a1 CLOSE\r\n");
        check(CommandBody::Unselect, b"a1 UNSELECT\r\n");
        check(CommandBody::Expunge { uids: None }, b"a1 EXPUNGE\r\n");
    }

    #[test]
    fn non_sync_literals_record_no_continuation() {
        let body = CommandBody::Login {
            username: b("u\n"),
            password: b("pw"),
        };
        let mut w = Writer::new(UTF8_PLUS);
        encode(&cmd(body), &mut w);
        assert_eq!(w.buf, b"a1 LOGIN {2+}\r\nu\n pw\r\n");
        assert!(w.continuations.is_empty());
    }
}
