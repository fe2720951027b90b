//! Round-trip properties: a command serialized by [`imap_proto::encode`] and parsed back by
//! [`imap_proto::parse_command`] is the command we started from.
//!
//! The generators produce only values the grammar can carry and the parser normalises to
//! themselves: tags are tag characters, atoms are atoms (upper-case where the parser upper-cases),
//! numbers stay in their grammar ranges, `INBOX` in any case is written as `INBOX`, string values
//! never hold NUL (a `literal` cannot carry it; only `literal8` APPEND data may), `*` and `$`
//! appear only where a sequence set allows them. Every property runs under the IMAP4rev1 client
//! rules (7-bit quoted strings, synchronizing literals) and under UTF-8 with LITERAL+.

use bytes::Bytes;
use imap_proto::command::{
    AppendKind, AppendMessage, Command, CommandBody, EntryType, FetchAttr, FetchItems,
    FetchModifiers, InitialResponse, ListCommand, ListReturn, ListSelect, QResync, SearchKey,
    SearchReturn, Section, SectionText, SelectParams, SortCriterion, SortKey, StoreAction,
    ThreadAlgorithm,
};
use imap_proto::encode::to_bytes;
use imap_proto::types::{
    Date, DateTime, Flag, IString, Mailbox, SeqNum, SeqRange, SequenceSet, StatusItem, Tag,
    is_atom_char, is_tag_char,
};
use imap_proto::write::WriteOptions;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::Config;

const REV1: WriteOptions = WriteOptions {
    utf8: false,
    non_sync_literals: false,
};
const UTF8_PLUS: WriteOptions = WriteOptions {
    utf8: true,
    non_sync_literals: true,
};

/// `cases` per property, no regression files written into the source tree.
fn config(cases: u32) -> Config {
    Config {
        failure_persistence: None,
        ..Config::with_cases(cases)
    }
}

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

const I64_MAX: u64 = i64::MAX as u64;

/// `number64`: 0..=2^63-1, edges favoured.
fn number64() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0), Just(I64_MAX), 0..=I64_MAX, 0..1000u64]
}

/// `nz-number64` / `mod-sequence-value`: 1..=2^63-1.
fn nz_number64() -> impl Strategy<Value = u64> {
    prop_oneof![Just(1), Just(I64_MAX), 1..=I64_MAX, 1..1000u64]
}

/// `nz-number`: 1..=2^32-1.
fn nz_number() -> impl Strategy<Value = u32> {
    prop_oneof![Just(1), Just(u32::MAX), 1..=u32::MAX, 1..100u32]
}

fn chars_where(f: fn(u8) -> bool) -> Vec<char> {
    (0x21u8..=0x7e).filter(|&b| f(b)).map(char::from).collect()
}

fn string_of(chars: Vec<char>, len: std::ops::RangeInclusive<usize>) -> BoxedStrategy<String> {
    prop::collection::vec(prop::sample::select(chars), len)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

fn tag() -> impl Strategy<Value = Tag> {
    string_of(chars_where(is_tag_char), 1..=10).prop_map(|s| Tag::new(s).unwrap())
}

/// Any atom, case kept (flag keywords).
fn atom() -> BoxedStrategy<String> {
    prop_oneof![
        3 => string_of(chars_where(is_atom_char), 1..=12),
        1 => prop::sample::select(vec!["$Forwarded", "$MDNSent", "NonJunk", "NIL"])
            .prop_map(str::to_string),
    ]
    .boxed()
}

/// An atom the parser keeps as is after upper-casing (mechanisms, ENABLE names, charsets…).
fn upper_atom() -> BoxedStrategy<String> {
    string_of(
        chars_where(|b| is_atom_char(b) && !b.is_ascii_lowercase()),
        1..=12,
    )
}

/// An upper-case atom, or one of the names that matter on the wire.
fn upper_atom_or(names: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        upper_atom(),
        prop::sample::select(names).prop_map(str::to_string)
    ]
    .boxed()
}

