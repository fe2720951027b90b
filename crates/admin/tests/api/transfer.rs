//! Import and export: mbox and maildir round trips, and bad input refused clearly.

use bytes::Bytes;
use futures::StreamExt;
use store::prelude::*;
use store::{AccountId, Flags};
use strata_admin::codec::{MaildirReader, MaildirWriter};
use strata_admin::transfer::{export_maildir, export_mbox, import_maildir, import_mbox};
use strata_admin::{AdminClient, ClientError, LimitChange, MailItem, pb};
use tonic::Code;

use crate::util::{MAX_MESSAGE, OPERATOR, TestServer};

/// An mboxrd file as the exporter writes it: `From ` lines in bodies quoted, flags in
/// Status/X-Status/X-Keywords at the end of the header, LF line ends.
const MBOX: &str = "\
From alice@example.org Tue Nov 14 22:13:20 2023
Return-Path: <alice@example.org>
Subject: one
Status: RO
X-Status: F
X-Keywords: $Label1

>From here on
>>From there

From MAILER-DAEMON Thu Jan  1 00:00:00 1970
Subject: two

line

From MAILER-DAEMON Fri Jan  2 00:00:00 1970
Subject: three
X-Status: AD

>>>From deep
body

";

async fn account(server: &TestServer, address: &str) -> AccountId {
    server
        .store
        .credentials(address)
        .await
        .expect("store")
        .expect("account")
        .account
}

async fn count(server: &TestServer, address: &str, mailbox: &str) -> usize {
    let id = account(server, address).await;
    let mb = server.store.mailbox(id, mailbox).await.expect("mailbox");
    server
        .store
        .snapshot(id, mb.id)
        .await
        .expect("snapshot")
        .messages
        .len()
}

async fn export_all(admin: &AdminClient, address: &str, mailbox: &str) -> Vec<MailItem> {
    admin
        .export(address, mailbox)
        .await
        .expect("export")
        .map(|m| m.expect("message"))
        .collect()
        .await
}

fn mail(text: &str) -> MailItem {
    MailItem {
        data: Bytes::from(text.replace('\n', "\r\n")),
        flags: Flags::default(),
        internal_date: Some(1_000_000),
        internal_zone: 0,
    }
}

/// An mbox imported into a new nested mailbox and exported again is the same file, byte for
/// byte; the server holds CRLF messages with the flags and dates of the file.
#[tokio::test]
async fn mbox_round_trip() {
    let server = TestServer::start().await;
    let admin = server.client(OPERATOR).await;
    admin
        .create_account("frank@example.org", "pw")
        .await
        .expect("account");
    let input = server.dir.path().join("in.mbox");
    std::fs::write(&input, MBOX).expect("write mbox");
    {
        tracing::info!("--- import into a mailbox that does not exist yet (nor its parents)");
        let r = import_mbox(&admin, "frank@example.org", "Imports/2023/old", &input)
            .await
            .expect("import");
        assert_eq!((r.imported, r.first_uid, r.last_uid), (3, 1, 3));
        assert_eq!(count(&server, "frank@example.org", "Imports/2023").await, 0);
    }
    {
        tracing::info!("--- the server holds CRLF messages with flags and dates");
        let items = export_all(&admin, "frank@example.org", "Imports/2023/old").await;
        assert_eq!(items.len(), 3);
        assert_eq!(
            &items[0].data[..],
            b"Return-Path: <alice@example.org>\r\nSubject: one\r\n\r\nFrom here on\r\n>From there\r\n"
        );
        assert_eq!(
            items[0].flags,
            Flags::new(Flags::SEEN | Flags::FLAGGED, ["$Label1".to_string()])
        );
        assert_eq!(items[0].internal_date, Some(1_700_000_000));
        assert_eq!(&items[1].data[..], b"Subject: two\r\n\r\nline\r\n");
        assert_eq!(items[1].internal_date, Some(0));
        assert_eq!(items[2].flags.system, Flags::ANSWERED | Flags::DELETED);
        assert_eq!(
            &items[2].data[..],
            b"Subject: three\r\n\r\n>>From deep\r\nbody\r\n"
        );
        let used = admin.get_account("frank@example.org").await.expect("usage");
        let size: usize = items.iter().map(|m| m.data.len()).sum();
        assert_eq!((used.messages_used, used.storage_used), (3, size as u64));
    }
    {
        tracing::info!("--- export writes the same file back; never over an existing one");
        let output = server.dir.path().join("out.mbox");
        let n = export_mbox(&admin, "frank@example.org", "Imports/2023/old", &output)
            .await
            .expect("export");
        assert_eq!(n, 3);
        assert_eq!(std::fs::read_to_string(&output).expect("read"), MBOX);
        let e = export_mbox(&admin, "frank@example.org", "INBOX", &output)
            .await
            .expect_err("exists");
        assert!(e.to_string().contains("exists already"), "{e}");
    }
    server.stop().await;
}

