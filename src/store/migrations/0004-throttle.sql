-- 0004-throttle.sql: failed sign-ins, for throttling (issue 4).
--
-- One row per failed sign-in or recovery, under each of its keys: a keyed
-- BLAKE2b hash of the folded login and one of the client's address (its /64
-- for IPv6), so that neither a login nor an address is stored in the clear.
-- Rows older than the throttling window are deleted as new ones come in, so
-- the table holds at most a window's worth of failures.  This is not couple
-- data (a failure may name no member at all), so it carries no couple_id.
CREATE TABLE signin_failures (
	key BLOB NOT NULL CHECK (length(key) = 32),
	at INTEGER NOT NULL -- Unix time in milliseconds
) STRICT;

-- "the n-th newest failure of this key": one range scan, newest first
CREATE INDEX signin_failures_key ON signin_failures (key, at);
-- forgetting old failures: one range scan from the oldest
CREATE INDEX signin_failures_at ON signin_failures (at);
