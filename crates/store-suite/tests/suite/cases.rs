//! The cases of the conformance suite. Each takes a fresh store and tells one story.

pub use crate::crash::{
    failed_append_leaves_no_dangling_body, kill_9_during_appends_loses_nothing_acknowledged,
    sweep_never_breaks_a_racing_append,
};
use crate::harness::Guard;
use std::collections::HashSet;
use std::sync::Arc;
use store::*;

pub type Store = Arc<dyn MailStore>;

/// A message whose body address is derived from `n` (the metadata store never reads bodies).
pub fn msg(n: u64, size: u64) -> NewMessage {
    let mut sha256 = [0u8; 32];
    sha256[..8].copy_from_slice(&n.to_be_bytes());
    NewMessage {
        blob: BlobRef { sha256 },
        size,
        internal_date: 1_700_000_000 + n as i64,
        internal_zone: 0,
        flags: Flags::default(),
        facts: format!("facts of {n}").into_bytes(),
        put_started_ms: store::now_ms(),
    }
}

pub async fn account(s: &Store, address: &str) -> (AccountId, MailboxId) {
    let a = s
        .create_account(address, "$argon2id$test")
        .await
        .expect("create account");
    let inbox = s.mailbox(a, "inbox").await.expect("INBOX exists");
    (a, inbox.id)
}

fn uids(states: &[MessageState]) -> Vec<u32> {
    states.iter().map(|m| m.uid).collect()
}

/// 16 tasks × 200 appends into one mailbox: UIDs are unique and gap-free, and in commit order
/// (the append that commits later has both the larger UID and the larger MODSEQ); every task
/// sees its own UIDs ascending; the snapshot holds exactly what was acknowledged.
pub async fn concurrent_appends_get_ascending_uids_and_modseqs(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "alice@example.org").await;
    let tasks: Vec<_> = (0..16u64)
        .map(|t| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                for i in 0..200u64 {
                    let r = s
                        .append(a, inbox, vec![msg(t * 1000 + i, 100)])
                        .await
                        .expect("append");
                    assert_eq!(r.uids.len(), 1);
                    got.push((r.uids[0], r.modseq));
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        let got = t.await.expect("task");
        assert!(
            got.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1),
            "per-task order"
        );
        all.extend(got);
    }
    all.sort();
    let expected: Vec<u32> = (1..=3200).collect();
    assert_eq!(
        all.iter().map(|p| p.0).collect::<Vec<_>>(),
        expected,
        "unique, gap-free UIDs"
    );
    assert!(
        all.windows(2).all(|w| w[0].1 < w[1].1),
        "MODSEQ ascends with UID: commit order"
    );
    let snap = s.snapshot(a, inbox).await.unwrap();
    assert_eq!(uids(&snap.messages), expected);
    assert_eq!(snap.mailbox.uid_next, 3201);
    assert_eq!(snap.mailbox.highest_modseq, all.last().unwrap().1);
    assert_eq!(s.quota(a).await.unwrap().messages, 3200);
}

/// MULTIAPPEND is all or nothing: over quota, none of the batch is stored.
pub async fn multiappend_is_atomic(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "bob@example.org").await;
    s.set_quota(
        "bob@example.org",
        QuotaLimits {
            storage: None,
            messages: Some(3),
        },
    )
    .await
    .unwrap();
    let r = s
        .append(a, inbox, vec![msg(1, 10), msg(2, 10)])
        .await
        .unwrap();
    assert_eq!(r.uids, vec![1, 2]);
    let err = s
        .append(a, inbox, vec![msg(3, 10), msg(4, 10)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::OverQuota), "{err:?}");
    let st = s.status(a, inbox).await.unwrap();
    assert_eq!(
        (st.messages, st.uid_next),
        (2, 3),
        "nothing of the failed batch is visible"
    );
    let r = s.append(a, inbox, vec![msg(5, 10)]).await.unwrap();
    assert_eq!(r.uids, vec![3], "the failed batch used no UIDs");
}

