-- 0013-discreet.sql: discreet mode and auto-lock (issue 13, part
-- "discreet mode and auto-lock").
--
-- members.discreet: 1 when the member chose a neutral page title, icon and
-- app name.  members.autolock_minutes: how long a session of theirs may
-- sit without a request before it locks (0: never; else 1, 5, 15 or 60).
-- Both are the member's own choice, read on every request with the role
-- and the language, and shown to nobody else.
--
-- sessions.locked: 1 once a session sat idle past its member's auto-lock
-- time.  A locked session opens no page and no API answer but the lock
-- page, unlock and sign-out until the member's password unlocks it; it is
-- a mark in the database, so that every server process refuses it alike.
ALTER TABLE members ADD COLUMN discreet INTEGER NOT NULL DEFAULT 0
	CHECK (discreet IN (0, 1));
ALTER TABLE members ADD COLUMN autolock_minutes INTEGER NOT NULL DEFAULT 0
	CHECK (autolock_minutes IN (0, 1, 5, 15, 60));
ALTER TABLE sessions ADD COLUMN locked INTEGER NOT NULL DEFAULT 0
	CHECK (locked IN (0, 1));
