-- A meeting's programme: its sessions, the people on each session, its
-- co-organisers, and the main meeting a side event belongs to.
--
-- Translations are per-language columns: the plain column is the English (or
-- only) text, and the _fr / _es columns hold the French and Spanish text only
-- where it differs (empty means "as the plain column"). The group works in
-- exactly these three languages (SPEC §7), names rarely change between them,
-- and a title and its translations are edited together on one row, so a
-- child table per language would add joins and nothing a reader gains.
ALTER TABLE events ADD COLUMN main_event_id INTEGER REFERENCES events (id) ON DELETE SET NULL;
CREATE INDEX events_main_event_idx ON events (main_event_id);

CREATE TABLE event_sessions (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    title TEXT NOT NULL,
    title_fr TEXT NOT NULL DEFAULT '',
    title_es TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    description_fr TEXT NOT NULL DEFAULT '',
    description_es TEXT NOT NULL DEFAULT '',
    venue TEXT NOT NULL DEFAULT '',
    -- Interpretation languages as comma-separated codes ("en,fr,es").
    languages TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_sessions_event_idx ON event_sessions (event_id, starts_at);

CREATE TABLE event_session_people (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES event_sessions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('opening', 'speaker', 'moderator')),
    name TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title TEXT NOT NULL DEFAULT '',
    title_fr TEXT NOT NULL DEFAULT '',
    title_es TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    organisation_fr TEXT NOT NULL DEFAULT '',
    organisation_es TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_session_people_session_idx ON event_session_people (session_id, position);

CREATE TABLE event_co_organisers (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_fr TEXT NOT NULL DEFAULT '',
    name_es TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_co_organisers_event_idx ON event_co_organisers (event_id, position);