/// changes-since reports exactly the appends, flag changes and expunges after a MODSEQ.
pub async fn changes_since_reports_exactly_what_happened(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "carol@example.org").await;
    let first = s
        .append(a, inbox, (1..=5).map(|n| msg(n, 10)).collect())
        .await
        .unwrap();
    let m0 = first.modseq;
    let seen = Flags::new(Flags::SEEN, []);
    let del = Flags::new(Flags::DELETED, []);
    let up = |uids: Vec<u32>, flags: &Flags| FlagUpdate {
        uids,
        op: FlagOp::Add,
        flags: flags.clone(),
        unchanged_since: None,
    };
    let r = s
        .store_flags(a, inbox, up(vec![2, 4], &seen))
        .await
        .unwrap();
    assert_eq!(uids(&r.updated), vec![2, 4]);
    assert!(
        r.updated
            .iter()
            .all(|m| m.modseq > m0 && m.flags.has(Flags::SEEN))
    );
    s.store_flags(a, inbox, up(vec![3], &del)).await.unwrap();
    let x = s.expunge(a, inbox, None).await.unwrap();
    assert_eq!(x.uids, vec![3]);
    let last = s.append(a, inbox, vec![msg(6, 10)]).await.unwrap();
    let ch = s.changes_since(a, inbox, m0).await.unwrap();
    assert_eq!(uids(&ch.changed), vec![2, 4, 6]);
    assert_eq!(ch.expunged, vec![3]);
    assert_eq!(ch.highest_modseq, last.modseq);
    assert_eq!(ch.uid_next, 7);
    let none = s.changes_since(a, inbox, last.modseq).await.unwrap();
    assert!(none.changed.is_empty() && none.expunged.is_empty());
    let everything = s.changes_since(a, inbox, 0).await.unwrap();
    assert_eq!(uids(&everything.changed), vec![1, 2, 4, 5, 6]);
    // A STORE that changes nothing takes no MODSEQ.
    let again = s.store_flags(a, inbox, up(vec![2], &seen)).await.unwrap();
    assert!(again.updated.is_empty());
    assert_eq!(
        s.status(a, inbox).await.unwrap().highest_modseq,
        last.modseq
    );
    // UID EXPUNGE only touches the UIDs it names.
    s.store_flags(a, inbox, up(vec![1, 2], &del)).await.unwrap();
    let x = s.expunge(a, inbox, Some(&[2, 99])).await.unwrap();
    assert_eq!(x.uids, vec![2]);
    let snap = s.snapshot(a, inbox).await.unwrap();
    assert_eq!(uids(&snap.messages), vec![1, 4, 5, 6]);
}

/// STORE with UNCHANGEDSINCE changes only messages not modified since, and reports the rest.
pub async fn store_flags_honours_unchanged_since(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "dave@example.org").await;
    let r = s
        .append(a, inbox, (1..=3).map(|n| msg(n, 10)).collect())
        .await
        .unwrap();
    let flagged = Flags::new(Flags::FLAGGED, ["$Important".to_string()]);
    let up = |uids: Vec<u32>, op, unchanged_since| FlagUpdate {
        uids,
        op,
        flags: flagged.clone(),
        unchanged_since,
    };
    let first = s
        .store_flags(a, inbox, up(vec![2], FlagOp::Add, None))
        .await
        .unwrap();
    let res = s
        .store_flags(a, inbox, up(vec![1, 2, 3], FlagOp::Replace, Some(r.modseq)))
        .await
        .unwrap();
    assert_eq!(res.modified, vec![2]);
    assert_eq!(uids(&res.updated), vec![1, 3]);
    assert!(
        res.updated[0].flags.has_keyword("$important"),
        "keywords compare caselessly"
    );
    let snap = s.snapshot(a, inbox).await.unwrap();
    assert_eq!(
        snap.messages[1].modseq, first.updated[0].modseq,
        "message 2 untouched"
    );
    let removed = s
        .store_flags(a, inbox, up(vec![1], FlagOp::Remove, None))
        .await
        .unwrap();
    assert_eq!(removed.updated[0].flags, Flags::default());
}

