//! LIST (RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154
//! SPECIAL-USE) and LSUB (RFC 3501 §6.3.9).

use crate::context::AuthCtx;
use crate::mailbox_data::{DELIM, has_child, special_attr, status_response, tree};
use crate::reply::{Outcome, Reply};
use imap_proto::Mailbox;
use imap_proto::command::{ListCommand, ListReturn, ListSelect};
use imap_proto::response::{ListExtItem, ListResponse, MailboxAttr, Response};
use std::collections::{BTreeMap, BTreeSet};

/// `*` matches anything, `%` anything but the delimiter (RFC 9051 §6.3.9). Dynamic programming
/// over characters, so hostile patterns cost at most |pattern| × |name| steps.
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // row[j]: pattern[..i] matches name[..j]
    let mut row = vec![false; n.len() + 1];
    row[0] = true;
    for &pc in &p {
        let mut next = vec![false; n.len() + 1];
        match pc {
            '*' | '%' => {
                for j in 0..=n.len() {
                    next[j] = row[j] || (j > 0 && next[j - 1] && (pc == '*' || n[j - 1] != DELIM));
                }
            }
            c => {
                for j in 1..=n.len() {
                    next[j] = row[j - 1] && n[j - 1] == c;
                }
            }
        }
        row = next;
    }
    row[n.len()]
}

/// Most patterns one LIST may carry (RFC 5258 allows a list): each is matched against every
/// mailbox name.
const MAX_PATTERNS: usize = 100;

/// A pattern as matched: runs of wildcards collapsed (`**`, `%*` are `*`; `%%` is `%`), which
/// match the same names; `None` for a pattern with more plain characters than the longest
/// mailbox name has (1024), which matches nothing. So a pattern costs at most about
/// 2 × 1024 steps per character of a name, whatever the client sent (issue 18).
fn compile(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len().min(4096));
    let mut plain = 0;
    for c in pattern.chars() {
        match (c, out.chars().last()) {
            ('*' | '%', Some('*')) => {}
            ('*', Some('%')) => {
                out.pop();
                out.push('*');
            }
            ('%', Some('%')) => {}
            ('*' | '%', _) => out.push(c),
            (c, _) => {
                plain += c.len_utf8();
                if plain > 1024 {
                    return None;
                }
                out.push(c);
            }
        }
    }
    Some(out)
}

/// Pattern match with INBOX's case-insensitivity (RFC 9051 §5.1).
fn matches(pattern: &str, name: &str) -> bool {
    if wildcard_match(pattern, name) {
        return true;
    }
    let inbox = name == "INBOX" || name.starts_with("INBOX/");
    inbox
        && pattern.len() >= 5
        && pattern.is_char_boundary(5)
        && pattern[..5].eq_ignore_ascii_case("INBOX")
        && wildcard_match(&format!("INBOX{}", &pattern[5..]), name)
}

/// INBOX first, then by name.
fn order(a: &str, b: &str) -> std::cmp::Ordering {
    (a != "INBOX", a).cmp(&(b != "INBOX", b))
}

