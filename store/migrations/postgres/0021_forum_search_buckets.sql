-- Each post's search vector also holds which stretch of ids the post is in,
-- at three sizes (2^15, 2^18 and 2^21 ids), as lexemes starting with "#",
-- which no folded search word can (FoldSearch keeps letters and digits).
-- A forum search asks the GIN index for its words AND one of the newest
-- stretches, so that a common word's newest matches come from the index
-- alone, instead of walking the newest posts one by one until enough
-- match (see searchNewest). Postgres 15 cannot change a generated
-- column's expression, so the column and its index are made again.
ALTER TABLE posts DROP COLUMN search_vector;
ALTER TABLE posts ADD COLUMN search_vector TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'C')
    || array_to_tsvector(ARRAY['#15.' || CAST(id >> 15 AS TEXT), '#18.' || CAST(id >> 18 AS TEXT), '#21.' || CAST(id >> 21 AS TEXT)])
) STORED;
CREATE INDEX posts_search_idx ON posts USING GIN (search_vector);