/// Quota usage is exact after append, copy, move, expunge and mailbox deletion.
pub async fn quota_stays_exact_across_copy_move_expunge(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "erin@example.org").await;
    let work = s.create_mailbox(a, "Work", None).await.unwrap().id;
    s.append(a, inbox, vec![msg(1, 100), msg(2, 200), msg(3, 300)])
        .await
        .unwrap();
    let q = |s: Store| async move {
        let u = s.quota(a).await.unwrap();
        (u.storage, u.messages)
    };
    assert_eq!(q(s.clone()).await, (600, 3));
    let c = s.copy(a, inbox, &[1, 2], work).await.unwrap();
    assert_eq!(c.pairs, vec![(1, 1), (2, 2)]);
    assert_eq!(q(s.clone()).await, (900, 5), "a copy counts again");
    let (mv, gone) = s.move_messages(a, inbox, &[3], work).await.unwrap();
    assert_eq!((mv.pairs, gone.uids), (vec![(3, 3)], vec![3]));
    assert_eq!(q(s.clone()).await, (900, 5), "a move changes nothing");
    let del = Flags::new(Flags::DELETED, []);
    s.store_flags(
        a,
        work,
        FlagUpdate {
            uids: vec![1],
            op: FlagOp::Add,
            flags: del,
            unchanged_since: None,
        },
    )
    .await
    .unwrap();
    s.expunge(a, work, None).await.unwrap();
    assert_eq!(q(s.clone()).await, (800, 4));
    s.delete_mailbox(a, "Work").await.unwrap();
    assert_eq!(q(s.clone()).await, (300, 2));
    // A limit: a copy that would exceed it fails and changes nothing.
    s.set_quota(
        "erin@example.org",
        QuotaLimits {
            storage: Some(500),
            messages: None,
        },
    )
    .await
    .unwrap();
    let trash = s.mailbox(a, "Trash").await.unwrap().id;
    let err = s.copy(a, inbox, &[1, 2], trash).await.unwrap_err();
    assert!(matches!(err, StoreError::OverQuota));
    assert_eq!(q(s.clone()).await, (300, 2));
    assert_eq!(s.status(a, trash).await.unwrap().messages, 0);
    // A move is allowed at the limit: it does not grow usage.
    s.move_messages(a, inbox, &[1, 2], trash).await.unwrap();
    assert_eq!(s.status(a, trash).await.unwrap().messages, 2);
}

/// No call made for account A reads or changes account B's data.
pub async fn accounts_are_isolated(s: Store, _: &Guard) {
    let (a, a_inbox) = account(&s, "a@one.example").await;
    let (b, b_inbox) = account(&s, "b@two.example").await;
    s.append(b, b_inbox, vec![msg(1, 10), msg(2, 10)])
        .await
        .unwrap();
    let before = s.snapshot(b, b_inbox).await.unwrap();
    let nf =
        |r: Result<(), StoreError>| assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    nf(s.snapshot(a, b_inbox).await.map(drop));
    nf(s.status(a, b_inbox).await.map(drop));
    nf(s.changes_since(a, b_inbox, 0).await.map(drop));
    nf(s.fetch(a, b_inbox, &[1, 2]).await.map(drop));
    // Every read shape: a dense range, scattered UIDs, UIDs that do not exist, none at all.
    nf(s.fetch_meta(a, b_inbox, &[1, 2]).await.map(drop));
    nf(s.fetch_meta(a, b_inbox, &[1, 2000]).await.map(drop));
    nf(s.fetch_meta(a, b_inbox, &[7, 8]).await.map(drop));
    nf(s.fetch_meta(a, b_inbox, &[]).await.map(drop));
    nf(s.uid_blobs(a, b_inbox, 0).await.map(drop));
    nf(s.uid_blobs(a, b_inbox, 100).await.map(drop));
    nf(s.changes_since(a, b_inbox, u64::MAX).await.map(drop));
    // The owner's empty answers are answers, not errors.
    assert!(s.fetch_meta(b, b_inbox, &[7, 8]).await.unwrap().is_empty());
    assert!(s.uid_blobs(b, b_inbox, 100).await.unwrap().is_empty());
    assert!(s.fetch_meta(b, b_inbox, &[]).await.unwrap().is_empty());
    nf(s.append(a, b_inbox, vec![msg(9, 10)]).await.map(drop));
    let del = Flags::new(Flags::DELETED, []);
    let up = FlagUpdate {
        uids: vec![1, 2],
        op: FlagOp::Add,
        flags: del,
        unchanged_since: None,
    };
    nf(s.store_flags(a, b_inbox, up).await.map(drop));
    nf(s.expunge(a, b_inbox, None).await.map(drop));
    nf(s.copy(a, b_inbox, &[1], a_inbox).await.map(drop));
    nf(s.copy(a, a_inbox, &[1], b_inbox).await.map(drop));
    nf(s.move_messages(a, b_inbox, &[1], a_inbox).await.map(drop));
    nf(s.claim_recent(a, b_inbox).await.map(drop));
    assert_eq!(s.snapshot(b, b_inbox).await.unwrap(), before, "B unchanged");
    assert_eq!(
        s.status(b, b_inbox).await.unwrap().recent,
        2,
        "B's recent not claimed"
    );
    let a_names: Vec<String> = s
        .list_mailboxes(a)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        a_names,
        ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"]
    );
    assert!(
        s.list_mailboxes(a)
            .await
            .unwrap()
            .iter()
            .all(|m| m.id != b_inbox)
    );
    assert_eq!(s.quota(a).await.unwrap().messages, 0);
    assert_eq!(s.quota(b).await.unwrap().messages, 2);
    let doms: Vec<String> = s
        .list_domains()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(doms, ["one.example", "two.example"]);
    let in_one = s.list_accounts(Some("one.example")).await.unwrap();
    assert_eq!(in_one.len(), 1);
    assert_eq!(in_one[0].address, "a@one.example");
}

