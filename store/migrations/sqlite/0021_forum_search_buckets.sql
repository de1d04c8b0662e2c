-- Postgres's forum search vector gains the stretch of ids each post is in
-- (see postgres/0021); SQLite's FTS5 index seeks to a rowid range by
-- itself, and the version is kept the same on both engines.
SELECT 1;
