-- A meeting's agenda: the challenges referred to it, in the order the
-- organisers give, and what the meeting concluded on each.
--
-- An outcome may be written in one or more of the group's languages, so
-- each language has its own column and none is "the original"; the
-- outcome is also posted into the challenge's thread (outcome_post_id), so
-- that it reaches the thread's readers like any reply.
CREATE TABLE event_agenda_items (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    outcome_en TEXT NOT NULL DEFAULT '',
    outcome_fr TEXT NOT NULL DEFAULT '',
    outcome_es TEXT NOT NULL DEFAULT '',
    outcome_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    outcome_at TIMESTAMP,
    outcome_post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, thread_id)
);
CREATE INDEX event_agenda_items_event_idx ON event_agenda_items (event_id, position);
CREATE INDEX event_agenda_items_thread_idx ON event_agenda_items (thread_id);
CREATE INDEX event_agenda_items_post_idx ON event_agenda_items (outcome_post_id);