/// Creating, renaming (with children), deleting and subscribing; UIDVALIDITY never repeats.
pub async fn mailbox_tree_rename_delete_subscribe(s: Store, _: &Guard) {
    let (a, _) = account(&s, "frank@example.org").await;
    let specials: Vec<(String, Option<SpecialUse>)> = s
        .list_mailboxes(a)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.special_use))
        .collect();
    assert!(specials.contains(&("Sent".into(), Some(SpecialUse::Sent))));
    assert!(specials.contains(&("Junk".into(), Some(SpecialUse::Junk))));
    let p = s.create_mailbox(a, "Projects", None).await.unwrap();
    s.create_mailbox(a, "Projects/Strata", None).await.unwrap();
    assert!(matches!(
        s.create_mailbox(a, "Projects", None).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert!(matches!(
        s.delete_mailbox(a, "Projects").await,
        Err(StoreError::HasChildren)
    ));
    assert!(matches!(
        s.delete_mailbox(a, "INBOX").await,
        Err(StoreError::Cannot(_))
    ));
    assert!(matches!(
        s.create_mailbox(a, "bad//name", None).await,
        Err(StoreError::Cannot(_))
    ));
    s.rename_mailbox(a, "Projects", "Work/Old").await.unwrap();
    let names: Vec<String> = s
        .list_mailboxes(a)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert!(names.contains(&"Work/Old".to_string()) && names.contains(&"Work/Old/Strata".into()));
    assert!(!names.iter().any(|n| n.starts_with("Projects")));
    let renamed = s.mailbox(a, "Work/Old").await.unwrap();
    assert_eq!(
        (renamed.id, renamed.uid_validity),
        (p.id, p.uid_validity),
        "same mailbox"
    );
    let again = s.create_mailbox(a, "Projects", None).await.unwrap();
    assert_ne!(
        again.uid_validity, p.uid_validity,
        "a reused name gets a new UIDVALIDITY"
    );
    s.set_subscribed(a, "Nowhere/Yet", true).await.unwrap();
    s.set_subscribed(a, "Sent", false).await.unwrap();
    let subs = s.subscriptions(a).await.unwrap();
    assert!(subs.contains(&"Nowhere/Yet".to_string()) && !subs.contains(&"Sent".to_string()));
    s.delete_mailbox(a, "Work/Old/Strata").await.unwrap();
    assert!(matches!(
        s.mailbox(a, "Work/Old/Strata").await,
        Err(StoreError::NotFound(_))
    ));
}

/// RENAME INBOX moves its messages to the new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
pub async fn inbox_rename_moves_messages(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "gina@example.org").await;
    s.append(a, inbox, vec![msg(1, 10), msg(2, 10)])
        .await
        .unwrap();
    s.rename_mailbox(a, "INBOX", "Old Mail").await.unwrap();
    assert_eq!(s.status(a, inbox).await.unwrap().messages, 0);
    let old = s.mailbox(a, "Old Mail").await.unwrap();
    assert_eq!(s.status(a, old.id).await.unwrap().messages, 2);
    let ch = s.changes_since(a, inbox, 0).await.unwrap();
    assert_eq!(ch.expunged, vec![1, 2]);
    assert_eq!(s.quota(a).await.unwrap().messages, 2);
}

/// Two RENAMEs of overlapping parts of a tree at once (`a` → `b` and `a/x` → `c`) end as if
/// one ran after the other: either both succeed and the child is `c` (child first), or the
/// parent's wins and the child's finds nothing to rename (parent first) — never both
/// acknowledged with the child's rename lost under the parent's.
pub async fn concurrent_renames_serialize(s: Store, _: &Guard) {
    let (acc, _) = account(&s, "ron@example.org").await;
    for round in 0..20 {
        let (a, b, c) = (
            format!("a{round}"),
            format!("b{round}"),
            format!("c{round}"),
        );
        let child = format!("{a}/x");
        s.create_mailbox(acc, &a, None).await.unwrap();
        s.create_mailbox(acc, &child, None).await.unwrap();
        let (s1, s2) = (s.clone(), s.clone());
        let (a1, b1, child2, c2) = (a.clone(), b.clone(), child.clone(), c.clone());
        let parent = tokio::spawn(async move { s1.rename_mailbox(acc, &a1, &b1).await });
        let kid = tokio::spawn(async move { s2.rename_mailbox(acc, &child2, &c2).await });
        let (parent, kid) = (parent.await.unwrap(), kid.await.unwrap());
        let names: HashSet<String> = s
            .list_mailboxes(acc)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .filter(|n| n.ends_with(&round.to_string()) || n.contains(&format!("{round}/")))
            .collect();
        assert!(
            parent.is_ok(),
            "round {round}: the parent's rename: {parent:?}"
        );
        match kid {
            Ok(()) => assert_eq!(
                names,
                HashSet::from([b.clone(), c.clone()]),
                "round {round}: both acknowledged, so the child went first"
            ),
            Err(StoreError::NotFound(_)) => assert_eq!(
                names,
                HashSet::from([b.clone(), format!("{b}/x")]),
                "round {round}: the parent went first"
            ),
            Err(e) => panic!("round {round}: the child's rename: {e:?}"),
        }
    }
}

