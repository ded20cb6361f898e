-- 0007-member-kdf.sql: the Argon2id cost each member's password key was
-- made with (issue 11, part 7).
--
-- The key that seals a member's master key is derived from their password
-- at a cost (--kdf).  It used to be derived at the server's cost of the
-- moment, so changing --kdf locked out every member made before.  The cost
-- is now kept with the member's own salt, used to derive their key, and
-- moved to the server's cost at their next sign-in.
--
-- Rows made before: their cost is the one their password hash records
-- (crypto_pwhash_str writes "m=<KiB>,t=<passes>"), as both were made
-- together, at the same level.
ALTER TABLE members ADD COLUMN kdf TEXT NOT NULL DEFAULT 'moderate'
	CHECK (kdf IN ('interactive', 'moderate', 'sensitive'));

UPDATE members SET kdf = CASE
	WHEN instr(pw_hash, '$m=65536,t=2,') > 0 THEN 'interactive'
	WHEN instr(pw_hash, '$m=1048576,t=4,') > 0 THEN 'sensitive'
	ELSE 'moderate'
END;
