-- Strata metadata schema, PostgreSQL flavour. The SQLite flavour (../sqlite) has the same
-- tables, columns and indexes; only the type names differ.

CREATE TABLE domains (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE
);

CREATE TABLE accounts (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_id          BIGINT  NOT NULL REFERENCES domains(id),
    address            TEXT    NOT NULL UNIQUE,
    password_hash      TEXT    NOT NULL,
    quota_storage      BIGINT,
    quota_messages     BIGINT,
    used_storage       BIGINT  NOT NULL DEFAULT 0,
    used_messages      BIGINT  NOT NULL DEFAULT 0,
    -- UIDVALIDITY for the next mailbox created; starts at the creation time in seconds and
    -- only grows, so a name never sees an old UIDVALIDITY again.
    next_uid_validity  BIGINT  NOT NULL
);
CREATE INDEX accounts_domain ON accounts(domain_id);

CREATE TABLE mailboxes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    uid_validity    BIGINT  NOT NULL,
    uid_next        BIGINT  NOT NULL DEFAULT 1,
    highest_modseq  BIGINT  NOT NULL DEFAULT 1,
    recent_uid      BIGINT  NOT NULL DEFAULT 1,
    special_use     TEXT,
    UNIQUE (account_id, name)
);

CREATE TABLE subscriptions (
    account_id  BIGINT  NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE messages (
    mailbox_id     BIGINT  NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid            BIGINT  NOT NULL,
    account_id     BIGINT  NOT NULL,
    blob           TEXT    NOT NULL,
    size           BIGINT  NOT NULL,
    internal_date  BIGINT  NOT NULL,
    save_date      BIGINT  NOT NULL,
    modseq         BIGINT  NOT NULL,
    flags          BIGINT  NOT NULL,
    keywords       TEXT    NOT NULL DEFAULT '',
    facts          BYTEA   NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
CREATE INDEX messages_blob ON messages(blob);

CREATE TABLE expunged (
    mailbox_id  BIGINT  NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid         BIGINT  NOT NULL,
    modseq      BIGINT  NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