/// `\Recent` (IMAP4rev1) is claimed by exactly one session.
pub async fn recent_is_claimed_once(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "hal@example.org").await;
    s.append(a, inbox, vec![msg(1, 10), msg(2, 10)])
        .await
        .unwrap();
    assert_eq!(s.status(a, inbox).await.unwrap().recent, 2);
    assert_eq!(s.claim_recent(a, inbox).await.unwrap(), 1..3);
    assert_eq!(s.status(a, inbox).await.unwrap().recent, 0);
    assert_eq!(
        s.claim_recent(a, inbox).await.unwrap(),
        3..3,
        "nothing recent for the next one"
    );
    s.append(a, inbox, vec![msg(3, 10)]).await.unwrap();
    assert_eq!(s.status(a, inbox).await.unwrap().recent, 1);
    assert_eq!(s.claim_recent(a, inbox).await.unwrap(), 3..4, "the new one");
    assert_eq!(s.claim_recent(a, inbox).await.unwrap(), 4..4);
    assert_eq!(s.status(a, inbox).await.unwrap().recent, 0);
    // Sessions that all see new mail claim at once: every new UID goes to exactly one.
    s.append(a, inbox, vec![msg(4, 10), msg(5, 10)])
        .await
        .unwrap();
    let mut claims = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let s = s.clone();
        claims.spawn(async move { s.claim_recent(a, inbox).await.unwrap() });
    }
    let mut owned: Vec<u32> = claims.join_all().await.into_iter().flatten().collect();
    owned.sort_unstable();
    assert_eq!(owned, vec![4, 5], "each new UID claimed once");
    // Another account's mailbox is refused on either path.
    let (b, _) = account(&s, "ida@example.org").await;
    assert!(matches!(
        s.claim_recent(b, inbox).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Every committed change is published with the mailbox's new HIGHESTMODSEQ.
pub async fn change_feed_publishes_commits(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "ivy@example.org").await;
    let mut feed = s.subscribe();
    let r = s.append(a, inbox, vec![msg(1, 10)]).await.unwrap();
    let ev = tokio::time::timeout(std::time::Duration::from_secs(5), feed.recv())
        .await
        .expect("event within 5 s")
        .unwrap();
    assert_eq!(
        ev,
        ChangeEvent {
            account: a,
            mailbox: inbox,
            modseq: r.modseq
        }
    );
    let seen = Flags::new(Flags::SEEN, []);
    let f = s
        .store_flags(
            a,
            inbox,
            FlagUpdate {
                uids: vec![1],
                op: FlagOp::Add,
                flags: seen,
                unchanged_since: None,
            },
        )
        .await
        .unwrap();
    let ev = feed.recv().await.unwrap();
    assert_eq!(ev.modseq, f.updated[0].modseq);
    let ids: HashSet<_> = [ev.mailbox].into_iter().collect();
    assert!(ids.contains(&inbox));
}

/// The SCRAM verifier is stored with the account and forgotten when the password changes (it
/// belonged to the old password); the lookup is case-insensitive; unknown accounts are NotFound.
pub async fn credentials_keep_password_and_scram_together(s: Store, _: &Guard) {
    account(&s, "carol@example.org").await;
    let creds = |s: Store| async move {
        s.credentials("Carol@Example.org")
            .await
            .unwrap()
            .expect("carol exists")
    };
    assert_eq!(creds(s.clone()).await.scram_sha256, None);
    s.set_scram(
        "carol@example.org",
        Some("SCRAM-SHA-256$4096:c2FsdA==$AA==:AA=="),
    )
    .await
    .unwrap();
    let c = creds(s.clone()).await;
    assert_eq!(c.password_hash, "$argon2id$test");
    assert_eq!(
        c.scram_sha256.as_deref(),
        Some("SCRAM-SHA-256$4096:c2FsdA==$AA==:AA==")
    );
    s.set_password("carol@example.org", "$argon2id$new")
        .await
        .unwrap();
    let c = creds(s.clone()).await;
    assert_eq!(
        (c.password_hash.as_str(), c.scram_sha256),
        ("$argon2id$new", None)
    );
    assert!(matches!(
        s.set_scram("nobody@example.org", None).await,
        Err(store::StoreError::NotFound(_))
    ));
}

/// `fetch_meta` returns what `fetch` returns, minus the facts.
pub async fn fetch_meta_is_fetch_without_facts(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "dave@example.org").await;
    s.append(a, inbox, (1..=5).map(|n| msg(n, 100 + n)).collect())
        .await
        .unwrap();
    let full = s.fetch(a, inbox, &[2, 3, 5, 9]).await.unwrap();
    let meta = s.fetch_meta(a, inbox, &[2, 3, 5, 9]).await.unwrap();
    assert_eq!(full.len(), 3);
    assert!(full.iter().all(|r| !r.facts.is_empty()));
    let stripped: Vec<_> = full
        .into_iter()
        .map(|mut r| {
            r.facts.clear();
            r
        })
        .collect();
    assert_eq!(meta, stripped);
}

