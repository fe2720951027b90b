-- One row per body a message row has referred to: the lock point between appends and the
-- blob sweep, and the sweep's tombstone (see blob-store's `BlobReferences` contract).
-- marked_at: set when the sweep found the body unreferenced and is about to delete it.
-- done_at:   set when that delete completed. Both in milliseconds since the epoch.
CREATE TABLE blobs (
    blob       TEXT    PRIMARY KEY,
    marked_at  BIGINT,
    done_at    BIGINT
);
