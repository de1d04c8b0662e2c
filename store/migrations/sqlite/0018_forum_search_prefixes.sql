-- Prefix indexes of two and three letters for forum search, whose last word
-- is always a prefix (a reader types "cert" for "certificates"): without
-- them FTS5 read the posts of every word a short prefix begins, half of a
-- large forum for some (BenchmarkSearchForum1M). The index is built again
-- from the old table's own text, which is where SQLite keeps it.
ALTER TABLE posts_fts RENAME TO posts_fts_old;
CREATE VIRTUAL TABLE posts_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO posts_fts (rowid, title, body) SELECT rowid, title, body FROM posts_fts_old;
DROP TABLE posts_fts_old;
