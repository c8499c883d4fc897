-- 015_relation_consent.sql: a relation between members is a request until the
-- other accepts it (issue 11: anyone could name any member her friend and see
-- what she bought through "friends bought"). A row is one member's side:
-- 'asked' (she asked), 'invited' (the other asked her), 'accepted'. Relations
-- made before this were never consented to: both sides become invitations.
ALTER TABLE member_relations ADD COLUMN status TEXT NOT NULL DEFAULT 'invited';
