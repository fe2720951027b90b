-- SCRAM-SHA-256 verifier of the account's password (RFC 7677), in RFC 5803 form:
-- SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64). NULL until the password
-- is set by a Strata that knows SCRAM, or the user logs in once with LOGIN/PLAIN.
ALTER TABLE accounts ADD COLUMN scram_sha256 TEXT;
