-- SQLite's forum search gains prefix indexes in this version (see
-- sqlite/0018); Postgres's GIN index already answers prefixes, and the
-- version is kept the same on both engines.
SELECT 1;
