-- Posts by organisation: the forum search's organisation filter and its
-- list of organisations look posts up by the organisation they were written for.
CREATE INDEX posts_org_idx ON posts (organisation_id, id);
