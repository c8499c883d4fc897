-- 008_reco.sql: friends, and what recommendations lead to. Relations are kept
-- both ways (a row per member); impressions keep the last time an item was
-- shown to a member; a conversion is a paid order with a recommended item,
-- rewarded with a coupon once.

CREATE TABLE member_relations (
    member_id BIGINT NOT NULL REFERENCES members(id),
    other_id BIGINT NOT NULL REFERENCES members(id),
    kind TEXT NOT NULL CHECK (kind = 'friend' OR kind = 'referral' OR kind = 'household'),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, other_id)
) {{WITHOUT_ROWID}};

CREATE TABLE reco_impressions (
    member_id BIGINT NOT NULL REFERENCES members(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    reason TEXT NOT NULL,
    first_shown_at BIGINT NOT NULL,
    shown_at BIGINT NOT NULL,
    converted_at BIGINT,                -- a showing earns one reward: shown again after this to earn more
    PRIMARY KEY (member_id, product_id)
) {{WITHOUT_ROWID}};
CREATE INDEX reco_impressions_first ON reco_impressions (first_shown_at);

CREATE TABLE reco_conversions (
    order_id BIGINT PRIMARY KEY REFERENCES orders(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    shown_at BIGINT NOT NULL,
    coupon_code TEXT,                   -- NULL when rewards are off
    created_at BIGINT NOT NULL
);
CREATE INDEX reco_conversions_time ON reco_conversions (created_at);

INSERT INTO settings (key, value) VALUES ('reco_reward_pct', '20');          -- 0: no coupon
INSERT INTO settings (key, value) VALUES ('reco_reward_valid_days', '30');
INSERT INTO settings (key, value) VALUES ('reco_reward_window_days', '14');  -- bought within this of being shown
