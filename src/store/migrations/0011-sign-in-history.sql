-- 0011-sign-in-history.sql: signed-in devices and one's own sign-in
-- history (issue 13, "signed-in devices"; issue 11 part 1: the owner sees
-- new sign-ins and key changes).
--
-- sessions.browser and audit_log.browser: a short name of the browser a
-- session was started from or an event came from ("Firefox/Android": a
-- browser and a system, each one of a fixed list, core/devices.c), made
-- from the User-Agent header and never the header itself; '' (or NULL)
-- when it was not recognised.
--
-- audit_log.session_id: the session an event started (a sign-in, a sign-in
-- from a new device), so that the new-device notice on home is not shown
-- to the very session it is about.  NULL for everything else.
--
-- devices.session_id: the session the browser last started, so that
-- ending that session from the devices page also takes the browser's
-- standing (its next sign-in is a new device again).
--
-- members.notice_seen: the id of the newest new-device event the member
-- dismissed on home (0: none); events up to it are not shown again.
--
-- The history is bounded: the store keeps each member's newest
-- STORE_AUDIT_KEEP rows of each event and none older than
-- STORE_AUDIT_DAYS days (store.h), trimmed as rows are added.
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT ''
	CHECK (length(browser) <= 47);
ALTER TABLE audit_log ADD COLUMN browser TEXT CHECK (length(browser) <= 47);
ALTER TABLE audit_log ADD COLUMN session_id TEXT;
ALTER TABLE devices ADD COLUMN session_id TEXT;
ALTER TABLE members ADD COLUMN notice_seen INTEGER NOT NULL DEFAULT 0;

-- a member's events, newest first, one kind at a time (the history, the
-- notice, the trim)
CREATE INDEX audit_log_member ON audit_log (member_id, event, id);
