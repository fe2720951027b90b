//! LIST and LSUB responses (RFC 9051 §7.3.1, RFC 3501 §7.2.3), with the extended data items of
//! RFC 5258 (CHILDINFO) and RFC 9051 (OLDNAME), and the attributes of RFC 5258 and RFC 6154.
//!
//! ```text
//! mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
//!                [SP mbox-list-extended]
//! mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
//! childinfo-extended-item = "CHILDINFO" SP "(" list-select-base-opt-quoted *(SP …) ")"
//! oldname-extended-item   = "OLDNAME" SP "(" mailbox ")"
//! ```

use super::{atom, delimiter, sp_list};
use crate::types::Mailbox;
use crate::write::Writer;

/// One LIST (or LSUB) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListResponse {
    /// Mailbox attributes (`\Noselect`, `\HasChildren`, `\Sent`…).
    pub attributes: Vec<MailboxAttr>,
    /// Hierarchy delimiter; `None` for a flat namespace (written `NIL`).
    pub delimiter: Option<char>,
    /// The mailbox name, in the wire form the session chose (modified UTF-7 or UTF-8).
    pub mailbox: Mailbox,
    /// Extended data items (RFC 9051 §7.3.1, RFC 5258 §3); written only for LIST, and only when
    /// non-empty.
    pub extended: Vec<ListExtItem>,
}

/// A mailbox attribute (RFC 9051 `mbx-list-flags`, RFC 5258 §3, RFC 6154 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MailboxAttr {
    /// `\Noinferiors`: no child mailboxes can exist.
    NoInferiors,
    /// `\Noselect`: the name cannot be selected.
    NoSelect,
    /// `\Marked`: probably has new messages.
    Marked,
    /// `\Unmarked`: no new messages.
    Unmarked,
    /// `\NonExistent`: the name does not refer to a mailbox.
    NonExistent,
    /// `\Subscribed`
    Subscribed,
    /// `\Remote`: the mailbox is on another server.
    Remote,
    /// `\HasChildren`
    HasChildren,
    /// `\HasNoChildren`
    HasNoChildren,
    /// `\All` (special use)
    All,
    /// `\Archive` (special use)
    Archive,
    /// `\Drafts` (special use)
    Drafts,
    /// `\Flagged` (special use)
    Flagged,
    /// `\Junk` (special use)
    Junk,
    /// `\Sent` (special use)
    Sent,
    /// `\Trash` (special use)
    Trash,
    /// Another `\` atom, held without the backslash.
    Extension(String),
}

impl MailboxAttr {
    /// The attribute's wire name without the backslash, e.g. `Noselect`.
    pub fn name(&self) -> &str {
        use MailboxAttr::*;
        match self {
            NoInferiors => "Noinferiors",
            NoSelect => "Noselect",
            Marked => "Marked",
            Unmarked => "Unmarked",
            NonExistent => "NonExistent",
            Subscribed => "Subscribed",
            Remote => "Remote",
            HasChildren => "HasChildren",
            HasNoChildren => "HasNoChildren",
            All => "All",
            Archive => "Archive",
            Drafts => "Drafts",
            Flagged => "Flagged",
            Junk => "Junk",
            Sent => "Sent",
            Trash => "Trash",
            Extension(s) => s,
        }
    }
}

/// An extended data item of a LIST response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListExtItem {
    /// `"CHILDINFO" ("SUBSCRIBED" …)`: children match these selection options although this
    /// mailbox does not (RFC 5258 §3.5). Option names are written as quoted atoms.
    ChildInfo(Vec<String>),
    /// `"OLDNAME" (name)`: the name the client used before a rename or canonicalisation
    /// (RFC 9051 §6.3.9). Held as a plain string so that `inbox` keeps its case.
    OldName(String),
}

impl ListResponse {
    /// Writes `LIST …` or `LSUB …`; `extended` says whether extended items may be written.
    pub(super) fn write(&self, w: &mut Writer, name: &[u8], extended: bool) {
        w.raw(name).raw(b" (");
        sp_list(w, &self.attributes, |w, a| {
            w.raw(b"\\");
            atom(w, a.name());
        });
        w.raw(b") ");
        delimiter(w, self.delimiter);
        w.sp().mailbox(&self.mailbox);
        if extended && !self.extended.is_empty() {
            w.raw(b" (");
            sp_list(w, &self.extended, |w, item| item.write(w));
            w.raw(b")");
        }
    }
}

