//! Search results: SEARCH (RFC 3501 §7.2.5), ESEARCH (RFC 9051 §7.3.4, RFC 4731), SORT and
//! THREAD (RFC 5256 §4), with the CONDSTORE additions of RFC 7162 §3.1.5.
//!
//! ```text
//! mailbox-data     =/ "SEARCH" [1*(SP nz-number) SP search-sort-mod-seq]
//! sort-data        = "SORT" [1*(SP nz-number) SP search-sort-mod-seq]
//! search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")"
//! esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
//! thread-data      = "THREAD" [SP 1*thread-list]
//! thread-list      = "(" (thread-members / thread-nested) ")"
//! thread-members   = nz-number *(SP nz-number) [SP thread-nested]
//! thread-nested    = 2*thread-list
//! ```

use super::sp_list;
use crate::types::{SequenceSet, Tag};
use crate::write::Writer;

/// The data of a SEARCH or SORT response: matching numbers in order, and the highest
/// mod-sequence among them when the search used MODSEQ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResponse {
    /// Sequence numbers or UIDs (for SORT, in sorted order).
    pub ids: Vec<u32>,
    /// `(MODSEQ n)`; written only when `ids` is non-empty, as the grammar requires.
    pub mod_seq: Option<u64>,
}

impl SearchResponse {
    pub(super) fn write(&self, w: &mut Writer, name: &[u8]) {
        w.raw(name);
        for id in &self.ids {
            w.sp().num(*id as u64);
        }
        if let Some(m) = self.mod_seq.filter(|_| !self.ids.is_empty()) {
            w.raw(b" (MODSEQ ").num(m).raw(b")");
        }
    }
}

/// The data of an ESEARCH response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ESearchResponse {
    /// The tag of the command this answers: `(TAG "a1")`. Always written as a quoted string, as
    /// in every RFC example, which RFC 9051's `tag-string = astring` and older parsers accept.
    pub tag: Option<Tag>,
    /// `UID`: the numbers are UIDs.
    pub uid: bool,
    /// Return data, written in this order.
    pub items: Vec<ESearchItem>,
}

/// One ESEARCH return data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ESearchItem {
    /// `MIN n`
    Min(u32),
    /// `MAX n`
    Max(u32),
    /// `ALL set`. `$` is not allowed here (RFC 9051 `search-return-data`), so a
    /// [`SequenceSet::Saved`] item is skipped.
    All(SequenceSet),
    /// `COUNT n`
    Count(u32),
    /// `MODSEQ n` (RFC 7162 §3.1.5; RFC 4731 §3.2)
    ModSeq(u64),
    /// `RELEVANCY (score …)`: one score (1–100) per matching message, in result order
    /// (RFC 6203).
    Relevancy(Vec<u8>),
}

impl ESearchResponse {
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"ESEARCH");
        if let Some(tag) = &self.tag {
            w.raw(b" (TAG ").quoted(tag.as_str().as_bytes()).raw(b")");
        }
        if self.uid {
            w.raw(b" UID");
        }
        for item in &self.items {
            match item {
                ESearchItem::Min(n) => {
                    w.raw(b" MIN ").num(*n as u64);
                }
                ESearchItem::Max(n) => {
                    w.raw(b" MAX ").num(*n as u64);
                }
                ESearchItem::All(SequenceSet::Saved) => {}
                ESearchItem::All(set) => {
                    w.raw(b" ALL ").seq_set(set);
                }
                ESearchItem::Count(n) => {
                    w.raw(b" COUNT ").num(*n as u64);
                }
                ESearchItem::ModSeq(n) => {
                    w.raw(b" MODSEQ ").num(*n);
                }
                ESearchItem::Relevancy(scores) => {
                    w.raw(b" RELEVANCY (");
                    sp_list(w, scores, |w, s| {
                        w.num(*s as u64);
                    });
                    w.raw(b")");
                }
            }
        }
    }
}

/// A node of a THREAD response tree.
///
/// A node without a message is a placeholder for a missing parent (REFERENCES algorithm); its
/// children are siblings of each other. Placeholders below a real message are promoted away and
/// empty placeholders are dropped, so every tree has a valid wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// Sequence number or UID; `None` for a placeholder.
    pub message: Option<u32>,
    /// Replies, in order.
    pub children: Vec<Thread>,
}

impl Thread {
    /// A message with no replies.
    pub fn leaf(message: u32) -> Thread {
        Thread {
            message: Some(message),
            children: Vec::new(),
        }
    }

    /// A message with replies.
    pub fn new(message: u32, children: Vec<Thread>) -> Thread {
        Thread {
            message: Some(message),
            children,
        }
    }

    /// A placeholder parent of `children`.
    pub fn dummy(children: Vec<Thread>) -> Thread {
        Thread {
            message: None,
            children,
        }
    }

