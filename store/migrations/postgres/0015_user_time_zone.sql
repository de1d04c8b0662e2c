-- Issue 14: each person reads times in their own zone (an IANA name such as
-- "America/New_York"). Accounts made before keep Geneva's, where the group meets.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Zurich';
