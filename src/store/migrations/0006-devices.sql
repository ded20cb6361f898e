-- 0006-devices.sql: browsers that have signed in to an account (issue 11,
-- part 3: OWASP's "device cookies" against targeted lockout).
--
-- A browser that signs in is given a random device cookie; its row keeps a
-- keyed BLAKE2b hash of that cookie, never the cookie itself, and the
-- member it signed in to.  A sign-in that carries such a cookie for the
-- same account is counted against that browser alone, so that failures
-- from elsewhere (a partner at the same address, say) cannot lock the
-- account's owner out.  A member keeps their newest few; the rows go with
-- the member.
CREATE TABLE devices (
	key BLOB NOT NULL PRIMARY KEY CHECK (length(key) = 32),
	member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	used_at TEXT NOT NULL
) STRICT;

CREATE INDEX devices_member ON devices (member_id, used_at);
