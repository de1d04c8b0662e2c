-- Each person's unread notifications, counted per kind as they are made,
-- read and deleted: a count is then one row per kind, not a walk through
-- every unread notification (a reply to a thread with many watchers counts
-- each watcher's, and a delegate may leave thousands unread). Triggers keep
-- it, so that no writer can forget it; the rights are still asked per kind
-- when it is summed.
CREATE TABLE notification_unread (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    unread INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;
INSERT INTO notification_unread (user_id, kind, unread)
    SELECT user_id, kind, count(*) FROM notifications WHERE read_at IS NULL GROUP BY user_id, kind;

CREATE TRIGGER notification_unread_insert AFTER INSERT ON notifications WHEN NEW.read_at IS NULL BEGIN
    INSERT INTO notification_unread (user_id, kind, unread) VALUES (NEW.user_id, NEW.kind, 1)
        ON CONFLICT (user_id, kind) DO UPDATE SET unread = unread + 1;
END;
CREATE TRIGGER notification_unread_delete AFTER DELETE ON notifications WHEN OLD.read_at IS NULL BEGIN
    UPDATE notification_unread SET unread = unread - 1 WHERE user_id = OLD.user_id AND kind = OLD.kind;
END;
CREATE TRIGGER notification_unread_update AFTER UPDATE OF user_id, kind, read_at ON notifications BEGIN
    UPDATE notification_unread SET unread = unread - 1 WHERE OLD.read_at IS NULL AND user_id = OLD.user_id AND kind = OLD.kind;
    INSERT INTO notification_unread (user_id, kind, unread) SELECT NEW.user_id, NEW.kind, 1 WHERE NEW.read_at IS NULL
        ON CONFLICT (user_id, kind) DO UPDATE SET unread = unread + 1;
END;
