//! Scenarios for put/get/range/exists/delete, the same for every backend.

use std::time::{Duration, Instant, SystemTime};

use blob_store::{BlobError, BlobId, BlobStore};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};

use crate::backends::Guard;

/// Deterministic, incompressible test bytes (xorshift64), different for each `seed`.
pub fn pseudo_random(len: usize, seed: u64) -> Bytes {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    Bytes::from(out)
}

/// Every blob in the store, whatever its age.
pub async fn all_blobs(store: &BlobStore) -> Vec<(BlobId, SystemTime)> {
    let future = SystemTime::now() + Duration::from_secs(86_400);
    store
        .list_older_than(future)
        .try_collect()
        .await
        .expect("list blobs")
}

/// A body goes in and comes back byte for byte; its id is its SHA-256 and length, in the
/// `<hex>:<size>` text form; the empty body works too.
pub async fn round_trip(_guard: &Guard, store: &BlobStore) {
    let body = Bytes::from_static(b"From: a@example.org\r\nSubject: hi\r\n\r\nHello\r\n");
    let id = {
        tracing::info!("--- put a small message and read it back");
        let id = store.put(body.clone()).await.expect("put");
        assert_eq!(id, BlobId::of(&body));
        assert_eq!(id.size, body.len() as u64);
        assert_eq!(store.get(id).await.expect("get"), body);
        assert!(store.exists(id).await.expect("exists"));
        assert_eq!(id.to_string().parse::<BlobId>(), Ok(id));
        id
    };
    {
        tracing::info!("--- the empty body is a blob like any other");
        let empty = store.put(Bytes::new()).await.expect("put empty");
        assert_eq!(empty.size, 0);
        assert_eq!(store.get(empty).await.expect("get empty"), Bytes::new());
        assert!(store.exists(empty).await.expect("exists empty"));
    }
    {
        tracing::info!("--- delete removes it, and deleting again is fine");
        store.delete(id).await.expect("delete");
        assert!(!store.exists(id).await.expect("exists after delete"));
        store.delete(id).await.expect("second delete is idempotent");
    }
}

/// Storing the same bytes twice yields the same id and one stored object.
pub async fn dedup_stores_once(_guard: &Guard, store: &BlobStore) {
    let body = pseudo_random(10_000, 1);
    let first = store.put(body.clone()).await.expect("first put");
    let second = store.put(body.clone()).await.expect("second put");
    let other = store
        .put(pseudo_random(10_000, 2))
        .await
        .expect("other put");
    assert_eq!(first, second);
    assert_ne!(first, other);
    let listed: Vec<BlobId> = all_blobs(store)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        listed.iter().filter(|id| **id == first).count(),
        1,
        "{listed:?}"
    );
    assert_eq!(listed.len(), 2, "{listed:?}");
}

/// Range reads follow RFC 9051 partial semantics at every edge.
pub async fn range_reads_at_the_edges(_guard: &Guard, store: &BlobStore) {
    let body = pseudo_random(1000, 3);
    let id = store.put(body.clone()).await.expect("put");
    let cases: [(u64, u64, &[u8]); 9] = [
        (0, 0, b""),
        (0, 1, &body[..1]),
        (0, 1000, &body[..]),
        (999, 1000, &body[999..]),
        (123, 456, &body[123..456]),
        (500, 2000, &body[500..]),
        (1000, 1010, b""),
        (2000, 3000, b""),
        (0, u64::MAX, &body[..]),
    ];
    for (start, end, want) in cases {
        let got = store.get_range(id, start..end).await.expect("range read");
        assert_eq!(&got[..], want, "range {start}..{end}");
    }
    #[allow(clippy::reversed_empty_ranges)]
    let inverted = store.get_range(id, 10..5).await;
    assert!(
        matches!(inverted, Err(BlobError::InvalidRange { .. })),
        "{inverted:?}"
    );
}

/// A blob that was never stored is `NotFound` for reads, absent for `exists`, and deleting
/// it succeeds.
pub async fn missing_blob_is_not_found(_guard: &Guard, store: &BlobStore) {
    let ghost = BlobId::of(b"never stored");
    assert!(matches!(store.get(ghost).await, Err(BlobError::NotFound(id)) if id == ghost));
    assert!(matches!(
        store.get_range(ghost, 0..3).await,
        Err(BlobError::NotFound(_))
    ));
    assert!(!store.exists(ghost).await.expect("exists"));
    assert!(matches!(
        store.check_size(ghost).await,
        Err(BlobError::NotFound(_))
    ));
    store.delete(ghost).await.expect("delete of a missing blob");
    assert!(all_blobs(store).await.is_empty());
}