fn charset() -> BoxedStrategy<String> {
    upper_atom_or(&["UTF-8", "US-ASCII", "ISO-8859-1", "NIL"])
}

/// Octets a `string` can carry (no NUL), biased towards the ones that force quoting or literals.
fn istring_bytes(max: usize) -> BoxedStrategy<Vec<u8>> {
    let octet = prop_oneof![
        4 => 0x20u8..=0x7e,
        2 => prop::sample::select(b" \"\\\r\n(){}%*]+~\t".to_vec()),
        1 => 0x01u8..=0xff,
    ];
    let unicode = "[^\\x00]{0,12}".prop_map(String::into_bytes);
    prop_oneof![
        6 => prop::collection::vec(octet, 0..=max),
        3 => unicode,
        1 => string_of(chars_where(|b| b != b'\\'), 1..=8).prop_map(String::into_bytes),
        1 => Just(b"NIL".to_vec()),
    ]
    .boxed()
}

fn istring() -> BoxedStrategy<IString> {
    prop_oneof![
        50 => istring_bytes(24),
        // Longer than a quoted string may be, so it must become a literal.
        1 => prop::collection::vec(0x20u8..=0x7e, 1020..=1030),
    ]
    .prop_map(Bytes::from)
    .boxed()
}

/// Names that matter: INBOX in three cases, a space, quoted-specials, 8-bit.
const MAILBOX_NAMES: [&str; 6] = [
    "INBOX",
    "inbox",
    "InBoX",
    "Sent Items",
    "a\"b\\c",
    "Grüße/日本",
];

/// UTF-8 text without NUL (header field names, mailbox names, patterns).
fn text(wildcards: bool) -> BoxedStrategy<String> {
    let ascii: Vec<char> = (0x01u8..=0x7e)
        .map(char::from)
        .filter(|&c| wildcards || (c != '%' && c != '*'))
        .collect();
    let pattern = if wildcards {
        "[^\\x00]{0,10}"
    } else {
        "[^\\x00%*]{0,10}"
    };
    prop_oneof![
        3 => string_of(ascii, 0..=12),
        2 => pattern,
        1 => prop::sample::select(MAILBOX_NAMES.to_vec()).prop_map(str::to_string),
    ]
    .boxed()
}

/// A mailbox name: UTF-8, spaces, quotes, controls; no wildcards. Case variants of INBOX
/// become `INBOX` through [`Mailbox::new`], as the parser does.
fn mailbox() -> BoxedStrategy<Mailbox> {
    text(false).prop_map(Mailbox::new).boxed()
}

fn date() -> impl Strategy<Value = Date> {
    (1u16..=9999, 1u8..=12, 1u8..=31).prop_filter_map("no such day", |(y, m, d)| Date::new(y, m, d))
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..=23, 0u8..=59, 0u8..=60, -5999i16..=5999)
        .prop_map(|(d, h, m, s, z)| DateTime::new(d, h, m, s, z).unwrap())
}

fn seq_num(star: bool) -> BoxedStrategy<SeqNum> {
    if star {
        prop_oneof![4 => nz_number().prop_map(SeqNum::Value), 1 => Just(SeqNum::Star)].boxed()
    } else {
        nz_number().prop_map(SeqNum::Value).boxed()
    }
}

fn seq_range(star: bool) -> BoxedStrategy<SeqRange> {
    prop_oneof![
        seq_num(star).prop_map(|n| SeqRange { start: n, end: n }),
        (seq_num(star), seq_num(star)).prop_map(|(start, end)| SeqRange { start, end }),
    ]
    .boxed()
}

/// A sequence set with `*` and `$`.
fn seq_set() -> BoxedStrategy<SequenceSet> {
    prop_oneof![
        8 => prop::collection::vec(seq_range(true), 1..=5).prop_map(SequenceSet::Ranges),
        1 => Just(SequenceSet::Saved),
    ]
    .boxed()
}

