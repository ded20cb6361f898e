-- 0015-ledger.sql: the latest version of each changed row, under the
-- writer's key, so that an older version put back in the file with its
-- older ciphertext does not open (issue 11, part 8: rollback).
--
-- A member's ledger lists, for each row of theirs that has been changed
-- (version 2 and up), its id and latest version, as a compact binary
-- sealed by core: couple_id '' is the member's own ledger, sealed under a
-- subkey of their master key, covering every row they write; couple_id
-- set is their ledger of the rows they share in that couple, sealed under
-- the couple key, which their partner checks.  gen counts the writes, so
-- that two writes racing each other do not lose an entry (the second one
-- conflicts and reads the ledger again).  It goes with the member.
CREATE TABLE ledgers (
	member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	couple_id TEXT NOT NULL,
	gen INTEGER NOT NULL CHECK (gen >= 1),
	sealed BLOB NOT NULL,
	PRIMARY KEY (member_id, couple_id)
) STRICT, WITHOUT ROWID;