/// A message expunged (or moved away) stays readable by FETCH for the sessions not told yet,
/// dense and scattered, with its facts; its body stays referenced for the sweep. Once the keep
/// time has passed (aged here in the database) FETCH skips it, the sweep may take its body, and
/// the mailbox's next expunge deletes the kept row. Nothing else sees kept rows.
pub async fn expunged_messages_stay_readable_for_a_while(s: Store, guard: &Guard) {
    let (a, inbox) = account(&s, "kept@example.org").await;
    let (b, _) = account(&s, "other@example.org").await;
    let archive = s.create_mailbox(a, "Projects", None).await.unwrap().id;
    s.append(a, inbox, (1..=6).map(|n| msg(n, 100 + n)).collect())
        .await
        .unwrap();
    let before = s.fetch(a, inbox, &[1, 2, 3, 4, 5, 6]).await.unwrap();
    let deleted = FlagUpdate {
        uids: vec![2, 5],
        op: FlagOp::Add,
        flags: Flags::new(Flags::DELETED, []),
        unchanged_since: None,
    };
    s.store_flags(a, inbox, deleted).await.unwrap();
    assert_eq!(s.expunge(a, inbox, None).await.unwrap().uids, vec![2, 5]);
    s.move_messages(a, inbox, &[6], archive).await.unwrap();
    // Gone from the mailbox ...
    let snap = s.snapshot(a, inbox).await.unwrap();
    assert_eq!(uids(&snap.messages), vec![1, 3, 4]);
    assert_eq!(s.status(a, inbox).await.unwrap().messages, 3);
    // ... but FETCH still returns them, as they were when expunged (flags included).
    let dense = s.fetch(a, inbox, &[1, 2, 3, 4, 5, 6]).await.unwrap();
    assert_eq!(
        dense.iter().map(|r| r.state.uid).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    for (r, old) in dense.iter().zip(&before) {
        assert_eq!(
            (&r.blob, r.size, &r.facts),
            (&old.blob, old.size, &old.facts)
        );
    }
    assert!(dense[1].state.flags.has(Flags::DELETED));
    let scattered = s.fetch_meta(a, inbox, &[2, 700, 1200]).await.unwrap();
    assert_eq!(scattered.len(), 1);
    assert_eq!((scattered[0].state.uid, scattered[0].size), (2, 102));
    assert!(scattered[0].facts.is_empty());
    // Not through another account.
    assert!(s.fetch(b, inbox, &[2]).await.is_err());
    // The bodies stay referenced.
    let bodies: Vec<BlobRef> = [2, 5, 6].iter().map(|&n| msg(n, 0).blob).collect();
    assert_eq!(s.sweep_mark(&bodies).await.unwrap().len(), 3);
    // Past the keep time.
    guard
        .execute(&format!(
            "UPDATE kept_expunged SET expunged_at = expunged_at - {}",
            store::rules::expunge::KEEP_EXPUNGED_MS
        ))
        .await;
    let after = s.fetch(a, inbox, &[1, 2, 3, 4, 5, 6]).await.unwrap();
    assert_eq!(
        after.iter().map(|r| r.state.uid).collect::<Vec<_>>(),
        vec![1, 3, 4]
    );
    assert!(s.fetch_meta(a, inbox, &[2, 700]).await.unwrap().is_empty());
    // Body 6 lives on in Archive; 2 and 5 may go.
    let live = s.sweep_mark(&bodies).await.unwrap();
    assert_eq!(live, vec![msg(6, 0).blob]);
    s.store_flags(
        a,
        inbox,
        FlagUpdate {
            uids: vec![1],
            op: FlagOp::Add,
            flags: Flags::new(Flags::DELETED, []),
            unchanged_since: None,
        },
    )
    .await
    .unwrap();
    s.expunge(a, inbox, None).await.unwrap();
    guard
        .execute(&format!(
            "UPDATE kept_expunged SET expunged_at = expunged_at + {}",
            store::rules::expunge::KEEP_EXPUNGED_MS
        ))
        .await;
    let back = s.fetch(a, inbox, &[1, 2, 5, 6]).await.unwrap();
    assert_eq!(
        back.iter().map(|r| r.state.uid).collect::<Vec<_>>(),
        vec![1],
        "the expired rows were deleted by the expunge of 1"
    );
}

/// Scattered UIDs (SEARCH's index candidates) are fetched by key, across the chunk size, and
/// give what a dense fetch gives; `uid_blobs` maps every UID above a point to its body, and
/// refuses another account's mailbox.
pub async fn scattered_fetch_and_uid_blobs(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "erin@example.org").await;
    let (b, _) = account(&s, "frank@example.org").await;
    for chunk in (1..=1300u32).collect::<Vec<_>>().chunks(100) {
        s.append(
            a,
            inbox,
            chunk
                .iter()
                .map(|&n| msg(n.into(), 1000 + u64::from(n)))
                .collect(),
        )
        .await
        .unwrap();
    }
    let add = |uids: Vec<u32>, bit| FlagUpdate {
        uids,
        op: FlagOp::Add,
        flags: Flags::new(bit, []),
        unchanged_since: None,
    };
    s.store_flags(a, inbox, add(vec![7, 700], Flags::SEEN))
        .await
        .unwrap();
    // Every 3rd UID, plus some past the end: sparse (more than one chunk of 500).
    let mut wanted: Vec<u32> = (1..=1300).filter(|u| u % 3 == 1).collect();
    wanted.extend([1301, 5000]);
    let sparse = s.fetch_meta(a, inbox, &wanted).await.unwrap();
    let dense = s
        .fetch_meta(a, inbox, &(1..=1300).collect::<Vec<_>>())
        .await
        .unwrap();
    let expect: Vec<_> = dense
        .iter()
        .filter(|r| r.state.uid % 3 == 1)
        .cloned()
        .collect();
    assert_eq!(sparse.len(), 434);
    assert_eq!(sparse, expect);
    assert!(
        sparse
            .iter()
            .any(|r| r.state.uid == 7 && r.state.flags.has(Flags::SEEN))
    );

    let all = s.uid_blobs(a, inbox, 0).await.unwrap();
    assert_eq!(all.len(), 1300);
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    for (r, (uid, blob)) in dense.iter().zip(&all) {
        assert_eq!((r.state.uid, r.blob), (*uid, *blob));
    }
    let tail = s.uid_blobs(a, inbox, 1290).await.unwrap();
    assert_eq!(
        tail.iter().map(|t| t.0).collect::<Vec<_>>(),
        (1291..=1300).collect::<Vec<_>>()
    );
    assert!(s.uid_blobs(a, inbox, 1300).await.unwrap().is_empty());
    // UIDs expunged are gone from the map.
    s.store_flags(a, inbox, add(vec![1299], Flags::DELETED))
        .await
        .unwrap();
    s.expunge(a, inbox, None).await.unwrap();
    let tail = s.uid_blobs(a, inbox, 1290).await.unwrap();
    assert!(!tail.iter().any(|t| t.0 == 1299) && tail.len() == 9);
    assert!(matches!(
        s.uid_blobs(b, inbox, 0).await,
        Err(StoreError::NotFound(_))
    ));
}