/// Sixteen tasks storing the same 1 MiB body at once all succeed with the same id, while a
/// reader keeps reading it and never sees a partial body; then four tasks do the same with a
/// 9 MiB body (multipart path). Each ends as one intact object and no staging file is left.
pub async fn concurrent_puts_of_same_content(guard: &Guard, store: &BlobStore) {
    for (tasks, len) in [(16, 1 << 20), (4, 9 << 20)] {
        tracing::info!(tasks, len, "--- concurrent puts of one body");
        let body = pseudo_random(len, 4);
        let first = store.put(body.clone()).await.expect("first put");
        let reader = {
            let store = store.clone();
            tokio::spawn(async move {
                for _ in 0..8 {
                    assert_eq!(
                        store.get(first).await.expect("read during overwrite").len(),
                        len
                    );
                }
            })
        };
        let writers: Vec<_> = (0..tasks)
            .map(|_| {
                let (store, body) = (store.clone(), body.clone());
                tokio::spawn(async move { store.put(body).await })
            })
            .collect();
        for writer in writers {
            assert_eq!(writer.await.expect("join").expect("put"), first);
        }
        reader.await.expect("reader");
        assert!(store.get(first).await.expect("get") == body);
        let on_disk = std::fs::metadata(guard.object_file(&first)).expect("object file");
        assert_eq!(on_disk.len(), len as u64);
    }
    assert_eq!(all_blobs(store).await.len(), 2);
    assert_eq!(guard.staging_file_count(), 0);
}

/// `put_stream` stores a small streamed body with one put; a stream that fails after the
/// multipart threshold stores nothing under any content address.
pub async fn put_stream_small_and_failed(guard: &Guard, store: &BlobStore) {
    {
        tracing::info!("--- a small body in three chunks");
        let chunks =
            ["From: a\r\n", "\r\n", "body\r\n"].map(|c| Ok::<_, std::io::Error>(Bytes::from(c)));
        let id = store
            .put_stream(futures::stream::iter(chunks))
            .await
            .expect("stream");
        assert_eq!(id, BlobId::of(b"From: a\r\n\r\nbody\r\n"));
        assert_eq!(
            store.get(id).await.expect("get"),
            Bytes::from("From: a\r\n\r\nbody\r\n")
        );
    }
    {
        tracing::info!("--- a 12 MiB body whose source fails before the end");
        let good = (0..12u64).map(|i| Ok(pseudo_random(1 << 20, 100 + i)));
        let bad = std::iter::once(Err(std::io::Error::other("client went away")));
        let result = store
            .put_stream(futures::stream::iter(good.chain(bad)))
            .await;
        assert!(
            matches!(result, Err(BlobError::Unavailable { .. })),
            "{result:?}"
        );
        assert_eq!(
            all_blobs(store).await.len(),
            1,
            "only the small body is stored"
        );
        assert_eq!(
            guard.staging_file_count(),
            0,
            "aborted upload left a staging file"
        );
    }
}

/// When the backend is down, every call fails with the retryable `Unavailable`, never
/// `NotFound` (which would tell the caller the body is gone).
pub async fn backend_down_is_unavailable(guard: &Guard, store: &BlobStore) {
    let id = store
        .put(pseudo_random(100, 7))
        .await
        .expect("put while up");
    guard.break_backend().await;
    let put = store.put(pseudo_random(100, 8)).await;
    assert!(matches!(&put, Err(e) if e.is_retryable()), "{put:?}");
    if guard.is_s3() {
        // A stopped server cannot answer anything. The local folder replaced by a file still
        // answers "no such file" for reads and an empty listing (object_store walks nothing),
        // which is the truth and harmless to a sweep.
        let listed: Result<Vec<_>, _> =
            store.list_older_than(SystemTime::now()).try_collect().await;
        assert!(
            matches!(&listed, Err(BlobError::Unavailable { .. })),
            "{listed:?}"
        );
        let got = store.get(id).await;
        assert!(
            matches!(&got, Err(BlobError::Unavailable { .. })),
            "{got:?}"
        );
        let exists = store.exists(id).await;
        assert!(
            matches!(&exists, Err(BlobError::Unavailable { .. })),
            "{exists:?}"
        );
    }
}

