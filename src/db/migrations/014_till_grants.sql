-- 014_till_grants.sql: a member who identifies herself at a till (her member
-- code, or a code sent to her phone) lets that till's key see her and spend her
-- points, for one sale and a few minutes (issue 11: a POS key read and spent
-- any member's points).
CREATE TABLE till_grants (
    key_id BIGINT NOT NULL,             -- the POS key
    member_id BIGINT NOT NULL REFERENCES members(id),
    via TEXT NOT NULL,                  -- member_code | phone_code
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, member_id)
);