/// LIST, basic or extended.
pub(crate) async fn list(s: &mut AuthCtx<'_>, cmd: ListCommand) -> Outcome {
    let account = s.account();
    // A reference or pattern that is not valid modified UTF-7 matches no mailbox.
    let Ok(reference) = s.name_in(&cmd.reference) else {
        return Ok(Reply::ok("LIST completed"));
    };
    let patterns: Vec<String> = cmd
        .patterns
        .iter()
        .filter_map(|p| s.name_in(&Mailbox::new(p.clone())).ok())
        .collect();
    if patterns.is_empty() && !cmd.patterns.is_empty() {
        return Ok(Reply::ok("LIST completed"));
    }
    // LIST ref "": the hierarchy delimiter and the root of the reference: its first level
    // with the delimiter, or "" (RFC 9051 §6.3.9, e.g. `#news.comp.mail.misc ""` → `#news.`).
    if patterns.iter().all(String::is_empty) && cmd.selection.is_empty() {
        let root = reference
            .find(DELIM)
            .map(|i| &reference[..=i])
            .unwrap_or("");
        let mailbox = s.name_out(root);
        s.send(&Response::List(ListResponse {
            attributes: vec![MailboxAttr::NoSelect],
            delimiter: Some(DELIM),
            mailbox,
            extended: vec![],
        }));
        return Ok(Reply::ok("LIST completed"));
    }
    if patterns.len() > MAX_PATTERNS {
        return Err(crate::reply::CommandError::no_code(
            imap_proto::response::Code::Limit,
            format!("at most {MAX_PATTERNS} patterns in one LIST"),
        ));
    }
    let full: Vec<String> = patterns
        .iter()
        .filter_map(|p| compile(&format!("{reference}{p}")))
        .collect();
    let mailboxes = s.store().list_mailboxes(account).await?;
    let subs: BTreeSet<String> = s
        .store()
        .subscriptions(account)
        .await?
        .into_iter()
        .collect();
    let t = tree(&mailboxes);
    let sel_subscribed = cmd.selection.contains(&ListSelect::Subscribed);
    let sel_special = cmd.selection.contains(&ListSelect::SpecialUse);
    let recursive = cmd.selection.contains(&ListSelect::RecursiveMatch);
    let ret_subscribed = sel_subscribed || cmd.ret.contains(&ListReturn::Subscribed);
    let status_items = cmd.ret.iter().find_map(|r| match r {
        ListReturn::Status(items) => Some(items.clone()),
        _ => None,
    });
    let rev2 = s.enabled.rev2;
    // Candidates: the tree, plus subscribed names that no longer exist and, for RECURSIVEMATCH,
    // their parents (which may not exist either: RFC 5258 §5 example 8 A2).
    let mut names: Vec<String> = t.keys().cloned().collect();
    names.extend(subs.iter().filter(|n| !t.contains_key(*n)).cloned());
    if recursive {
        for sub in &subs {
            names.extend(sub.match_indices(DELIM).map(|(i, _)| sub[..i].to_string()));
        }
    }
    names.sort_by(|a, b| order(a, b));
    names.dedup();
    let matched = |name: &str| full.iter().any(|p| matches(p, name));
    let mut out = Vec::new();
    for name in names {
        if !matched(&name) {
            continue;
        }
        let info = t.get(&name).copied().flatten();
        let subscribed = subs.contains(&name);
        let prefix = format!("{name}{DELIM}");
        let mut subscribed_below = subs
            .range(prefix.clone()..)
            .take_while(|x| x.starts_with(&prefix));
        let mut extended = Vec::new();
        // RECURSIVEMATCH (RFC 5258 §3.5): CHILDINFO on every listed mailbox with a subscribed
        // descendant, whether or not the patterns match that descendant (§5 example 9, "eps2").
        let child_info = recursive && subscribed_below.clone().next().is_some();
        if sel_subscribed && !subscribed {
            // A mailbox that is not subscribed is listed only for a subscribed descendant the
            // patterns do not match (§3 rule 2 B): with "*2", "baz2" whose subscribed children
            // all match is not (§5 example 9; its "*" listing contradicts that rule, and
            // Dovecot's own suite follows the rule).
            if !(recursive && subscribed_below.any(|x| !matched(x))) {
                continue;
            }
        }
        if child_info {
            extended.push(ListExtItem::ChildInfo(vec!["SUBSCRIBED".into()]));
        }
        if sel_special && info.and_then(|i| i.special_use).is_none() {
            continue;
        }
        let mut attrs = Vec::new();
        match info {
            None if rev2 || sel_subscribed || !cmd.selection.is_empty() => {
                attrs.push(MailboxAttr::NonExistent)
            }
            None => attrs.push(MailboxAttr::NoSelect),
            Some(_) => {}
        }
        attrs.push(if has_child(&t, &name) {
            MailboxAttr::HasChildren
        } else {
            MailboxAttr::HasNoChildren
        });
        if let Some(u) = info.and_then(|i| i.special_use) {
            attrs.push(special_attr(u));
        }
        if ret_subscribed && subscribed {
            attrs.push(MailboxAttr::Subscribed);
        }
        out.push((
            name,
            info.is_some(),
            ListResponse {
                attributes: attrs,
                delimiter: Some(DELIM),
                mailbox: Mailbox::new(""),
                extended,
            },
        ));
    }
    for (name, exists, mut resp) in out {
        resp.mailbox = s.name_out(&name);
        let wire = resp.mailbox.clone();
        s.send(&Response::List(resp));
        if let (Some(items), true) = (&status_items, exists) {
            match status_response(s.shared, account, &name, wire, items).await {
                Ok(r) => s.send(&r),
                Err(e) => tracing::debug!(mailbox = %name, error = %e, "LIST-STATUS skipped"),
            }
        }
    }
    Ok(Reply::ok("LIST completed"))
}

