//! THREAD's algorithms (RFC 5256 §3): ORDEREDSUBJECT and REFERENCES, step by step, over the
//! messages a search selected; pure functions, no I/O (the server reads the few headers step 5
//! needs and writes the response).
//!
//! ```text
//!  ThreadMsg { id, seq, sent date, base subject, Message-ID, references }
//!     ORDEREDSUBJECT: ordered_subject()                                   ─▶ Vec<Thread>
//!     REFERENCES:     References::build() (steps 1–4) ─▶ reply_candidates()
//!                       ─▶ (the caller: is the subject a reply? reads their header)
//!                       ─▶ finish() (steps 5–6)                          ─▶ Vec<Thread>
//! ```
//!
//! The algorithms work on an arena of nodes with explicit stacks, never by recursion, so a
//! hostile chain of a million references cannot exhaust the stack. Sent dates tie by sequence
//! number (RFC 5256 §2.2).

use imap_proto::response::Thread;
use std::collections::HashMap;

/// What threading needs of one searched message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadMsg {
    /// The number reported: sequence number, or UID for UID THREAD.
    pub id: u32,
    /// Sequence number: the tie-break of equal sent dates (RFC 5256 §2.2).
    pub seq: u32,
    /// Sent date in Unix seconds, INTERNALDATE when Date is missing or invalid (§2.2).
    pub date: i64,
    /// Base subject (§2.1), case-mapped as stored.
    pub subject: String,
    /// Normalized Message-ID ([`msg_id`]), `None` when missing or invalid.
    pub message_id: Option<String>,
    /// Normalized references ([`references`]): parent first… last is the direct parent.
    pub references: Vec<String>,
}

/// A msg-id as RFC 5256 §3 wants it compared: `<"a.b"@c>` and `<a.b@c>` are the same id
/// (quoting removed), comparisons stay case-sensitive. `None` unless it is `<left@right>`
/// with both sides non-empty (RFC 5322 §3.6.4); whitespace was already removed by mail-model.
pub fn msg_id(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('<')?.strip_suffix('>')?;
    let (left, rest) = match inner.strip_prefix('"') {
        Some(quoted) => {
            let mut left = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => left.push(chars.next()?.1),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => left.push(c),
                }
            }
            (left, &quoted[end?..])
        }
        None => {
            let at = inner.find('@')?;
            (inner[..at].to_string(), &inner[at..])
        }
    };
    let right = rest.strip_prefix('@')?;
    if left.is_empty() || right.is_empty() {
        return None;
    }
    Some(format!("{left}@{right}"))
}

/// The references of RFC 5256 §3 REFERENCES: the valid ids of References; without any, the
/// first valid id of In-Reply-To; else none.
pub fn references(fields: &mail_model::ThreadFields) -> Vec<String> {
    let refs: Vec<String> = fields.references.iter().filter_map(|r| msg_id(r)).collect();
    if !refs.is_empty() {
        return refs;
    }
    fields
        .in_reply_to
        .iter()
        .find_map(|r| msg_id(r))
        .into_iter()
        .collect()
}

/// True if RFC 5256 §2.1 base-subject extraction of the decoded `subject` removes a
/// `subj-refwd`, a `(fwd)` trailer or a `[fwd: …]` wrapper: the message is a reply or forward
/// (§3 REFERENCES).
pub fn reply_or_forward(subject: &str) -> bool {
    mail_model::base_subject_parts(subject).1
}

/// ORDEREDSUBJECT (RFC 5256 §3): sorted by base subject then sent date, one thread per base
/// subject (the empty one included), threads by the sent date of their first message; the
/// first message is the parent of all the others, which are siblings.
pub fn ordered_subject(msgs: &[ThreadMsg]) -> Vec<Thread> {
    let mut order: Vec<&ThreadMsg> = msgs.iter().collect();
    order.sort_by(|a, b| (&a.subject, a.date, a.seq).cmp(&(&b.subject, b.date, b.seq)));
    let mut threads: Vec<Vec<&ThreadMsg>> = Vec::new();
    for m in order {
        match threads.last_mut() {
            Some(t) if t[0].subject == m.subject => t.push(m),
            _ => threads.push(vec![m]),
        }
    }
    threads.sort_by_key(|t| (t[0].date, t[0].seq));
    threads
        .into_iter()
        .map(|t| Thread::new(t[0].id, t[1..].iter().map(|m| Thread::leaf(m.id)).collect()))
        .collect()
}

/// A node of the REFERENCES tree: a message, or a dummy standing for a missing one.
#[derive(Debug, Clone, Default)]
struct Node {
    /// Index into the messages; `None` for a dummy.
    msg: Option<usize>,
    /// Step 1 only works with parent links.
    parent: Option<usize>,
    /// Filled from the parent links at step 2.
    children: Vec<usize>,
}

/// The REFERENCES algorithm (RFC 5256 §3), split where step 5 needs to know which subjects
/// are replies: [`build`](Self::build) runs steps 1–4, [`finish`](Self::finish) steps 5–6.
pub struct References<'a> {
    msgs: &'a [ThreadMsg],
    nodes: Vec<Node>,
    /// Children of the root, in order.
    roots: Vec<usize>,
}

