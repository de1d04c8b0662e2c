-- Full-text search over forum posts: rowid is the post id, kept in step by
-- the store in the transaction that writes the post.
ALTER TABLE posts ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_body TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE posts_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');