/// A mailbox whose UIDs run out refuses the APPEND or COPY that would pass u32::MAX, and
/// changes nothing (RFC 9051 §2.3.1.1: UIDs are 32-bit); the APPEND that reaches the end of
/// the range still succeeds.
pub async fn uids_run_out_cleanly(s: Store, guard: &Guard) {
    let (a, inbox) = account(&s, "full@example.org").await;
    s.append(a, inbox, vec![msg(1, 10)]).await.unwrap();
    // Push UIDNEXT to the end of the range, as years of appends would.
    guard
        .execute(&format!(
            "UPDATE mailboxes SET uid_next = {} WHERE id = {}",
            i64::from(u32::MAX) - 1,
            inbox.0
        ))
        .await;
    let r = s.append(a, inbox, vec![msg(2, 10)]).await.unwrap();
    assert_eq!(r.uids, vec![u32::MAX - 1]);
    let before = s.status(a, inbox).await.unwrap();
    let quota = s.quota(a).await.unwrap();
    assert_eq!(before.uid_next, u32::MAX);
    for batch in [vec![msg(3, 10)], vec![msg(4, 10), msg(5, 10)]] {
        let err = s.append(a, inbox, batch).await.unwrap_err();
        assert!(matches!(err, StoreError::Cannot(_)), "{err:?}");
    }
    let err = s.copy(a, inbox, &[1], inbox).await.unwrap_err();
    assert!(matches!(err, StoreError::Cannot(_)), "{err:?}");
    assert_eq!(s.status(a, inbox).await.unwrap(), before, "nothing changed");
    assert_eq!(s.quota(a).await.unwrap(), quota, "no quota charged");
    assert_eq!(s.snapshot(a, inbox).await.unwrap().messages.len(), 2);
}

