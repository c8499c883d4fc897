-- 016_tier_sweep.sql: members' tiers recomputed for everyone, in batches, once a
-- day (the 12-month window moves on) and whenever the thresholds change (issue 12:
-- a member kept her tier until her next purchase).
CREATE TABLE tier_sweep (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    next_member BIGINT NOT NULL DEFAULT 0,   -- the pass goes on after this member id; 0: no pass running
    pass_started BIGINT NOT NULL DEFAULT 0   -- epoch ms the last pass began
);
INSERT INTO tier_sweep (id, next_member, pass_started) VALUES (1, 0, 0);