/// LSUB (IMAP4rev1): subscribed names matching the pattern; a parent that is not subscribed
/// but has subscribed children matched by `%` is listed as `\Noselect` (RFC 3501 §6.3.9).
pub(crate) async fn lsub(s: &mut AuthCtx<'_>, reference: &Mailbox, pattern: &str) -> Outcome {
    let account = s.account();
    let (Ok(reference), Ok(pattern)) = (s.name_in(reference), s.name_in(&Mailbox::new(pattern)))
    else {
        return Ok(Reply::ok("LSUB completed"));
    };
    let Some(full) = compile(&format!("{reference}{pattern}")) else {
        return Ok(Reply::ok("LSUB completed"));
    };
    let subs = s.store().subscriptions(account).await?;
    let mut found: BTreeMap<String, bool> = BTreeMap::new();
    for name in &subs {
        if matches(&full, name) {
            found.insert(name.clone(), true);
        }
        let mut at = 0;
        while let Some(i) = name[at..].find(DELIM) {
            let parent = &name[..at + i];
            if matches(&full, parent) && !subs.iter().any(|x| x == parent) {
                found.entry(parent.to_string()).or_insert(false);
            }
            at += i + 1;
        }
    }
    let mut names: Vec<(String, bool)> = found.into_iter().collect();
    names.sort_by(|a, b| order(&a.0, &b.0));
    for (name, subscribed) in names {
        let attributes = if subscribed {
            vec![]
        } else {
            vec![MailboxAttr::NoSelect]
        };
        let mailbox = s.name_out(&name);
        s.send(&Response::Lsub(ListResponse {
            attributes,
            delimiter: Some(DELIM),
            mailbox,
            extended: vec![],
        }));
    }
    Ok(Reply::ok("LSUB completed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_rfc_9051() {
        assert!(wildcard_match("*", "a/b/c"));
        assert!(wildcard_match("%", "abc") && !wildcard_match("%", "a/b"));
        assert!(wildcard_match("a/%", "a/b") && !wildcard_match("a/%", "a/b/c"));
        assert!(wildcard_match("a*c", "a/b/c") && !wildcard_match("a%c", "a/b/c"));
        assert!(wildcard_match("", "") && !wildcard_match("", "a"));
        assert!(matches("inbox", "INBOX") && matches("Inbox/%", "INBOX/x"));
        assert!(!matches("inbox", "Inbox2"));
        // Hostile: many stars against a long name stays polynomial.
        let p = "*a".repeat(200);
        assert!(!wildcard_match(&p, &"b".repeat(1000)));
    }

    /// Collapsing wildcard runs changes no match; a pattern with more plain characters than a
    /// name can hold matches nothing (and is dropped before matching).
    #[test]
    fn compiled_patterns_match_the_same_names() {
        let names = ["", "a", "a/b", "a/b/c", "ab/c", "abc", "INBOX/x", "x%y"];
        let patterns = [
            "*", "%", "**", "%*", "*%", "%%", "%%/%", "a%%*c", "a*%*c", "%/%", "*/*", "a**", "%%%",
            "a%*%/c",
        ];
        for p in patterns {
            let c = compile(p).unwrap();
            assert!(
                !c.contains("**") && !c.contains("%%") && !c.contains("%*"),
                "{c}"
            );
            for n in names {
                assert_eq!(wildcard_match(p, n), wildcard_match(&c, n), "{p} vs {n}");
            }
        }
        assert_eq!(compile(&"*".repeat(60_000)).as_deref(), Some("*"));
        assert_eq!(compile(&"a".repeat(1025)), None);
        assert!(compile(&format!("{}*", "é".repeat(512))).is_some());
    }
}
