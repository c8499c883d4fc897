-- 005_receipts_tracking.sql: e-receipts of till sales claimed by members, the
-- server's own secrets (the receipt signing key), and carrier tracking events.

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL                 -- hex
);

CREATE TABLE receipts (
    order_id BIGINT PRIMARY KEY REFERENCES orders(id),
    member_id BIGINT NOT NULL REFERENCES members(id),   -- who claimed it (single use)
    points BIGINT NOT NULL DEFAULT 0,
    claimed_at BIGINT NOT NULL
);

CREATE TABLE tracking_events (
    id {{ID}},
    fulfilment_id BIGINT NOT NULL REFERENCES fulfilments(id),
    carrier TEXT NOT NULL,
    tracking_no TEXT NOT NULL,
    status TEXT NOT NULL,               -- picked_up, in_transit, out_for_delivery, delivered, exception
    location TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    event_time BIGINT NOT NULL,         -- when the carrier says it happened
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tracking_events_once ON tracking_events (carrier, tracking_no, event_time, status);
