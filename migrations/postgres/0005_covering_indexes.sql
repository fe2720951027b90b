-- Covering indexes for the hot reads: the state of every message of a mailbox (SELECT's
-- snapshot, STORE's read of the current flags, EXPUNGE's \Deleted scan) and the changes since a
-- MODSEQ (IDLE, NOOP, QRESYNC) are answered from the index alone, without visiting the table's
-- rows, which carry each message's parsed facts (about 2 KB) and would cost a page per row or
-- two. The SQLite flavour has the same indexes.
DROP INDEX messages_modseq;
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq, uid, flags, keywords);
CREATE INDEX messages_state ON messages(mailbox_id, uid, modseq, flags, size, keywords);
