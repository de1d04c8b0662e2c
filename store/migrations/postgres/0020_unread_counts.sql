-- Each person's unread notifications, counted per kind as they are made,
-- read and deleted: a count is then one row per kind, not a walk through
-- every unread notification (a reply to a thread with many watchers counts
-- each watcher's, and a delegate may leave thousands unread). Triggers keep
-- it, so that no writer can forget it; the rights are still asked per kind
-- when it is summed.
CREATE TABLE notification_unread (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    unread INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);
INSERT INTO notification_unread (user_id, kind, unread)
    SELECT user_id, kind, count(*) FROM notifications WHERE read_at IS NULL GROUP BY user_id, kind;

-- A notification made counts at commit, not at its statement: a transaction
-- has by then taken the live topics of those it notifies (emitted in the
-- same transaction, in topic order), so two that count for the same people
-- are already in line one behind the other and cannot take the counts in
-- opposite orders.
CREATE FUNCTION notification_unread_made() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.read_at IS NULL THEN
        INSERT INTO notification_unread (user_id, kind, unread) VALUES (NEW.user_id, NEW.kind, 1)
            ON CONFLICT (user_id, kind) DO UPDATE SET unread = notification_unread.unread + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER notification_unread_count AFTER INSERT ON notifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION notification_unread_made();

-- Reading and deleting count once per statement, however many rows: a
-- person who reads everything may have thousands. Reading takes the
-- person's live topic first (MarkNotificationsRead), then these counts.
CREATE FUNCTION notification_unread_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notification_unread AS c (user_id, kind, unread)
        SELECT d.user_id, d.kind, sum(d.n) FROM (
            SELECT user_id, kind, -count(*) AS n FROM old_rows WHERE read_at IS NULL GROUP BY user_id, kind
            UNION ALL
            SELECT user_id, kind, count(*) FROM new_rows WHERE read_at IS NULL GROUP BY user_id, kind
        ) d GROUP BY d.user_id, d.kind HAVING sum(d.n) <> 0
        ON CONFLICT (user_id, kind) DO UPDATE SET unread = c.unread + EXCLUDED.unread;
    RETURN NULL;
END
$$;
CREATE FUNCTION notification_unread_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE notification_unread c SET unread = c.unread - d.n
        FROM (SELECT user_id, kind, count(*) AS n FROM old_rows WHERE read_at IS NULL GROUP BY user_id, kind) d
        WHERE c.user_id = d.user_id AND c.kind = d.kind;
    RETURN NULL;
END
$$;
CREATE TRIGGER notification_unread_read AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_unread_changed();
CREATE TRIGGER notification_unread_deleted AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_unread_deleted();