/// A set of known numbers (QRESYNC): neither `*` nor `$`.
fn known_set() -> BoxedStrategy<SequenceSet> {
    prop::collection::vec(seq_range(false), 1..=4)
        .prop_map(SequenceSet::Ranges)
        .boxed()
}

fn flag() -> BoxedStrategy<Flag> {
    let system = ["seen", "answered", "flagged", "deleted", "draft", "recent"];
    prop_oneof![
        prop::sample::select(vec![
            Flag::Seen,
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Draft,
            Flag::Recent,
        ]),
        atom()
            .prop_filter("a system flag", move |s| !system
                .contains(&s.to_ascii_lowercase().as_str()))
            .prop_map(Flag::Extension),
        atom().prop_map(Flag::Keyword),
    ]
    .boxed()
}

fn flags() -> BoxedStrategy<Vec<Flag>> {
    prop::collection::vec(flag(), 0..=4).boxed()
}

fn status_items() -> BoxedStrategy<Vec<StatusItem>> {
    prop::sample::subsequence(StatusItem::ALL.to_vec(), 1..=StatusItem::ALL.len())
        .prop_shuffle()
        .boxed()
}

fn search_return() -> BoxedStrategy<Option<Vec<SearchReturn>>> {
    use SearchReturn::*;
    prop::option::of(
        prop::sample::subsequence(vec![Min, Max, All, Count, Save, Relevancy], 0..=6)
            .prop_shuffle(),
    )
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Search keys
// ---------------------------------------------------------------------------------------------

fn search_leaf() -> BoxedStrategy<SearchKey> {
    use SearchKey::*;
    let object_id = string_of(
        ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .chain(['_', '-'])
            .collect(),
        1..=20,
    );
    let entry_name = prop_oneof![
        flag().prop_map(|f| format!("/flags/{}", f.as_wire().to_ascii_lowercase())),
        Just("/flags/\\seen".to_string()),
    ]
    .prop_map(Bytes::from);
    let entry_type =
        prop::sample::select(vec![EntryType::Private, EntryType::Shared, EntryType::All]);
    Union::new(vec![
        prop::sample::select(vec![
            All,
            Answered,
            Deleted,
            Draft,
            Flagged,
            New,
            Old,
            Recent,
            Seen,
            Unanswered,
            Undeleted,
            Undraft,
            Unflagged,
            Unseen,
            SaveDateSupported,
        ])
        .boxed(),
        istring().prop_map(Bcc).boxed(),
        istring().prop_map(Body).boxed(),
        istring().prop_map(Cc).boxed(),
        istring().prop_map(From).boxed(),
        istring().prop_map(Subject).boxed(),
        istring().prop_map(Text).boxed(),
        istring().prop_map(To).boxed(),
        (text(true), istring())
            .prop_map(|(f, v)| Header(f, v))
            .boxed(),
        atom().prop_map(Keyword).boxed(),
        atom().prop_map(Unkeyword).boxed(),
        number64().prop_map(Larger).boxed(),
        number64().prop_map(Smaller).boxed(),
        date().prop_map(Before).boxed(),
        date().prop_map(On).boxed(),
        date().prop_map(Since).boxed(),
        date().prop_map(SentBefore).boxed(),
        date().prop_map(SentOn).boxed(),
        date().prop_map(SentSince).boxed(),
        date().prop_map(SavedBefore).boxed(),
        date().prop_map(SavedOn).boxed(),
        date().prop_map(SavedSince).boxed(),
        seq_set().prop_map(Uid).boxed(),
        seq_set().prop_map(SequenceSet).boxed(),
        (
            prop::option::of((entry_name, entry_type)),
            prop_oneof![Just(0), number64()],
        )
            .prop_map(|(entry, mod_seq)| ModSeq { entry, mod_seq })
            .boxed(),
        nz_number().prop_map(|n| Younger(n as u64)).boxed(),
        nz_number().prop_map(|n| Older(n as u64)).boxed(),
        object_id.clone().prop_map(EmailId).boxed(),
        object_id.prop_map(ThreadId).boxed(),
    ])
    .boxed()
}

/// Search key trees: `NOT`, `OR`, `FUZZY` and parenthesised lists, at most 4 levels deep.
fn search_key() -> BoxedStrategy<SearchKey> {
    search_leaf()
        .prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|k| SearchKey::Not(Box::new(k))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| SearchKey::Or(Box::new(a), Box::new(b))),
                prop::collection::vec(inner.clone(), 1..=3).prop_map(SearchKey::And),
                inner.prop_map(|k| SearchKey::Fuzzy(Box::new(k))),
            ]
        })
        .boxed()
}

