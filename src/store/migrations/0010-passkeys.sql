-- 0010-passkeys.sql: passkeys (WebAuthn) as a second factor (issue 11,
-- part 2).
--
-- passkeys: a member's credentials.  credential_id and public_key are what
-- the authenticator gave (an ES256 P-256 point, uncompressed); tag is a
-- keyed BLAKE2b under a subkey of the member's own master key over the
-- member, the credential id and the public key, so that someone who can
-- write the file cannot put a key of their own in its place (the server
-- checks the tag before it takes a signature).  The name the member gave
-- it is sealed under another subkey of the master key.  sign_count is the
-- authenticator's counter: an assertion must raise it (when it is not 0).
-- A credential id is the member's own: the same id under another member is
-- another row, and never answers for them.
--
-- passkey_challenges: the challenges the server issued, by their SHA-256,
-- each single-use (deleted as it is taken) and short-lived, bound to the
-- member and to what it is for ('create': a registration, 'get': an
-- assertion), with the origin the request came from.
CREATE TABLE passkeys (
	id TEXT NOT NULL PRIMARY KEY,
	member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	credential_id BLOB NOT NULL CHECK (length(credential_id) BETWEEN 1 AND 255),
	public_key BLOB NOT NULL CHECK (length(public_key) = 65),
	tag BLOB NOT NULL CHECK (length(tag) = 32),
	name_sealed BLOB NOT NULL,
	sign_count INTEGER NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
	created_at TEXT NOT NULL,
	last_used_at TEXT,
	UNIQUE (member_id, credential_id)
) STRICT;

CREATE TABLE passkey_challenges (
	member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	hash BLOB NOT NULL CHECK (length(hash) = 32),
	purpose TEXT NOT NULL CHECK (purpose IN ('create', 'get')),
	origin TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (member_id, hash)
) STRICT;
