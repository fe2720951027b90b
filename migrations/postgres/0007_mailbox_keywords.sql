-- The keywords each mailbox has defined (lower-case: keywords compare case-insensitively),
-- for the limit on them (store rules::flags::MAX_MAILBOX_KEYWORDS): every write that sets
-- keywords records the new ones here, and one that would pass the limit is refused. It may
-- still list keywords no message has any more; a write that would pass the limit first
-- rebuilds it from the mailbox's messages. Mailboxes from before this table fill it as they
-- are written.
CREATE TABLE mailbox_keywords (
    mailbox_id  BIGINT  NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    keyword     TEXT    NOT NULL,
    PRIMARY KEY (mailbox_id, keyword)
);