fn search_keys() -> BoxedStrategy<Vec<SearchKey>> {
    prop::collection::vec(search_key(), 1..=3).boxed()
}

// ---------------------------------------------------------------------------------------------
// FETCH
// ---------------------------------------------------------------------------------------------

fn part() -> BoxedStrategy<Vec<u32>> {
    prop::collection::vec(nz_number(), 0..=3).boxed()
}

fn section() -> BoxedStrategy<Section> {
    let header_fields = (any::<bool>(), prop::collection::vec(text(true), 1..=3))
        .prop_map(|(not, fields)| SectionText::HeaderFields { not, fields });
    let msgtext = prop_oneof![
        Just(SectionText::Header),
        Just(SectionText::Text),
        header_fields
    ]
    .boxed();
    (
        part(),
        prop::option::of(prop_oneof![4 => msgtext, 1 => Just(SectionText::Mime)]),
    )
        .prop_map(|(part, text)| {
            // MIME only after a part number.
            let text = if part.is_empty() && text == Some(SectionText::Mime) {
                None
            } else {
                text
            };
            Section { part, text }
        })
        .boxed()
}

fn partial() -> BoxedStrategy<Option<(u64, u64)>> {
    prop::option::of((number64(), nz_number64())).boxed()
}

fn fetch_attr() -> BoxedStrategy<FetchAttr> {
    use FetchAttr::*;
    prop_oneof![
        3 => prop::sample::select(vec![
            Envelope,
            Flags,
            InternalDate,
            Rfc822Size,
            Rfc822,
            Rfc822Header,
            Rfc822Text,
            Body,
            BodyStructure,
            Uid,
            ModSeq,
            EmailId,
            ThreadId,
            SaveDate,
            Preview { lazy: false },
            Preview { lazy: true },
        ]),
        3 => (any::<bool>(), section(), partial())
            .prop_map(|(peek, section, partial)| BodySection { peek, section, partial }),
        1 => (any::<bool>(), part(), partial())
            .prop_map(|(peek, part, partial)| Binary { peek, part, partial }),
        1 => part().prop_map(|part| BinarySize { part }),
    ]
    .boxed()
}

fn fetch_items() -> BoxedStrategy<FetchItems> {
    prop_oneof![
        1 => prop::sample::select(vec![FetchItems::All, FetchItems::Fast, FetchItems::Full]),
        5 => prop::collection::vec(fetch_attr(), 1..=5).prop_map(FetchItems::Attrs),
    ]
    .boxed()
}

fn fetch() -> BoxedStrategy<CommandBody> {
    (
        any::<bool>(),
        seq_set(),
        fetch_items(),
        prop::option::of(nz_number64()),
        any::<bool>(),
    )
        .prop_map(
            |(uid, set, items, changed_since, vanished)| CommandBody::Fetch {
                uid,
                set,
                items,
                // VANISHED only in UID FETCH, and only with CHANGEDSINCE (RFC 7162 §3.2.6).
                modifiers: FetchModifiers {
                    changed_since,
                    vanished: vanished && uid && changed_since.is_some(),
                },
            },
        )
        .boxed()
}

