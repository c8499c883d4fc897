-- 011_reports.sql: reports built by themselves at closing time, kept as the
-- JSON document they were delivered as, and who receives them. A subscriber gets
-- the reports of her own scope: a store manager her store's, a region manager her
-- region's (a line per store and the roll-up), the owner the chain's.

CREATE TABLE reports (
    id {{ID}},
    kind TEXT NOT NULL,                 -- daily
    scope TEXT NOT NULL CHECK (scope = 'store' OR scope = 'region' OR scope = 'chain'),
    code TEXT NOT NULL,                 -- the store or region code, '' for the chain
    day TEXT NOT NULL,                  -- the local date it covers
    body TEXT NOT NULL,                 -- the report as JSON
    created_at BIGINT NOT NULL,
    UNIQUE (kind, scope, code, day)
);

CREATE TABLE report_subscriptions (
    id {{ID}},
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    channel TEXT NOT NULL CHECK (channel = 'email' OR channel = 'webhook'),
    target TEXT NOT NULL,               -- an e-mail address or a URL
    created_at BIGINT NOT NULL,
    UNIQUE (staff_id, channel, target)
);