/// A mailbox defines at most `MAX_MAILBOX_KEYWORDS` keywords (compared case-insensitively):
/// STORE, APPEND, COPY and MOVE that would define one more are refused with `Limit` and change
/// nothing; keywords it has are still taken; once no message carries some of them any more,
/// new ones fit again. Another mailbox has its own count.
pub async fn keywords_per_mailbox_are_limited(s: Store, _: &Guard) {
    use store::rules::flags::MAX_MAILBOX_KEYWORDS as MAX;
    let (a, inbox) = account(&s, "labels@example.org").await;
    let other = s.create_mailbox(a, "Other", None).await.unwrap().id;
    s.append(a, inbox, (1..=2).map(|n| msg(n, 10)).collect())
        .await
        .unwrap();
    let set = |uids: Vec<u32>, op: FlagOp, keywords: Vec<String>| FlagUpdate {
        uids,
        op,
        flags: Flags::new(0, keywords),
        unchanged_since: None,
    };
    let labels = |r: std::ops::Range<usize>| r.map(|i| format!("$L{i}")).collect::<Vec<_>>();
    // Message 1 takes all but one place, message 2 the last one.
    s.store_flags(a, inbox, set(vec![1], FlagOp::Add, labels(0..MAX - 1)))
        .await
        .unwrap();
    s.store_flags(a, inbox, set(vec![2], FlagOp::Add, labels(MAX - 1..MAX)))
        .await
        .unwrap();
    let before = s.snapshot(a, inbox).await.unwrap();
    // One more is refused, by STORE and by APPEND, and nothing changes.
    let r = s
        .store_flags(a, inbox, set(vec![2], FlagOp::Add, vec!["$New".into()]))
        .await;
    assert!(matches!(r, Err(StoreError::Limit(_))), "{r:?}");
    let mut m = msg(3, 10);
    m.flags = Flags::new(0, ["$New".to_string()]);
    let r = s.append(a, inbox, vec![m.clone()]).await;
    assert!(matches!(r, Err(StoreError::Limit(_))), "{r:?}");
    assert_eq!(s.snapshot(a, inbox).await.unwrap(), before);
    // Known keywords, in any case, are still taken.
    s.store_flags(
        a,
        inbox,
        set(vec![2], FlagOp::Add, vec!["$l0".into(), "$L7".into()]),
    )
    .await
    .unwrap();
    // Another mailbox counts its own: with $New, copying message 1 there (MAX - 1 keywords)
    // fills it, and message 2 (its $L255 is new there) fits neither by COPY nor by MOVE.
    s.append(a, other, vec![m]).await.unwrap();
    s.copy(a, inbox, &[1], other).await.unwrap();
    let r = s.copy(a, inbox, &[2], other).await;
    assert!(matches!(r, Err(StoreError::Limit(_))), "{r:?}");
    let r = s.move_messages(a, inbox, &[2], other).await;
    assert!(matches!(r, Err(StoreError::Limit(_))), "{r:?}");
    assert_eq!(s.status(a, other).await.unwrap().messages, 2);
    assert_eq!(s.status(a, inbox).await.unwrap().messages, 2);
    // Message 1 drops its keywords: the mailbox has room again.
    s.store_flags(a, inbox, set(vec![1], FlagOp::Replace, vec![]))
        .await
        .unwrap();
    s.store_flags(a, inbox, set(vec![2], FlagOp::Add, vec!["$New".into()]))
        .await
        .unwrap();
}