impl<'a> References<'a> {
    /// Steps 1–4 over `msgs`, which are in sequence order.
    pub fn build(msgs: &'a [ThreadMsg]) -> References<'a> {
        let mut nodes: Vec<Node> = Vec::new();
        let mut table: HashMap<&'a str, usize> = HashMap::new();
        fn fresh(nodes: &mut Vec<Node>, msg: Option<usize>) -> usize {
            nodes.push(Node {
                msg,
                ..Node::default()
            });
            nodes.len() - 1
        }
        // Children per node during step 1: a node without any cannot close a loop, which
        // keeps the usual long chain (each message naming its parent) linear.
        let mut kids: Vec<u32> = Vec::new();
        for (i, m) in msgs.iter().enumerate() {
            // 1.A: a message without a valid Message-ID, or with one an earlier (lower
            // sequence number) message has, gets a unique id: a node nobody can reference.
            let own = match m.message_id.as_deref() {
                Some(id) => match table.get(id) {
                    Some(&n) if nodes[n].msg.is_none() => {
                        nodes[n].msg = Some(i);
                        n
                    }
                    Some(_) => fresh(&mut nodes, Some(i)),
                    None => {
                        let n = fresh(&mut nodes, Some(i));
                        table.insert(id, n);
                        n
                    }
                },
                None => fresh(&mut nodes, Some(i)),
            };
            // 1.A: link the references as a chain, keeping existing parents, never a loop.
            let mut prev: Option<usize> = None;
            for r in &m.references {
                let n = match table.get(r.as_str()) {
                    Some(&n) => n,
                    None => {
                        let n = fresh(&mut nodes, None);
                        table.insert(r, n);
                        n
                    }
                };
                kids.resize(nodes.len(), 0);
                if let Some(p) = prev
                    && nodes[n].parent.is_none()
                    && !would_loop(&nodes, &kids, p, n)
                {
                    nodes[n].parent = Some(p);
                    kids[p] += 1;
                }
                prev = Some(n);
            }
            // 1.B: the last reference is the parent; the old link is broken first.
            kids.resize(nodes.len(), 0);
            if let Some(old) = nodes[own].parent.take() {
                kids[old] -= 1;
            }
            if let Some(p) = prev
                && !would_loop(&nodes, &kids, p, own)
            {
                nodes[own].parent = Some(p);
                kids[p] += 1;
            }
        }
        // 2: the root set.
        let mut roots = Vec::new();
        for n in 0..nodes.len() {
            match nodes[n].parent {
                Some(p) => nodes[p].children.push(n),
                None => roots.push(n),
            }
        }
        let mut t = References { msgs, nodes, roots };
        t.prune();
        // 4: dummies sort their children, then use the first one.
        for r in t.roots.clone() {
            if t.nodes[r].msg.is_none() {
                t.sort_children(r);
            }
        }
        let mut roots = std::mem::take(&mut t.roots);
        roots.sort_by_key(|&r| t.key(r));
        t.roots = roots;
        t
    }

    /// Step 3: dummies without children go; a dummy's children take its place, except that
    /// a dummy under the root with two or more children stays. Bottom-up, so no dummy is
    /// left below the root.
    fn prune(&mut self) {
        for n in self.post_order(&self.roots.clone()) {
            let kids = std::mem::take(&mut self.nodes[n].children);
            let mut out = Vec::with_capacity(kids.len());
            for k in kids {
                if self.nodes[k].msg.is_some() {
                    out.push(k);
                } else {
                    out.append(&mut self.nodes[k].children);
                }
            }
            self.nodes[n].children = out;
        }
        let mut roots = Vec::with_capacity(self.roots.len());
        for &r in &self.roots {
            let node = &self.nodes[r];
            match (node.msg, node.children.as_slice()) {
                (None, []) => {}
                (None, [only]) => roots.push(*only),
                _ => roots.push(r),
            }
        }
        self.roots = roots;
    }

    /// Every node of the trees under `tops`, children before their parent.
    fn post_order(&self, tops: &[usize]) -> Vec<usize> {
        let mut pre = Vec::new();
        let mut stack: Vec<usize> = tops.to_vec();
        while let Some(n) = stack.pop() {
            pre.push(n);
            stack.extend(&self.nodes[n].children);
        }
        pre.reverse();
        pre
    }

    /// The message that stands for node `n` in date sorts and subjects: itself, or a dummy's
    /// first child (dummies exist only under the root after step 3 and always have children).
    fn rep(&self, n: usize) -> Option<&'a ThreadMsg> {
        let node = &self.nodes[n];
        let m = match node.msg {
            Some(m) => m,
            None => self.nodes[*node.children.first()?].msg?,
        };
        Some(&self.msgs[m])
    }

    /// Sent date, then sequence number (RFC 5256 §2.2).
    fn key(&self, n: usize) -> (i64, u32) {
        self.rep(n).map_or((i64::MIN, 0), |m| (m.date, m.seq))
    }