    /// The children with placeholders replaced by their own children, in order.
    fn effective_children(&self) -> Vec<&Thread> {
        let mut out = Vec::new();
        let mut stack: Vec<&Thread> = self.children.iter().rev().collect();
        while let Some(c) = stack.pop() {
            if c.message.is_some() {
                out.push(c);
            } else {
                stack.extend(c.children.iter().rev());
            }
        }
        out
    }

    /// True if the tree holds a message.
    fn has_message(&self) -> bool {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            if n.message.is_some() {
                return true;
            }
            stack.extend(&n.children);
        }
        false
    }
}

/// Dropping a tree takes it apart with a stack: a long chain of replies nests as deep as it is
/// long, and the recursive drop of the fields would overflow the stack (a hostile mailbox
/// could otherwise abort the server, invariant 6).
impl Drop for Thread {
    fn drop(&mut self) {
        let mut stack = std::mem::take(&mut self.children);
        while let Some(mut t) = stack.pop() {
            stack.append(&mut t.children);
        }
    }
}

/// `THREAD (…)(…)` (RFC 5256 §4), placeholders flattened, written with an explicit stack for
/// the same reason as [`Thread`]'s drop: a chain of single replies is one loop, and each
/// branching level is a stack entry rather than a recursive call.
pub(super) fn thread(w: &mut Writer, threads: &[Thread]) {
    /// Pending output: a thread-list to write, or the `)` closing one.
    enum Step<'t> {
        Open(&'t Thread),
        Close,
    }
    w.raw(b"THREAD");
    let mut stack: Vec<Step<'_>> = threads
        .iter()
        .rev()
        .filter(|t| t.has_message())
        .map(Step::Open)
        .collect();
    if !stack.is_empty() {
        w.sp();
    }
    while let Some(step) = stack.pop() {
        let Step::Open(top) = step else {
            w.raw(b")");
            continue;
        };
        // thread-members: a chain of single replies, then the nested lists if it splits.
        w.raw(b"(");
        let mut node = top;
        let mut first = true;
        loop {
            if let Some(n) = node.message {
                if !first {
                    w.sp();
                }
                w.num(u64::from(n));
                first = false;
            }
            match node.effective_children().as_slice() {
                [] => {
                    w.raw(b")");
                    break;
                }
                [only] => node = only,
                many => {
                    if !first {
                        w.sp();
                    }
                    stack.push(Step::Close);
                    stack.extend(many.iter().rev().map(|k| Step::Open(k)));
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Response, assert_wire};
    use crate::types::SeqRange;
    use crate::write::WriteOptions;
    use ESearchItem::*;

    const REV1: WriteOptions = WriteOptions::SERVER_REV1;

    fn search(ids: &[u32], mod_seq: Option<u64>) -> SearchResponse {
        SearchResponse {
            ids: ids.to_vec(),
            mod_seq,
        }
    }

    fn esearch(tag: Option<&str>, uid: bool, items: Vec<ESearchItem>) -> Response {
        Response::ESearch(ESearchResponse {
            tag: tag.map(|t| Tag::new(t).unwrap()),
            uid,
            items,
        })
    }

    fn set(ranges: &[(u32, u32)]) -> SequenceSet {
        SequenceSet::Ranges(ranges.iter().map(|&(a, b)| SeqRange::new(a, b)).collect())
    }

    #[test]
    fn search_and_sort() {
        assert_wire(
            &Response::Search(search(&[2, 84, 882], None)),
            REV1,
            b"* SEARCH 2 84 882\r\n",
        );
        assert_wire(&Response::Search(search(&[], None)), REV1, b"* SEARCH\r\n");
        assert_wire(
            &Response::Search(search(&[], Some(5))),
            REV1,
            b"* SEARCH\r\n",
        );
        assert_wire(
            &Response::Sort(search(&[5, 3, 4, 1, 2], None)),
            REV1,
            b"* SORT 5 3 4 1 2\r\n",
        );
        assert_wire(&Response::Sort(search(&[], None)), REV1, b"* SORT\r\n");
        assert_wire(
            &Response::Search(search(
                &[2, 5, 6, 7, 11, 12, 18, 19, 20, 23],
                Some(917162500),
            )),
            REV1,
            b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
        );
        assert_wire(
            &Response::Sort(search(&[2, 3, 6], Some(7))),
            REV1,
            b"* SORT 2 3 6 (MODSEQ 7)\r\n",
        );
    }

    #[test]
    fn esearch_rfc_examples() {
        assert_wire(
            &esearch(Some("A282"), false, vec![Min(2), Count(3)]),
            REV1,
            b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
        );
        assert_wire(
            &esearch(Some("A283"), false, vec![All(set(&[(2, 2), (10, 11)]))]),
            REV1,
            b"* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n",
        );
        assert_wire(
            &esearch(Some("A284"), false, vec![]),
            REV1,
            b"* ESEARCH (TAG \"A284\")\r\n",
        );
        assert_wire(
            &esearch(Some("A285"), true, vec![Min(7), Max(3800)]),
            REV1,
            b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n",
        );
        assert_wire(
            &esearch(
                Some("a567"),
                true,
                vec![Count(17), All(set(&[(4, 18), (21, 21), (28, 28)]))],
            ),
            REV1,
            b"* ESEARCH (TAG \"a567\") UID COUNT 17 ALL 4:18,21,28\r\n",
        );
        assert_wire(
            &esearch(
                None,
                true,
                vec![Count(17), All(set(&[(4, 18), (21, 21), (28, 28)]))],
            ),
            REV1,
            b"* ESEARCH UID COUNT 17 ALL 4:18,21,28\r\n",
        );
        assert_wire(
            &esearch(
                Some("a4"),
                false,
                vec![Min(2), Count(10), ModSeq(917162500)],
            ),
            REV1,
            b"* ESEARCH (TAG \"a4\") MIN 2 COUNT 10 MODSEQ 917162500\r\n",
        );
        assert_wire(
            &esearch(
                Some("t"),
                false,
                vec![All(set(&[(1, 3)])), Relevancy(vec![4, 99, 42])],
            ),
            REV1,
            b"* ESEARCH (TAG \"t\") ALL 1:3 RELEVANCY (4 99 42)\r\n",
        );
    }

    #[test]
    fn esearch_never_writes_saved_set() {
        let r = esearch(Some("a]"), false, vec![All(SequenceSet::Saved), Count(0)]);
        assert_wire(&r, REV1, b"* ESEARCH (TAG \"a]\") COUNT 0\r\n");
    }

    #[test]
    fn thread_rfc_examples() {
        let t = vec![
            Thread::leaf(2),
            Thread::new(
                3,
                vec![Thread::new(
                    6,
                    vec![
                        Thread::new(4, vec![Thread::leaf(23)]),
                        Thread::new(44, vec![Thread::new(7, vec![Thread::leaf(96)])]),
                    ],
                )],
            ),
        ];
        assert_wire(
            &Response::Thread(t),
            REV1,
            b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
        );
        let siblings = vec![Thread::dummy(vec![Thread::leaf(3), Thread::leaf(5)])];
        assert_wire(&Response::Thread(siblings), REV1, b"* THREAD ((3)(5))\r\n");
        let flat: Vec<Thread> = [166, 167, 168].into_iter().map(Thread::leaf).collect();
        assert_wire(
            &Response::Thread(flat),
            REV1,
            b"* THREAD (166)(167)(168)\r\n",
        );
        assert_wire(&Response::Thread(vec![]), REV1, b"* THREAD\r\n");
    }

    #[test]
    fn thread_placeholders_are_normalised() {
        let lone = vec![Thread::dummy(vec![Thread::new(3, vec![Thread::leaf(4)])])];
        assert_wire(&Response::Thread(lone), REV1, b"* THREAD (3 4)\r\n");
        let empty = vec![
            Thread::dummy(vec![]),
            Thread::leaf(1),
            Thread::dummy(vec![Thread::dummy(vec![])]),
        ];
        assert_wire(&Response::Thread(empty), REV1, b"* THREAD (1)\r\n");
        let inner = vec![Thread::new(
            1,
            vec![Thread::dummy(vec![Thread::leaf(2), Thread::leaf(3)])],
        )];
        assert_wire(&Response::Thread(inner), REV1, b"* THREAD (1 (2)(3))\r\n");
        let chain = vec![Thread::new(1, vec![Thread::dummy(vec![Thread::leaf(2)])])];
        assert_wire(&Response::Thread(chain), REV1, b"* THREAD (1 2)\r\n");
    }

    /// A tree that branches at every one of 200 000 levels (a reply and a side reply to each
    /// message) is written and dropped without recursion.
    #[test]
    fn deep_branching_is_written_iteratively() {
        let depth = 200_000u32;
        let mut node = Thread::leaf(1);
        for k in 0..depth {
            node = Thread::new(k + 2, vec![Thread::leaf(depth + 2 + k), node]);
        }
        let run = move || {
            let wire = Response::Thread(vec![node]).to_bytes(WriteOptions::SERVER_REV1);
            String::from_utf8(wire).unwrap()
        };
        // The 2 MiB of a tokio worker thread.
        let out = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
        assert!(out.starts_with(&format!("* THREAD ({} (", depth + 1)));
        assert!(out.trim_end().ends_with(&format!(
            "(2 ({})(1){})",
            depth + 2,
            ")".repeat(depth as usize - 1)
        )));
    }
}
