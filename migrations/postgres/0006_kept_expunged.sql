-- A message another session expunged stays readable for the sessions that have not been told
-- yet (RFC 2180 §4.1: FETCH of it returns its data): EXPUNGE and MOVE copy the row here before
-- deleting it, FETCH falls back to it for UIDs missing from `messages`, and the body sweep keeps
-- the body while a row refers to it. Rows older than the store's keep time are ignored and
-- deleted by the mailbox's next expunge.
CREATE TABLE kept_expunged (
    mailbox_id     BIGINT  NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid            BIGINT  NOT NULL,
    blob           TEXT    NOT NULL,
    size           BIGINT  NOT NULL,
    internal_date  BIGINT  NOT NULL,
    internal_zone  BIGINT  NOT NULL,
    save_date      BIGINT  NOT NULL,
    modseq         BIGINT  NOT NULL,
    flags          BIGINT  NOT NULL,
    keywords       TEXT    NOT NULL,
    facts          BYTEA   NOT NULL,
    expunged_at    BIGINT  NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX kept_expunged_age ON kept_expunged(mailbox_id, expunged_at);
CREATE INDEX kept_expunged_blob ON kept_expunged(blob, expunged_at);