/// A maildir with flags imported and exported again gives the same messages, flags and
/// dates, in the same order; the exported folder is a complete maildir.
#[tokio::test]
async fn maildir_round_trip() {
    let server = TestServer::start().await;
    let admin = server.client(OPERATOR).await;
    admin
        .create_account("gina@example.org", "pw")
        .await
        .expect("account");
    let source = server.dir.path().join("Maildir-in");
    let items = vec![
        MailItem {
            flags: Flags::new(Flags::SEEN | Flags::FLAGGED, ["$Forwarded".to_string()]),
            internal_date: Some(1_600_000_000),
            ..mail("Subject: a\n\nFrom the start\n")
        },
        MailItem {
            flags: Flags::new(Flags::DRAFT | Flags::ANSWERED | Flags::DELETED, []),
            internal_date: Some(1_500_000_000),
            ..mail("Subject: b\n\nsecond\n")
        },
        mail("Subject: c\n\nthird\n"),
    ];
    {
        let mut w = MaildirWriter::create(&source).expect("maildir");
        for i in &items {
            w.write(i).expect("write");
        }
    }
    let r = import_maildir(&admin, "gina@example.org", "Archive", &source)
        .await
        .expect("import");
    assert_eq!(r.imported, 3);
    assert_eq!(
        export_all(&admin, "gina@example.org", "Archive").await,
        items
    );
    let target = server.dir.path().join("Maildir-out");
    let n = export_maildir(&admin, "gina@example.org", "Archive", &target)
        .await
        .expect("export");
    assert_eq!(n, 3);
    for sub in ["tmp", "new", "cur"] {
        assert!(target.join(sub).is_dir(), "{sub}/");
    }
    let back: Vec<MailItem> = MaildirReader::open(&target)
        .expect("open")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(back, items);
    let names: Vec<String> = std::fs::read_dir(target.join("cur"))
        .expect("cur")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.ends_with(":2,FPS")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with(":2,DRT")), "{names:?}");
    server.stop().await;
}

/// A bad message stops an import with a clear error: everything before it is imported and
/// reported, nothing after it.
#[tokio::test]
async fn bad_import_input_is_refused() {
    let server = TestServer::start().await;
    let admin = server.client(OPERATOR).await;
    admin
        .create_account("hal@example.org", "pw")
        .await
        .expect("account");
    let import = |mailbox: &'static str, items: Vec<MailItem>| {
        let admin = admin.clone();
        async move {
            admin
                .import(
                    "hal@example.org",
                    mailbox,
                    pb::MailFormat::Unspecified,
                    futures::stream::iter(items),
                )
                .await
        }
    };
    let stopped = |r: Result<strata_admin::ImportSummary, ClientError>, code: Code, text: &str| {
        let e = r.expect_err(text);
        assert_eq!(e.code(), Some(code), "{e}");
        assert!(e.to_string().contains(text), "{e}");
        e.imported()
    };
    {
        tracing::info!("--- a message that is not a mail, after three good ones");
        let mut items: Vec<MailItem> = (1..=3)
            .map(|i| mail(&format!("Subject: {i}\n\nx\n")))
            .collect();
        items.push(mail("hello world, this is not a mail\n"));
        items.push(mail("Subject: after\n\nx\n"));
        let n = stopped(
            import("Bad1", items).await,
            Code::InvalidArgument,
            "message 4: not a mail message",
        );
        assert_eq!(n, Some(3));
        assert_eq!(count(&server, "hal@example.org", "Bad1").await, 3);
    }
    {
        tracing::info!("--- a message over the size limit");
        let big = mail(&format!("Subject: big\n\n{}\n", "x".repeat(MAX_MESSAGE)));
        let n = stopped(
            import("Bad2", vec![mail("Subject: ok\n\nx\n"), big]).await,
            Code::InvalidArgument,
            "over the limit",
        );
        assert_eq!(n, Some(1));
        assert_eq!(count(&server, "hal@example.org", "Bad2").await, 1);
    }
    {
        tracing::info!("--- a bad flag, a bad date");
        let flagged = MailItem {
            flags: Flags::default(),
            ..mail("Subject: f\n\nx\n")
        };
        let mut bad_flag: pb::MailMessage = flagged.into();
        bad_flag.flags.push("\\Bogus".into());
        let item = MailItem::try_from(bad_flag);
        assert!(item.is_err(), "the client refuses it as well");
        let dated = MailItem {
            internal_date: Some(-5),
            ..mail("Subject: d\n\nx\n")
        };
        let n = stopped(
            import("Bad3", vec![dated]).await,
            Code::InvalidArgument,
            "out of range",
        );
        assert_eq!(n, Some(0));
    }
    {
        tracing::info!("--- over quota: the messages that fit are kept");
        admin
            .set_quota(
                "hal@example.org",
                LimitChange::Keep,
                LimitChange::Set(3 + 1 + 3),
            )
            .await
            .expect("quota");
        let items = (1..=5)
            .map(|i| mail(&format!("Subject: q{i}\n\nx\n")))
            .collect();
        let n = stopped(
            import("Quota", items).await,
            Code::ResourceExhausted,
            "message 4",
        );
        assert_eq!(n, Some(3));
        assert_eq!(count(&server, "hal@example.org", "Quota").await, 3);
    }
    {
        tracing::info!("--- no such account, no such mailbox, not an mbox");
        let e = admin
            .import(
                "nobody@example.org",
                "INBOX",
                pb::MailFormat::Mbox,
                futures::stream::iter([mail("Subject: x\n\nx\n")]),
            )
            .await
            .expect_err("no account");
        assert_eq!(e.code(), Some(Code::NotFound), "{e}");
        let e = admin
            .export("hal@example.org", "Nope")
            .await
            .map(drop)
            .expect_err("no mailbox");
        assert_eq!(e.code(), Some(Code::NotFound), "{e}");
        let eml = server.dir.path().join("message.eml");
        std::fs::write(&eml, "Subject: x\n\nnot an mbox\n").expect("write");
        let e = import_mbox(&admin, "hal@example.org", "INBOX", &eml)
            .await
            .expect_err("not an mbox");
        assert!(e.to_string().contains("not an mbox"), "{e}");
        assert_eq!(e.imported(), Some(0));
    }
    server.stop().await;
}
