-- Issue 13: notifications that say what happened, to the right people.

-- A status or acceptance notice points at the change it tells of
-- (subject_id = thread_status_changes.id), so that it says that change
-- however the thread moves on. Notices made before this get the thread's
-- last change made at or before them: the one that caused them.
UPDATE notifications SET subject_id = (
    SELECT c.id FROM thread_status_changes c
    WHERE c.thread_id = notifications.thread_id AND c.created_at <= notifications.created_at
    ORDER BY c.id DESC LIMIT 1)
WHERE kind IN ('status', 'accepted') AND subject_id IS NULL AND thread_id IS NOT NULL;

-- Replies in a thread you started are now a kind of their own, by e-mail
-- at once unless you chose otherwise: someone who had chosen a channel
-- other than the old default (the digest) for replies keeps it for these.
INSERT INTO notification_prefs (user_id, kind, channel)
    SELECT user_id, 'thread_reply', channel FROM notification_prefs WHERE kind = 'reply' AND channel <> 'digest';

-- The settings form stored every kind, so a stored default cannot be told
-- from a choice: rows equal to the default of their kind when they were
-- saved are dropped, and follow the defaults from now on (for moderators'
-- kinds the old default, in the app only, becomes e-mail at once).
DELETE FROM notification_prefs WHERE
    (kind IN ('reply', 'new_thread') AND channel = 'digest')
    OR (kind IN ('mention', 'status', 'accepted', 'approved') AND channel = 'email')
    OR (kind IN ('flag_handled', 'pending_account', 'new_flag') AND channel = 'inapp');

-- Moderators who want account requests and flags in a daily summary
-- rather than at once get it on a clock of its own.
ALTER TABLE users ADD COLUMN moderation_summary_sent_at TIMESTAMP;

-- The digest leaves out a notice already mailed at once.
CREATE INDEX mail_outbox_notification_idx ON mail_outbox (notification_id);
