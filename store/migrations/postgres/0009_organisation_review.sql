-- Organisations a moderator reviews: whether one was verified, the e-mail
-- domains its people write from, and the kind a registration claimed for an
-- organisation it created (until a moderator confirms it, the kind is
-- business, so a claim alone never makes anyone speak as a delegation).
ALTER TABLE organisations ADD COLUMN verified BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE organisations ADD COLUMN email_domains TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN claimed_kind TEXT NOT NULL DEFAULT ''
    CHECK (claimed_kind IN ('', 'business', 'member', 'observer'));

-- What a registration said about its organisation, kept until the request is
-- handled, and whether it created the organisation (rejecting it then removes
-- the organisation when nobody else is in it).
CREATE TABLE account_requests (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT '',
    size_class TEXT NOT NULL DEFAULT '',
    sector TEXT NOT NULL DEFAULT '',
    created_org BOOLEAN NOT NULL DEFAULT false
);

-- Organisations that only pending registrations are in were made by those
-- registrations: their kind becomes a claim.
UPDATE organisations SET claimed_kind = kind, kind = 'business', size_class = CASE WHEN kind = 'business' THEN size_class ELSE '' END
WHERE kind IN ('business', 'member', 'observer')
  AND EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = organisations.id)
  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = organisations.id AND u.status <> 'pending');
