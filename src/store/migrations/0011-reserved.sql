-- 0011-reserved.sql: a placeholder.  Migration 0011 belongs to another
-- branch of issue 13 (merged separately); scripts/sql2c wants the versions
-- without gaps, so this branch carries an empty 0011 until that one takes
-- its place.  Whoever merges both keeps the real 0011 and deletes this file.
SELECT 1;
