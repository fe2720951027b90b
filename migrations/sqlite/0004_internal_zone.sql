-- The zone of INTERNALDATE, minutes east of UTC, as APPEND's date-time gave it (RFC 9051
-- §2.3.3): FETCH INTERNALDATE answers in it, and BEFORE/ON/SINCE compare its calendar date.
ALTER TABLE messages ADD COLUMN internal_zone INTEGER NOT NULL DEFAULT 0;
