-- The unread count of a person is counted per kind of notification, then
-- the kinds they may see now are summed: the kind comes from the index,
-- and the rights are asked once per kind instead of once per notification.
DROP INDEX notifications_unread_idx;
CREATE INDEX notifications_unread_idx ON notifications (user_id, kind) WHERE read_at IS NULL;