fn store() -> BoxedStrategy<CommandBody> {
    let action = prop::sample::select(vec![
        StoreAction::Add,
        StoreAction::Remove,
        StoreAction::Replace,
    ]);
    (
        any::<bool>(),
        seq_set(),
        prop::option::of(number64()),
        action,
        any::<bool>(),
        flags(),
    )
        .prop_map(
            |(uid, set, unchanged_since, action, silent, flags)| CommandBody::Store {
                uid,
                set,
                unchanged_since,
                action,
                silent,
                flags,
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Other commands
// ---------------------------------------------------------------------------------------------

fn append() -> BoxedStrategy<CommandBody> {
    let message =
        (flags(), prop::option::of(date_time()), 0u8..3).prop_flat_map(|(flags, date, kind)| {
            let kind = [AppendKind::Literal, AppendKind::Binary, AppendKind::Utf8][kind as usize];
            // A `literal` cannot carry NUL; `literal8` (BINARY, UTF8) carries any octet.
            let data = if kind == AppendKind::Literal {
                prop::collection::vec(1u8..=255, 0..=80).boxed()
            } else {
                prop::collection::vec(any::<u8>(), 0..=80).boxed()
            };
            data.prop_map(move |data| AppendMessage {
                flags: flags.clone(),
                date,
                data: Bytes::from(data),
                kind,
            })
        });
    (mailbox(), prop::collection::vec(message, 1..=3))
        .prop_map(|(mailbox, messages)| CommandBody::Append { mailbox, messages })
        .boxed()
}

fn select_params() -> BoxedStrategy<SelectParams> {
    let qresync = (
        nz_number(),
        nz_number64(),
        prop::option::of(known_set()),
        prop::option::of((known_set(), known_set())),
    )
        .prop_map(|(uid_validity, mod_seq, known_uids, seq_match)| QResync {
            uid_validity,
            mod_seq,
            known_uids,
            seq_match,
        });
    (any::<bool>(), prop::option::of(qresync))
        .prop_map(|(condstore, qresync)| SelectParams { condstore, qresync })
        .boxed()
}

fn list() -> BoxedStrategy<CommandBody> {
    // RECURSIVEMATCH needs a base option (SUBSCRIBED) beside it (RFC 5258 list-select-opts).
    let selection = (
        prop::sample::subsequence(
            vec![
                ListSelect::Subscribed,
                ListSelect::Remote,
                ListSelect::SpecialUse,
            ],
            0..=3,
        ),
        any::<bool>(),
    )
        .prop_map(|(mut s, recursive)| {
            if recursive && s.contains(&ListSelect::Subscribed) {
                s.push(ListSelect::RecursiveMatch);
            }
            s
        })
        .prop_shuffle();
    let ret = (
        prop::sample::subsequence(
            vec![
                ListReturn::Subscribed,
                ListReturn::Children,
                ListReturn::SpecialUse,
            ],
            0..=3,
        ),
        prop::option::of(status_items()),
    )
        .prop_map(|(mut r, status)| {
            r.extend(status.map(ListReturn::Status));
            r
        })
        .prop_shuffle();
    (
        selection,
        mailbox(),
        prop::collection::vec(text(true), 1..=3),
        ret,
    )
        .prop_map(|(selection, reference, patterns, ret)| {
            CommandBody::List(ListCommand {
                selection,
                reference,
                patterns,
                ret,
            })
        })
        .boxed()
}

fn sort() -> BoxedStrategy<CommandBody> {
    let criterion = (any::<bool>(), prop::sample::select(SortKey::ALL.to_vec()))
        .prop_map(|(reverse, key)| SortCriterion { reverse, key });
    (
        any::<bool>(),
        search_return(),
        prop::collection::vec(criterion, 1..=4),
        charset(),
        search_keys(),
    )
        .prop_map(|(uid, ret, criteria, charset, keys)| CommandBody::Sort {
            uid,
            ret,
            criteria,
            charset,
            keys,
        })
        .boxed()
}

fn thread() -> BoxedStrategy<CommandBody> {
    let algorithm = prop_oneof![
        Just(ThreadAlgorithm::OrderedSubject),
        Just(ThreadAlgorithm::References),
        upper_atom()
            .prop_filter("a known algorithm", |a| a != "ORDEREDSUBJECT"
                && a != "REFERENCES")
            .prop_map(ThreadAlgorithm::Other),
    ];
    (any::<bool>(), algorithm, charset(), search_keys())
        .prop_map(|(uid, algorithm, charset, keys)| CommandBody::Thread {
            uid,
            algorithm,
            charset,
            keys,
        })
        .boxed()
}

fn search() -> BoxedStrategy<CommandBody> {
    (
        any::<bool>(),
        prop::option::of(charset()),
        search_return(),
        search_keys(),
    )
        .prop_map(|(uid, charset, ret, criteria)| CommandBody::Search {
            uid,
            charset,
            ret,
            criteria,
        })
        .boxed()
}

/// Every `CommandBody` variant, equally likely.
fn command_body() -> BoxedStrategy<CommandBody> {
    use CommandBody as C;
    let id_params = prop::option::of(prop::collection::vec(
        (istring(), prop::option::of(istring())),
        0..=4,
    ));
    let initial_response = prop::option::of(prop_oneof![
        Just(InitialResponse::Empty),
        prop::collection::vec(any::<u8>(), 1..=40).prop_map(InitialResponse::Data),
    ]);
    Union::new(vec![
        prop::sample::select(vec![
            C::Capability,
            C::Noop,
            C::Logout,
            C::StartTls,
            C::Namespace,
            C::Idle,
            C::Check,
            C::Close,
            C::Unselect,
        ])
        .boxed(),
        id_params.prop_map(C::Id).boxed(),
        (
            upper_atom_or(&["PLAIN", "SCRAM-SHA-256", "XOAUTH2"]),
            initial_response,
        )
            .prop_map(|(mechanism, initial_response)| C::Authenticate {
                mechanism,
                initial_response,
            })
            .boxed(),
        (istring(), istring())
            .prop_map(|(username, password)| C::Login { username, password })
            .boxed(),
        prop::collection::vec(
            upper_atom_or(&["CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "IMAP4REV2"]),
            1..=3,
        )
        .prop_map(C::Enable)
        .boxed(),
        (mailbox(), select_params())
            .prop_map(|(mailbox, params)| C::Select { mailbox, params })
            .boxed(),
        (mailbox(), select_params())
            .prop_map(|(mailbox, params)| C::Examine { mailbox, params })
            .boxed(),
        (mailbox(), prop::collection::vec(atom(), 0..=3))
            .prop_map(|(mailbox, special_use)| C::Create {
                mailbox,
                special_use,
            })
            .boxed(),
        mailbox().prop_map(C::Delete).boxed(),
        (mailbox(), mailbox())
            .prop_map(|(from, to)| C::Rename { from, to })
            .boxed(),
        mailbox().prop_map(C::Subscribe).boxed(),
        mailbox().prop_map(C::Unsubscribe).boxed(),
        list(),
        (mailbox(), text(true))
            .prop_map(|(reference, pattern)| C::Lsub { reference, pattern })
            .boxed(),
        (mailbox(), status_items())
            .prop_map(|(mailbox, items)| C::Status { mailbox, items })
            .boxed(),
        append(),
        upper_atom_or(&["DEFLATE"]).prop_map(C::Compress).boxed(),
        istring().prop_map(C::GetQuota).boxed(),
        mailbox().prop_map(C::GetQuotaRoot).boxed(),
        (
            istring(),
            prop::collection::vec(
                (
                    upper_atom_or(&["STORAGE", "MESSAGE", "MAILBOX", "ANNOTATION-STORAGE"]),
                    number64(),
                ),
                0..=3,
            ),
        )
            .prop_map(|(root, limits)| C::SetQuota { root, limits })
            .boxed(),
        prop::option::of(seq_set())
            .prop_map(|uids| C::Expunge { uids })
            .boxed(),
        search(),
        fetch(),
        store(),
        (any::<bool>(), seq_set(), mailbox())
            .prop_map(|(uid, set, mailbox)| C::Copy { uid, set, mailbox })
            .boxed(),
        (any::<bool>(), seq_set(), mailbox())
            .prop_map(|(uid, set, mailbox)| C::Move { uid, set, mailbox })
            .boxed(),
        sort(),
        thread(),
    ])
    .boxed()
}

fn command(body: BoxedStrategy<CommandBody>) -> impl Strategy<Value = Command> {
    (tag(), body).prop_map(|(tag, body)| Command { tag, body })
}

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

/// Encodes `cmd`, checks the continuation points, parses it back and compares.
fn round_trip(cmd: &Command, opts: WriteOptions) -> Result<(), TestCaseError> {
    let mut w = imap_proto::write::Writer::new(opts);
    imap_proto::encode::encode(cmd, &mut w);
    let bytes = w.buf;
    prop_assert_eq!(&bytes, &to_bytes(cmd, opts));
    prop_assert!(bytes.ends_with(b"\r\n"));
    if opts.non_sync_literals {
        prop_assert!(w.continuations.is_empty());
    } else {
        for &at in &w.continuations {
            prop_assert!(
                bytes[..at].ends_with(b"}\r\n"),
                "continuation at {} in {}",
                at,
                bytes.escape_ascii()
            );
        }
    }
    match imap_proto::parse_command(&bytes) {
        Ok(parsed) => prop_assert_eq!(
            &parsed,
            cmd,
            "opts {:?}, wire: {}",
            opts,
            bytes.escape_ascii()
        ),
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "parse failed: {e:?}\nopts {opts:?}, wire: {}\ncommand: {cmd:?}",
                bytes.escape_ascii()
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2500))]

    /// Every command, IMAP4rev1 rules: 7-bit quoted strings, synchronizing literals.
    #[test]
    fn every_command_round_trips_rev1(cmd in command(command_body())) {
        round_trip(&cmd, REV1)?;
    }

    /// Every command, UTF-8 quoted strings and LITERAL+.
    #[test]
    fn every_command_round_trips_utf8_literal_plus(cmd in command(command_body())) {
        round_trip(&cmd, UTF8_PLUS)?;
    }
}

proptest! {
    #![proptest_config(config(2000))]

    /// Deep search programs in SEARCH, SORT and THREAD, under both rule sets.
    #[test]
    fn search_programs_round_trip(
        cmd in command(prop_oneof![2 => search(), 1 => sort(), 1 => thread()].boxed()),
        utf8 in any::<bool>(),
    ) {
        round_trip(&cmd, if utf8 { UTF8_PLUS } else { REV1 })?;
    }

    /// FETCH attributes, sections, partials and modifiers; STORE with UNCHANGEDSINCE.
    #[test]
    fn fetch_and_store_round_trip(
        cmd in command(prop_oneof![3 => fetch(), 1 => store()].boxed()),
        utf8 in any::<bool>(),
    ) {
        round_trip(&cmd, if utf8 { UTF8_PLUS } else { REV1 })?;
    }

    /// APPEND and MULTIAPPEND with literal, literal8 and UTF8 data, flags and dates.
    #[test]
    fn append_round_trips(cmd in command(append()), utf8 in any::<bool>()) {
        round_trip(&cmd, if utf8 { UTF8_PLUS } else { REV1 })?;
    }
}
