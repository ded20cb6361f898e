-- 0012-safety.sql: the private safety check (issue 13).
--
-- safety_checks: each member's latest answers to the four questions (afraid
-- of the partner, threatened, hurt, forced or pressured into sexual acts)
-- and the time they gave them, sealed together under a subkey of the
-- member's own master key, with associated data that binds the table, the
-- row's id, the couple, the member and the version.  The record has the
-- same length whatever the answers, and nothing beside it is plain: no
-- result column, no time, so that neither the partner nor whoever can read
-- this file learns what was answered (only that a member once took the
-- check, and how many times, from the version).  One row per member,
-- replaced by each new check; it goes with the member.
CREATE TABLE safety_checks (
	member_id TEXT NOT NULL PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	couple_id TEXT NOT NULL REFERENCES couples (id) ON DELETE CASCADE,
	id TEXT NOT NULL UNIQUE,
	version INTEGER NOT NULL CHECK (version >= 1),
	sealed BLOB NOT NULL
) STRICT;
