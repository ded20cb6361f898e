-- 0016-passkey-signin.sql: a passkey that signs its member in alone, with
-- no password (issue 11, part 2: "as a second factor or alone").
--
-- The WebAuthn PRF extension has the authenticator compute a secret from a
-- salt, which it gives only to the page after the member's fingerprint,
-- face or PIN.  That secret seeds an X25519 key pair of the passkey; the
-- member's master key is sealed to its public key (crypto_box_seal), so
-- that a new master key (a password change) can be sealed to it again
-- without the passkey at hand.  signin holds the public key and a tag of it
-- under the master key (over the member and the credential), so that a key
-- someone puts in the file is refused before anything is sealed to it;
-- mk_sealed is the sealed master key.  Both NULL: the passkey is a second
-- factor only.
--
-- signin_challenges: the challenges of a sign-in by passkey alone, which
-- names no member until the answer comes; single-use, short-lived, by their
-- SHA-256, with the origin that asked and a keyed hash of the address that
-- asked (as the sign-in throttle keeps it), so that no one address can
-- hold more than a few of them out at once.
ALTER TABLE passkeys ADD COLUMN signin BLOB CHECK (signin IS NULL OR length(signin) = 64);
ALTER TABLE passkeys ADD COLUMN mk_sealed BLOB
	CHECK ((signin IS NULL) = (mk_sealed IS NULL));

CREATE INDEX passkeys_signin ON passkeys (credential_id) WHERE signin IS NOT NULL;

CREATE TABLE signin_challenges (
	hash BLOB NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	origin TEXT NOT NULL,
	address BLOB NOT NULL CHECK (length(address) = 32),
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX signin_challenges_address ON signin_challenges (address);
