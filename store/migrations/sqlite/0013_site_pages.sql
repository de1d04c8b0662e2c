-- Issue 14: a privacy notice and a contact page that admins write, one text
-- per language. A language without a row shows the English one, and with no
-- English either the built-in text, so an empty table is a working site.
CREATE TABLE site_pages (
    slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (slug, lang)
);
