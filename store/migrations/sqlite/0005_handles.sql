-- Each person gets a handle for @mentions ("lucia.fernandez"), filled in by
-- the store right after migrating (names are folded in Go).
ALTER TABLE users ADD COLUMN handle TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_handle_idx ON users (handle) WHERE handle <> '';

CREATE TABLE post_mentions (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_mentions_user_idx ON post_mentions (user_id);
