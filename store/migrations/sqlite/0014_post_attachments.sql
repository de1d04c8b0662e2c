-- Issue 14: files attached to forum posts. An attachment is uploaded by a
-- forum reader and waits, attached to nothing, until a post of theirs takes
-- it (in the same request for a form, by id for the API). Its bytes are
-- stored once, in chunks like the library's files, whichever revisions of
-- the post list it; images keep a resized preview made at upload.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    uploader_id INTEGER NOT NULL REFERENCES users (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    preview BLOB,
    preview_type TEXT NOT NULL DEFAULT '',
    preview_width INTEGER NOT NULL DEFAULT 0,
    preview_height INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_uploader_idx ON attachments (uploader_id, id);

CREATE TABLE attachment_chunks (
    attachment_id INTEGER NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);

-- The files a post has now, in the order they were added.
CREATE TABLE post_attachments (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    attachment_id INTEGER NOT NULL REFERENCES attachments (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, attachment_id)
);
-- A file is on one post at a time: two replies taking the same upload at
-- once cannot both have it.
CREATE UNIQUE INDEX post_attachments_attachment_idx ON post_attachments (attachment_id);

-- The files a post had before an edit, with the revision that kept its text.
CREATE TABLE post_revision_attachments (
    revision_id INTEGER NOT NULL REFERENCES post_revisions (id) ON DELETE CASCADE,
    attachment_id INTEGER NOT NULL REFERENCES attachments (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (revision_id, attachment_id)
);
CREATE INDEX post_revision_attachments_attachment_idx ON post_revision_attachments (attachment_id);
