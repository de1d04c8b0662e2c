-- What each person asked to consent to a curated document answered, and how
-- their words are attributed: the name the draft gives them (named_as), the
-- kind of organisation it gives instead if they ask not to be named
-- (anonymous_as), whether they asked that, and the note a refusal may carry
-- to the moderator. The moderator told of the answers is the drafter
-- (documents.created_by), so nothing else is needed for that.
ALTER TABLE curation_consents ADD COLUMN named_as TEXT NOT NULL DEFAULT '';
ALTER TABLE curation_consents ADD COLUMN anonymous_as TEXT NOT NULL DEFAULT '';
ALTER TABLE curation_consents ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE curation_consents ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX documents_source_thread_idx ON documents (source_thread_id, status);
