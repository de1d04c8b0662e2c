-- Curation: a public document drafted from a forum thread, and the consent
-- of each person it quotes by name.
ALTER TABLE documents ADD COLUMN source_thread_id BIGINT REFERENCES threads (id) ON DELETE SET NULL;

CREATE TABLE curation_consents (
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'declined')),
    asked_at TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ,
    PRIMARY KEY (document_id, user_id)
);
CREATE INDEX curation_consents_user_idx ON curation_consents (user_id, status);
