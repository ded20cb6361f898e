-- 0018-couple-id.sql: couple_id on every table of a member (issue 17), as
-- SQLite's 0018 (src/store/migrations/0018-couple-id.sql says why).
--
-- Each table gets the column, filled from members, NOT NULL, and its
-- foreign key to members (id) becomes one to members (couple_id, id),
-- DEFERRABLE like every other (member_leave moves these rows with the
-- member and checks at the commit).

ALTER TABLE devices ADD COLUMN couple_id TEXT COLLATE "C";
UPDATE devices d SET couple_id = m.couple_id FROM members m WHERE m.id = d.member_id;
ALTER TABLE devices ALTER COLUMN couple_id SET NOT NULL;
ALTER TABLE devices DROP CONSTRAINT devices_member_id_fkey;
ALTER TABLE devices ADD FOREIGN KEY (couple_id, member_id)
	REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE;
DROP INDEX devices_member;
CREATE INDEX devices_member ON devices (couple_id, member_id, used_at);

ALTER TABLE totp ADD COLUMN couple_id TEXT COLLATE "C";
UPDATE totp t SET couple_id = m.couple_id FROM members m WHERE m.id = t.member_id;
ALTER TABLE totp ALTER COLUMN couple_id SET NOT NULL;
ALTER TABLE totp DROP CONSTRAINT totp_member_id_fkey;
ALTER TABLE totp ADD FOREIGN KEY (couple_id, member_id)
	REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE;

ALTER TABLE recovery_codes ADD COLUMN couple_id TEXT COLLATE "C";
UPDATE recovery_codes r SET couple_id = m.couple_id FROM members m WHERE m.id = r.member_id;
ALTER TABLE recovery_codes ALTER COLUMN couple_id SET NOT NULL;
ALTER TABLE recovery_codes DROP CONSTRAINT recovery_codes_member_id_fkey;
ALTER TABLE recovery_codes ADD FOREIGN KEY (couple_id, member_id)
	REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE;

ALTER TABLE passkeys ADD COLUMN couple_id TEXT COLLATE "C";
UPDATE passkeys p SET couple_id = m.couple_id FROM members m WHERE m.id = p.member_id;
ALTER TABLE passkeys ALTER COLUMN couple_id SET NOT NULL;
ALTER TABLE passkeys DROP CONSTRAINT passkeys_member_id_fkey;
ALTER TABLE passkeys ADD FOREIGN KEY (couple_id, member_id)
	REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE;
CREATE INDEX passkeys_member ON passkeys (couple_id, member_id, created_at);

ALTER TABLE passkey_challenges ADD COLUMN couple_id TEXT COLLATE "C";
UPDATE passkey_challenges c SET couple_id = m.couple_id FROM members m
	WHERE m.id = c.member_id;
ALTER TABLE passkey_challenges ALTER COLUMN couple_id SET NOT NULL;
ALTER TABLE passkey_challenges DROP CONSTRAINT passkey_challenges_member_id_fkey;
ALTER TABLE passkey_challenges ADD FOREIGN KEY (couple_id, member_id)
	REFERENCES members (couple_id, id) ON DELETE CASCADE DEFERRABLE;
CREATE INDEX passkey_challenges_expiry ON passkey_challenges (couple_id, expires_at);

-- A member's sessions and history are now always asked for with the couple.
DROP INDEX sessions_member;
CREATE INDEX sessions_member ON sessions (couple_id, member_id);
DROP INDEX audit_log_member;
CREATE INDEX audit_log_member ON audit_log (couple_id, member_id, event, id);
