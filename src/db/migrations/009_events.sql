-- 009_events.sql: behaviour events from web, app and mini-program (and imported
-- clickstreams). An event belongs to an anonymous device, a member, or both;
-- devices are stitched to the member who signed in on them, so that a device's
-- anonymous events count as hers (resolved when events are read, so stitching
-- also reaches back to the events before she signed in).

CREATE TABLE events (
    id {{ID}},
    event_key TEXT NOT NULL UNIQUE,     -- sender's id for the event: a resent one is ignored
    name TEXT NOT NULL,                 -- view, click, add_to_cart, ..., or a custom name
    channel TEXT NOT NULL,              -- web | app | miniprogram | pos | import ...
    device_id TEXT,                     -- anonymous device (cookie, app install, imported user)
    member_id BIGINT REFERENCES members(id),
    location_id BIGINT REFERENCES locations(id),   -- the store it is about, if any
    item TEXT,                          -- product or SKU code
    category TEXT,                      -- category code
    element TEXT,                       -- clicks: text | image
    label TEXT,                         -- clicked text, search words
    page TEXT,                          -- page or screen
    value BIGINT,                       -- fen (cart, purchase)
    props TEXT,                         -- other properties as key=value lines
    ts BIGINT NOT NULL,                 -- when it happened (epoch ms)
    received_at BIGINT NOT NULL,
    CHECK (device_id IS NOT NULL OR member_id IS NOT NULL)
);
CREATE INDEX events_ts ON events (ts);
CREATE INDEX events_member ON events (member_id, ts);

CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members(id),
    linked_at BIGINT NOT NULL           -- the latest sign-in on the device wins
) {{WITHOUT_ROWID}};
CREATE INDEX devices_member ON devices (member_id);

-- the chain's own time zone: days of chain-wide figures (funnels by day, chain reports)
INSERT INTO settings (key, value) VALUES ('timezone', 'Asia/Shanghai');