    fn sort_children(&mut self, n: usize) {
        let mut kids = std::mem::take(&mut self.nodes[n].children);
        kids.sort_by_key(|&k| self.key(k));
        self.nodes[n].children = kids;
    }

    /// The thread subject of a child of the root (step 5.B.i).
    fn subject(&self, n: usize) -> &'a str {
        self.rep(n).map_or("", |m| m.subject.as_str())
    }

    /// Messages whose reply-or-forward status step 5 may look at: non-dummy children of the
    /// root whose thread subject another child of the root shares. Indices into the messages.
    pub fn reply_candidates(&self) -> Vec<usize> {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for &r in &self.roots {
            *count.entry(self.subject(r)).or_default() += 1;
        }
        self.roots
            .iter()
            .filter(|&&r| !self.subject(r).is_empty() && count[self.subject(r)] > 1)
            .filter_map(|&r| self.nodes[r].msg)
            .collect()
    }

    /// Steps 5 and 6; `is_reply(i)` says whether message `i` is a reply or forward (asked
    /// only for [`reply_candidates`](Self::reply_candidates)).
    pub fn finish(mut self, is_reply: impl Fn(usize) -> bool) -> Vec<Thread> {
        let dummy = |t: &Self, n: usize| t.nodes[n].msg.is_none();
        let reply = |t: &Self, n: usize| t.nodes[n].msg.is_some_and(&is_reply);
        // 5.A/B: one child of the root per thread subject, by position in `roots`.
        let mut table: HashMap<&'a str, usize> = HashMap::new();
        for (i, &r) in self.roots.iter().enumerate() {
            let subject = self.subject(r);
            if subject.is_empty() {
                continue;
            }
            match table.get(subject) {
                None => {
                    table.insert(subject, i);
                }
                Some(&j) => {
                    let t = self.roots[j];
                    if !dummy(&self, t)
                        && (dummy(&self, r) || (reply(&self, t) && !reply(&self, r)))
                    {
                        table.insert(subject, i);
                    }
                }
            }
        }
        // 5.C: merge threads with the same subject; merged children of the root are marked
        // gone, and a new dummy takes the place of the table's message.
        let mut gone = vec![false; self.roots.len()];
        for i in 0..self.roots.len() {
            let r = self.roots[i];
            let subject = self.subject(r);
            if gone[i] || subject.is_empty() || table[subject] == i {
                continue;
            }
            let j = table[subject];
            let t = self.roots[j];
            match (dummy(&self, t), dummy(&self, r)) {
                (true, true) => {
                    let mut kids = std::mem::take(&mut self.nodes[r].children);
                    self.nodes[t].children.append(&mut kids);
                    gone[i] = true;
                }
                (true, false) => {
                    self.nodes[t].children.push(r);
                    gone[i] = true;
                }
                (false, false) if reply(&self, r) && !reply(&self, t) => {
                    self.nodes[t].children.push(r);
                    gone[i] = true;
                }
                // Cannot happen (5.B puts a dummy in the table whenever there is one);
                // kept total: the dummy takes the message.
                (false, true) => {
                    self.nodes[r].children.push(t);
                    gone[j] = true;
                    table.insert(subject, i);
                }
                (false, false) => {
                    self.nodes.push(Node {
                        msg: None,
                        parent: None,
                        children: vec![t, r],
                    });
                    self.roots[j] = self.nodes.len() - 1;
                    gone[i] = true;
                }
            }
        }
        let roots: Vec<usize> = (self.roots.iter().zip(gone))
            .filter_map(|(&r, g)| (!g).then_some(r))
            .collect();
        // 6: every set of siblings by sent date, the deepest first, the root's last.
        for n in self.post_order(&roots) {
            self.sort_children(n);
        }
        let mut roots = roots;
        roots.sort_by_key(|&r| self.key(r));
        self.into_threads(&roots)
    }

    /// The response tree, built bottom-up without recursion.
    fn into_threads(mut self, roots: &[usize]) -> Vec<Thread> {
        let mut built: Vec<Option<Thread>> = vec![None; self.nodes.len()];
        for n in self.post_order(roots) {
            let kids = std::mem::take(&mut self.nodes[n].children);
            let children = kids.iter().filter_map(|&k| built[k].take()).collect();
            let message = self.nodes[n].msg.map(|m| self.msgs[m].id);
            built[n] = Some(Thread { message, children });
        }
        roots.iter().filter_map(|&r| built[r].take()).collect()
    }
}

/// True if making `parent` the parent of `child` would close a loop: `parent` is `child`
/// or one of its descendants (RFC 5256 §3 step 1.A). `kids` counts each node's children.
fn would_loop(nodes: &[Node], kids: &[u32], parent: usize, child: usize) -> bool {
    if parent != child && kids[child] == 0 {
        return false;
    }
    let mut n = Some(parent);
    while let Some(x) = n {
        if x == child {
            return true;
        }
        n = nodes[x].parent;
    }
    false
}

#[cfg(test)]
#[path = "thread_test.rs"]
mod tests;
