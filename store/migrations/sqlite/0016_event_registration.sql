-- Registration for a meeting: what the organisers set per event, and one
-- row per person who registered (a visitor by name and address, or an
-- account). A cancelled registration stays (the organisers' list and the
-- figures count it); the same person may register again afterwards, so
-- the one-active-registration rule is a partial unique index.
ALTER TABLE events ADD COLUMN cancelled_at TIMESTAMP;

CREATE TABLE event_registration_settings (
    event_id INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL DEFAULT 0,
    open_visitors INTEGER NOT NULL DEFAULT 0,
    open_businesses INTEGER NOT NULL DEFAULT 0,
    open_members INTEGER NOT NULL DEFAULT 0,
    deadline TIMESTAMP,
    -- 0: no limit.
    capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    ask_organisation INTEGER NOT NULL DEFAULT 0,
    ask_attendance INTEGER NOT NULL DEFAULT 0,
    ask_interpretation INTEGER NOT NULL DEFAULT 0,
    ask_accessibility INTEGER NOT NULL DEFAULT 0,
    -- How long before the start registered people see the online link.
    link_reveal_minutes INTEGER NOT NULL DEFAULT 60 CHECK (link_reveal_minutes >= 0),
    -- The iCalendar SEQUENCE of the invitations: raised with each change of
    -- time or place that registered people are told about.
    ics_sequence INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE event_registrations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
    -- The registrant's kind of organisation and country when they
    -- registered, for the public figures ('' for a visitor's kind).
    org_kind TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    attendance TEXT NOT NULL DEFAULT '' CHECK (attendance IN ('', 'in_person', 'online')),
    interpretation TEXT NOT NULL DEFAULT '',
    accessibility TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    cancelled_at TIMESTAMP,
    checked_in_at TIMESTAMP,
    checked_in_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reminder_sent_at TIMESTAMP
);
CREATE INDEX event_registrations_event_idx ON event_registrations (event_id, status, id);
CREATE UNIQUE INDEX event_registrations_email_idx ON event_registrations (event_id, email) WHERE status <> 'cancelled';
CREATE UNIQUE INDEX event_registrations_user_idx ON event_registrations (event_id, user_id) WHERE status <> 'cancelled' AND user_id IS NOT NULL;
CREATE INDEX event_registrations_user_list_idx ON event_registrations (user_id);
