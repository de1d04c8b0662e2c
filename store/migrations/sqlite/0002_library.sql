-- The public library: categories, documents with tags and revisions, files
-- in language versions kept in chunks, and events.
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_es TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    symbol TEXT UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    doc_date TIMESTAMP NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    derestrict_at TIMESTAMP,
    revises_id INTEGER REFERENCES documents (id) ON DELETE SET NULL,
    search_title TEXT NOT NULL DEFAULT '',
    search_body TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX documents_listing_idx ON documents (status, visibility, doc_date, id);
CREATE INDEX documents_category_idx ON documents (category_id);
CREATE INDEX documents_revises_idx ON documents (revises_id);
-- Full-text index: rowid is the document id; kept in step by the store in
-- the transaction that changes the document. unicode61 splits on the same
-- characters the Go folding turns into spaces.
CREATE VIRTUAL TABLE documents_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');

CREATE TABLE document_tags (
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (document_id, tag)
);
CREATE INDEX document_tags_tag_idx ON document_tags (tag);

CREATE TABLE document_files (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    lang TEXT NOT NULL CHECK (lang IN ('en', 'fr', 'es')),
    version INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    text_content TEXT NOT NULL DEFAULT '',
    uploaded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (document_id, lang, version)
);

-- Files are kept in chunks so that a download streams a chunk at a time
-- instead of loading the whole file, on either engine.
CREATE TABLE file_chunks (
    file_id INTEGER NOT NULL REFERENCES document_files (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (file_id, seq)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'Europe/Zurich',
    all_day INTEGER NOT NULL DEFAULT 0,
    place TEXT NOT NULL DEFAULT '',
    online_url TEXT NOT NULL DEFAULT '',
    programme TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members')),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX events_starts_idx ON events (starts_at);

CREATE TABLE event_documents (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, document_id)
);
CREATE INDEX event_documents_document_idx ON event_documents (document_id);
