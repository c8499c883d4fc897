-- 010_presence.sql: in-store positioning. Zones of a store (tagged with a brand
-- or category), sightings of devices or members in them from Wi-Fi probes or
-- beacons, and place-and-time message rules with their frequency caps.

CREATE TABLE zones (
    id {{ID}},
    location_id BIGINT NOT NULL REFERENCES locations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    brand_id BIGINT REFERENCES brands(id),
    category_id BIGINT REFERENCES categories(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (location_id, code)
);

-- person: the device id, or 'm:<member id>' when a member was seen by her app
CREATE TABLE sightings (
    id {{ID}},
    location_id BIGINT NOT NULL REFERENCES locations(id),
    zone_id BIGINT NOT NULL REFERENCES zones(id),
    person TEXT NOT NULL,
    member_id BIGINT REFERENCES members(id),   -- as known when it arrived
    rssi BIGINT NOT NULL,               -- dBm
    source TEXT NOT NULL,               -- wifi | beacon | app
    ts BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (person, zone_id, ts)        -- a resent sighting is stored once
);
CREATE INDEX sightings_store_ts ON sightings (location_id, ts);

-- "a member with tag T enters zone Z between from_hour and to_hour (store's
-- local time) -> message"; per_day caps it per member and day
CREATE TABLE presence_rules (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    tag TEXT NOT NULL,
    zone_id BIGINT NOT NULL REFERENCES zones(id),
    from_hour BIGINT NOT NULL CHECK (from_hour >= 0 AND from_hour <= 23),
    to_hour BIGINT NOT NULL CHECK (to_hour >= 1 AND to_hour <= 24),
    message TEXT NOT NULL,
    per_day BIGINT NOT NULL CHECK (per_day >= 1),
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX presence_rules_zone ON presence_rules (zone_id);

-- what each match of a rule came to
CREATE TABLE presence_sends (
    id {{ID}},
    rule_id BIGINT NOT NULL REFERENCES presence_rules(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    day TEXT NOT NULL,                  -- the store's local day
    outcome TEXT NOT NULL CHECK (outcome = 'sent' OR outcome = 'rule_cap' OR outcome = 'daily_cap'
                                 OR outcome = 'quiet_hours' OR outcome = 'no_consent'),
    at BIGINT NOT NULL
);
CREATE INDEX presence_sends_rule ON presence_sends (rule_id, at);

-- messages per member and local day: rule_id 0 counts every rule (the daily cap)
CREATE TABLE message_caps (
    member_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    rule_id BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (member_id, day, rule_id)
) {{WITHOUT_ROWID}};

INSERT INTO settings (key, value) VALUES ('presence_min_rssi', '-85');      -- weaker: passers-by, ignored
INSERT INTO settings (key, value) VALUES ('presence_visit_gap_minutes', '10'); -- longer apart: another visit
INSERT INTO settings (key, value) VALUES ('message_daily_cap', '2');        -- place-and-time messages per member per day
INSERT INTO settings (key, value) VALUES ('quiet_hours', '22-8');           -- store's local hours without messages