impl ListExtItem {
    fn write(&self, w: &mut Writer) {
        match self {
            ListExtItem::ChildInfo(options) => {
                w.raw(b"\"CHILDINFO\" (");
                sp_list(w, options, |w, o| {
                    w.raw(b"\"");
                    atom(w, o);
                    w.raw(b"\"");
                });
                w.raw(b")");
            }
            ListExtItem::OldName(old) => {
                w.raw(b"\"OLDNAME\" (").astring(old.as_bytes()).raw(b")");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Response, assert_wire};
    use crate::write::WriteOptions;
    use MailboxAttr::*;

    const REV1: WriteOptions = WriteOptions::SERVER_REV1;
    const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

    fn list(attrs: Vec<MailboxAttr>, d: Option<char>, name: &str) -> ListResponse {
        ListResponse {
            attributes: attrs,
            delimiter: d,
            mailbox: Mailbox::new(name),
            extended: vec![],
        }
    }

    #[test]
    fn rfc_examples() {
        assert_wire(
            &Response::List(list(vec![], Some('/'), "blurdybloop")),
            REV1,
            b"* LIST () \"/\" blurdybloop\r\n",
        );
        assert_wire(
            &Response::List(list(vec![NoSelect], Some('/'), "foo")),
            REV1,
            b"* LIST (\\Noselect) \"/\" foo\r\n",
        );
        assert_wire(
            &Response::List(list(vec![], Some('.'), "foo.bar")),
            REV1,
            b"* LIST () \".\" foo.bar\r\n",
        );
        assert_wire(
            &Response::List(list(vec![Subscribed, NonExistent], Some('/'), "foo/bar")),
            REV1,
            b"* LIST (\\Subscribed \\NonExistent) \"/\" foo/bar\r\n",
        );
        assert_wire(
            &Response::List(list(vec![NoSelect], Some('/'), "~/Mail/foo")),
            REV1,
            b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n",
        );
        assert_wire(
            &Response::List(list(vec![NoSelect], Some('/'), "")),
            REV1,
            b"* LIST (\\Noselect) \"/\" \"\"\r\n",
        );
        let mut child = list(vec![HasNoChildren], Some('/'), "foo");
        child.extended = vec![ListExtItem::ChildInfo(vec!["SUBSCRIBED".into()])];
        assert_wire(
            &Response::List(child),
            REV1,
            b"* LIST (\\HasNoChildren) \"/\" foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
        );
        let mut renamed = list(vec![], Some('/'), "INBOX");
        renamed.extended = vec![ListExtItem::OldName("inbox".into())];
        assert_wire(
            &Response::List(renamed),
            REV1,
            b"* LIST () \"/\" INBOX (\"OLDNAME\" (inbox))\r\n",
        );
        let special = list(vec![Marked, Drafts, HasNoChildren], Some('/'), "MyDrafts");
        assert_wire(
            &Response::List(special),
            REV1,
            b"* LIST (\\Marked \\Drafts \\HasNoChildren) \"/\" MyDrafts\r\n",
        );
        let sent = list(vec![NonExistent, Sent], Some('/'), "Sent Mail");
        assert_wire(
            &Response::List(sent),
            REV1,
            b"* LIST (\\NonExistent \\Sent) \"/\" \"Sent Mail\"\r\n",
        );
    }

    #[test]
    fn every_attribute_name() {
        let all = vec![
            NoInferiors,
            NoSelect,
            Marked,
            Unmarked,
            NonExistent,
            Subscribed,
            Remote,
            HasChildren,
            HasNoChildren,
            All,
            Archive,
            Drafts,
            Flagged,
            Junk,
            Sent,
            Trash,
            Extension("X".into()),
        ];
        assert_wire(
            &Response::List(list(all, None, "a")),
            REV1,
            b"* LIST (\\Noinferiors \\Noselect \\Marked \\Unmarked \\NonExistent \\Subscribed \
\\Remote \\HasChildren \\HasNoChildren \\All \\Archive \\Drafts \\Flagged \\Junk \\Sent \\Trash \
\\X) NIL a\r\n",
        );
    }

    #[test]
    fn lsub_never_writes_extended_items() {
        let mut l = list(vec![], Some('.'), "#news.comp.mail.misc");
        l.extended = vec![ListExtItem::OldName("x".into())];
        assert_wire(
            &Response::Lsub(l),
            REV1,
            b"* LSUB () \".\" #news.comp.mail.misc\r\n",
        );
    }

    #[test]
    fn hostile_values() {
        assert_wire(
            &Response::List(list(vec![], Some('"'), "a")),
            REV1,
            b"* LIST () \"\\\"\" a\r\n",
        );
        assert_wire(
            &Response::List(list(vec![], Some('\\'), "a")),
            REV1,
            b"* LIST () \"\\\\\" a\r\n",
        );
        assert_wire(
            &Response::List(list(vec![], Some('\n'), "a")),
            REV1,
            b"* LIST () NIL a\r\n",
        );
        assert_wire(
            &Response::List(list(vec![], Some('/'), "NIL")),
            REV1,
            b"* LIST () \"/\" NIL\r\n",
        );
        assert_wire(
            &Response::List(list(vec![], Some('/'), "a\r\nb")),
            REV1,
            b"* LIST () \"/\" {4}\r\na\r\nb\r\n",
        );
        assert_wire(
            &Response::List(list(vec![], Some('/'), "Ärger")),
            UTF8,
            "* LIST () \"/\" \"Ärger\"\r\n".as_bytes(),
        );
        let mut l = list(vec![Extension("x y)".into())], Some('/'), "a");
        l.extended = vec![
            ListExtItem::ChildInfo(vec!["SUB\"SCRIBED".into()]),
            ListExtItem::OldName("old \"name\"".into()),
        ];
        assert_wire(
            &Response::List(l),
            REV1,
            b"* LIST (\\x_y_) \"/\" a (\"CHILDINFO\" (\"SUB_SCRIBED\") \
\"OLDNAME\" (\"old \\\"name\\\"\"))\r\n",
        );
    }
}
