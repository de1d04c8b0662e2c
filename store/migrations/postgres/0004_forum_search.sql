-- Full-text search over forum posts. The words are folded in Go (see
-- FoldSearch); the opening post also carries its thread's title.
ALTER TABLE posts ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_body TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_vector TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'C')
) STORED;
CREATE INDEX posts_search_idx ON posts USING GIN (search_vector);
