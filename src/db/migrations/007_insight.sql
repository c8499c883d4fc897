-- 007_insight.sql: customer insight. Paid orders of members wait in
-- insight_queue until the insight job has folded them into the member's tags
-- and profile (incremental, off the till's path); tags carry a weight that
-- decays with time; life-stage rules are data.

CREATE TABLE insight_queue (
    order_id BIGINT PRIMARY KEY REFERENCES orders(id),
    queued_at BIGINT NOT NULL
);

-- weight as of updated_at; it halves every tag_half_life_days (setting) after that
CREATE TABLE member_tags (
    member_id BIGINT NOT NULL REFERENCES members(id),
    tag TEXT NOT NULL,                  -- brand:CODE, category:CODE, price:budget|mid|premium, life:NAME
    weight DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, tag)
) {{WITHOUT_ROWID}};
CREATE INDEX member_tags_tag ON member_tags (tag);

-- "min_purchases orders with one of these categories (or their subcategories)
-- within window_days days" gives the member the tag life:NAME
CREATE TABLE life_rules (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,          -- the tag is life:<name>
    categories TEXT NOT NULL,           -- category codes, comma-separated
    min_purchases BIGINT NOT NULL CHECK (min_purchases >= 1),
    window_days BIGINT NOT NULL CHECK (window_days >= 1),
    evaluated_at BIGINT NOT NULL DEFAULT 0,   -- 0: history not yet evaluated
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE member_profiles (
    member_id BIGINT PRIMARY KEY REFERENCES members(id),
    orders BIGINT NOT NULL,
    spend BIGINT NOT NULL,              -- fen, paid orders
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    pos BIGINT NOT NULL DEFAULT 0,      -- orders per channel
    web BIGINT NOT NULL DEFAULT 0,
    app BIGINT NOT NULL DEFAULT 0,
    miniprogram BIGINT NOT NULL DEFAULT 0,
    phone BIGINT NOT NULL DEFAULT 0,
    marketplace BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX member_profiles_spend ON member_profiles (spend);

-- spend and orders of a member at a store (sold there or picked up there)
CREATE TABLE member_store_spend (
    member_id BIGINT NOT NULL REFERENCES members(id),
    location_id BIGINT NOT NULL REFERENCES locations(id),
    orders BIGINT NOT NULL,
    spend BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, location_id)
) {{WITHOUT_ROWID}};
CREATE INDEX member_store_spend_store ON member_store_spend (location_id, spend);

INSERT INTO settings (key, value) VALUES ('tag_half_life_days', '90');
INSERT INTO settings (key, value) VALUES ('price_band_mid_fen', '20000');
INSERT INTO settings (key, value) VALUES ('price_band_premium_fen', '100000');
-- recommendations leave out more of a durable item bought lately (the same category)
INSERT INTO settings (key, value) VALUES ('durable_days', '180');
INSERT INTO settings (key, value) VALUES ('durable_categories', '');
