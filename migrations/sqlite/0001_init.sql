-- Strata metadata schema, SQLite flavour. The PostgreSQL flavour (../postgres) has the same
-- tables, columns and indexes; only the type names differ.

CREATE TABLE domains (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE
);

CREATE TABLE accounts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    domain_id          INTEGER NOT NULL REFERENCES domains(id),
    address            TEXT    NOT NULL UNIQUE,
    password_hash      TEXT    NOT NULL,
    quota_storage      INTEGER,
    quota_messages     INTEGER,
    used_storage       INTEGER NOT NULL DEFAULT 0,
    used_messages      INTEGER NOT NULL DEFAULT 0,
    -- UIDVALIDITY for the next mailbox created; starts at the creation time in seconds and
    -- only grows, so a name never sees an old UIDVALIDITY again.
    next_uid_validity  INTEGER NOT NULL
);
CREATE INDEX accounts_domain ON accounts(domain_id);

CREATE TABLE mailboxes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    uid_validity    INTEGER NOT NULL,
    uid_next        INTEGER NOT NULL DEFAULT 1,
    highest_modseq  INTEGER NOT NULL DEFAULT 1,
    recent_uid      INTEGER NOT NULL DEFAULT 1,
    special_use     TEXT,
    UNIQUE (account_id, name)
);

CREATE TABLE subscriptions (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE messages (
    mailbox_id     INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid            INTEGER NOT NULL,
    account_id     INTEGER NOT NULL,
    blob           TEXT    NOT NULL,
    size           INTEGER NOT NULL,
    internal_date  INTEGER NOT NULL,
    save_date      INTEGER NOT NULL,
    modseq         INTEGER NOT NULL,
    flags          INTEGER NOT NULL,
    keywords       TEXT    NOT NULL DEFAULT '',
    facts          BLOB    NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
CREATE INDEX messages_blob ON messages(blob);

CREATE TABLE expunged (
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid         INTEGER NOT NULL,
    modseq      INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
