-- 0009-second-factor.sql: a second factor at sign-in (issue 11, part 2:
-- TOTP, RFC 6238, with one-time recovery codes).
--
-- totp: a member's TOTP secret, sealed under a subkey of their own master
-- key (the server opens it only with that key: at sign-in, at recovery,
-- or behind a session), pending (active 0) from set-up until a code
-- confirms it.  last_step is the time step of the last code accepted: a
-- code is taken only for a later step, so a code seen once is spent.
--
-- recovery_codes: keyed BLAKE2b hashes (under a subkey of the master key)
-- of the codes shown once at confirmation; a code used is deleted, so that
-- of two sign-ins racing with one code exactly one wins.
--
-- Both go with the member.  Passkeys, later, get a table of their own
-- beside these; recovery codes serve whichever factor is on.
CREATE TABLE totp (
	member_id TEXT NOT NULL PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	secret_sealed BLOB NOT NULL,
	active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
	last_step INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE recovery_codes (
	member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	hash BLOB NOT NULL CHECK (length(hash) = 32),
	PRIMARY KEY (member_id, hash)
) STRICT;