/// A 50 MB body, stored with `put` and with `put_stream` (8 MiB parts), reads back intact,
/// including a range read in the middle. Times are printed (run with `--nocapture`), never
/// asserted.
pub async fn fifty_megabytes(guard: &Guard, store: &BlobStore) {
    let body = pseudo_random(50_000_000, 5);
    let started = Instant::now();
    let expected = BlobId::of(&body);
    let hash_time = started.elapsed();
    let started = Instant::now();
    let id = store.put(body.clone()).await.expect("put 50 MB");
    let put_time = started.elapsed();
    assert_eq!(id, expected);

    let started = Instant::now();
    let got = store.get(id).await.expect("get 50 MB");
    let get_time = started.elapsed();
    assert!(got == body, "50 MB body differs after round trip");
    drop(got);
    let middle = store
        .get_range(id, 25_000_000..25_000_100)
        .await
        .expect("range");
    assert_eq!(&middle[..], &body[25_000_000..25_000_100]);
    // Read back in chunks (a streamed FETCH): the same octets, never more than 1 MiB at once,
    // and the range clamped to the body.
    for (start, end) in [(0, u64::MAX), (3, 7_000_001), (49_999_990, 60_000_000)] {
        let mut chunks = std::pin::pin!(store.read_chunks(id, start..end));
        let mut got = Vec::new();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.expect("chunk");
            assert!(
                !chunk.is_empty() && chunk.len() <= 1 << 20,
                "{} octets",
                chunk.len()
            );
            got.extend_from_slice(&chunk);
        }
        let end = end.min(body.len() as u64) as usize;
        assert!(
            got == body[start as usize..end],
            "chunks of {start}..{end} differ"
        );
    }
    store.delete(id).await.expect("delete");

    let chunks: Vec<Bytes> = (0..body.len())
        .step_by(64 * 1024)
        .map(|at| body.slice(at..(at + 64 * 1024).min(body.len())))
        .collect();
    let started = Instant::now();
    let streamed = store
        .put_stream(futures::stream::iter(chunks).map(Ok::<_, std::io::Error>))
        .await
        .expect("put_stream 50 MB");
    let stream_time = started.elapsed();
    assert_eq!(streamed, id);
    assert!(store.get(id).await.expect("get streamed") == body);
    assert_eq!(all_blobs(store).await.len(), 1);
    assert_eq!(guard.staging_file_count(), 0, "staging object renamed away");
    eprintln!(
        "50 MB: put {put_time:?}, get+verify {get_time:?}, put_stream {stream_time:?} \
         (SHA-256 alone {hash_time:?}) on {:?}",
        store.config().backend
    );
}

/// Stored bytes that no longer match their id are reported as `Corrupt`: a truncated or
/// lengthened object by the length check, a same-length bit flip by the SHA-256 check (`verify_reads`).
pub async fn corruption_is_detected(guard: &Guard, store: &BlobStore) {
    assert!(store.config().verify_reads, "built with verify_reads");
    let body = pseudo_random(4096, 6);
    let id = store.put(body.clone()).await.expect("put");
    let file = guard.object_file(&id);

    let mut flipped = body.to_vec();
    flipped[100] ^= 0x01;
    std::fs::write(&file, &flipped).expect("flip a bit");
    let result = store.get(id).await;
    assert!(
        matches!(result, Err(BlobError::Corrupt { .. })),
        "{result:?}"
    );

    std::fs::write(&file, &body[..4000]).expect("truncate");
    let result = store.get(id).await;
    assert!(
        matches!(result, Err(BlobError::Corrupt { .. })),
        "{result:?}"
    );
    let result = store.get_range(id, 4000..4096).await;
    assert!(result.is_err(), "short range read must fail: {result:?}");
    let result = store.check_size(id).await;
    assert!(
        matches!(result, Err(BlobError::Corrupt { .. })),
        "check_size of a truncated object: {result:?}"
    );

    let mut longer = body.to_vec();
    longer.extend_from_slice(b"trailing");
    std::fs::write(&file, &longer).expect("lengthen");
    let result = store.get(id).await;
    assert!(
        matches!(result, Err(BlobError::Corrupt { .. })),
        "a longer object is corrupt too: {:?}",
        result.map(|b| b.len())
    );
    assert!(
        store.check_size(id).await.is_err(),
        "check_size of a longer object"
    );
    std::fs::write(&file, &body).expect("restore");
    store
        .check_size(id)
        .await
        .expect("check_size of the intact object");
}
