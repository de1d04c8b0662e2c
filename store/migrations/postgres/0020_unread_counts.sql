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

CREATE FUNCTION notification_unread_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.read_at IS NULL THEN
        UPDATE notification_unread SET unread = unread - 1 WHERE user_id = OLD.user_id AND kind = OLD.kind;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.read_at IS NULL THEN
        INSERT INTO notification_unread (user_id, kind, unread) VALUES (NEW.user_id, NEW.kind, 1)
            ON CONFLICT (user_id, kind) DO UPDATE SET unread = notification_unread.unread + 1;
    END IF;
    RETURN NULL;
END
$$;
-- At commit, not at each statement: a transaction has by then taken the
-- live topics of those it notifies (emitted in the same transaction, in
-- topic order), so two that count for the same people are already in line
-- one behind the other and cannot take the counts in opposite orders.
CREATE CONSTRAINT TRIGGER notification_unread_count AFTER INSERT OR DELETE OR UPDATE OF user_id, kind, read_at ON notifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION notification_unread_count();
