-- 001_core.sql: the spine of o2o: locations, identity, catalog, members, points,
-- inventory, idempotency, outbox, audit. Portable SQL for SQLite and PostgreSQL;
-- {{ID}} is an auto-increment primary key; {{WITHOUT_ROWID}} clusters a SQLite table on its key. Money in fen, times in epoch ms.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('points_per_yuan', '1');
INSERT INTO settings (key, value) VALUES ('points_expiry_months', '24');
INSERT INTO settings (key, value) VALUES ('phone_default_cc', '86');

CREATE TABLE regions (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES regions(id),
    path TEXT NOT NULL,                 -- '/1/4/': ids from the root, for scope checks
    created_at BIGINT NOT NULL
);

CREATE TABLE locations (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'store' OR kind = 'warehouse' OR kind = 'restaurant'),
    region_id BIGINT NOT NULL REFERENCES regions(id),
    address TEXT NOT NULL DEFAULT '',
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    opens_at TEXT NOT NULL DEFAULT '09:00',
    closes_at TEXT NOT NULL DEFAULT '21:00',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'closed'),
    created_at BIGINT NOT NULL
);
CREATE INDEX locations_region ON locations (region_id);

CREATE TABLE staff (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role = 'owner' OR role = 'region_manager' OR role = 'store_manager' OR role = 'clerk' OR role = 'service_agent'),
    scope_kind TEXT NOT NULL CHECK (scope_kind = 'chain' OR scope_kind = 'region' OR scope_kind = 'location'),
    scope_id BIGINT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE login_attempts (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,        -- sha256 of the bearer token; the token itself is never stored
    kind TEXT NOT NULL CHECK (kind = 'staff' OR kind = 'member'),
    subject_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id {{ID}},
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,               -- first characters, to recognise a key in lists
    name TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL CHECK (channel = 'pos' OR channel = 'web' OR channel = 'app' OR channel = 'miniprogram' OR channel = 'phone' OR channel = 'marketplace'),
    location_id BIGINT REFERENCES locations(id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE otp_codes (
    id {{ID}},
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    used BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX otp_codes_phone ON otp_codes (phone, created_at);

CREATE TABLE outbox (
    id {{ID}},
    topic TEXT NOT NULL,                -- 'sms', 'email', 'webhook', ...
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'sent' OR status = 'failed'),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (status, next_at);

CREATE TABLE idempotency (
    scope TEXT NOT NULL,                -- who sent it: 'staff:3', 'key:7', 'member:9'
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,          -- sha256 of method, path and body
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE audit_log (
    id {{ID}},
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE brands (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE categories (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES categories(id),
    path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE products (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    brand_id BIGINT REFERENCES brands(id),
    category_id BIGINT REFERENCES categories(id),
    description TEXT NOT NULL DEFAULT '',
    launch_at BIGINT NOT NULL DEFAULT 0,   -- no channel sees the product before this instant
    created_at BIGINT NOT NULL
);
CREATE INDEX products_brand ON products (brand_id);
CREATE INDEX products_category ON products (category_id);

CREATE TABLE skus (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    product_id BIGINT NOT NULL REFERENCES products(id),
    size TEXT NOT NULL DEFAULT '',
    colour TEXT NOT NULL DEFAULT '',
    barcode TEXT UNIQUE,
    price BIGINT NOT NULL CHECK (price >= 0),   -- one list price in fen for every channel
    created_at BIGINT NOT NULL
);
CREATE INDEX skus_product ON skus (product_id);

CREATE TABLE tiers (
    code TEXT PRIMARY KEY,
    min_spend_12m BIGINT NOT NULL,      -- fen spent in the last 365 days
    earn_pct BIGINT NOT NULL            -- earn multiplier in percent
);
INSERT INTO tiers (code, min_spend_12m, earn_pct) VALUES ('standard', 0, 100);
INSERT INTO tiers (code, min_spend_12m, earn_pct) VALUES ('silver', 500000, 125);
INSERT INTO tiers (code, min_spend_12m, earn_pct) VALUES ('gold', 2000000, 150);
INSERT INTO tiers (code, min_spend_12m, earn_pct) VALUES ('platinum', 5000000, 200);

CREATE TABLE members (
    id {{ID}},
    phone TEXT NOT NULL UNIQUE,         -- E.164
    name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'merged'),
    merged_into BIGINT REFERENCES members(id),
    tier TEXT NOT NULL DEFAULT 'standard',
    consent_marketing BIGINT NOT NULL DEFAULT 0,
    consent_sms BIGINT NOT NULL DEFAULT 0,
    consent_email BIGINT NOT NULL DEFAULT 0,
    points BIGINT NOT NULL DEFAULT 0 CHECK (points >= 0),  -- = SUM(point_entries.points), kept by points.c
    home_location_id BIGINT REFERENCES locations(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE member_identities (
    kind TEXT NOT NULL CHECK (kind = 'wechat_openid' OR kind = 'wechat_unionid' OR kind = 'alipay_user_id' OR kind = 'store_card' OR kind = 'email'),
    value TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX member_identities_member ON member_identities (member_id);

CREATE TABLE point_entries (
    id {{ID}},
    member_id BIGINT NOT NULL REFERENCES members(id),
    kind TEXT NOT NULL CHECK (kind = 'earn' OR kind = 'redeem' OR kind = 'adjust' OR kind = 'expire' OR kind = 'transfer_in' OR kind = 'transfer_out'),
    points BIGINT NOT NULL,             -- signed change of the balance
    amount BIGINT NOT NULL DEFAULT 0,   -- earn: fen spent (the rolling 12-month spend behind tiers)
    remaining BIGINT NOT NULL DEFAULT 0,-- for credits: points of this lot not yet spent or expired
    expires_at BIGINT,                  -- for credits
    channel TEXT NOT NULL DEFAULT '',
    location_id BIGINT,
    reason TEXT NOT NULL DEFAULT '',
    ref TEXT NOT NULL DEFAULT '',
    idem_key TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX point_entries_member ON point_entries (member_id, created_at);
CREATE INDEX point_entries_due ON point_entries (expires_at) WHERE remaining > 0;
CREATE UNIQUE INDEX point_entries_idem ON point_entries (member_id, idem_key) WHERE idem_key IS NOT NULL;

CREATE TABLE stock (
    sku_id BIGINT NOT NULL REFERENCES skus(id),
    location_id BIGINT NOT NULL REFERENCES locations(id),
    on_hand BIGINT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    PRIMARY KEY (sku_id, location_id)
) {{WITHOUT_ROWID}};
CREATE INDEX stock_location ON stock (location_id);

CREATE TABLE stock_movements (
    id {{ID}},
    sku_id BIGINT NOT NULL,
    location_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind = 'receive' OR kind = 'adjust' OR kind = 'transfer_out' OR kind = 'transfer_in' OR kind = 'sale' OR kind = 'return'),
    qty BIGINT NOT NULL,                -- signed change of on hand
    reason TEXT NOT NULL DEFAULT '',
    ref TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX stock_movements_sku ON stock_movements (sku_id, location_id);

CREATE TABLE reservations (
    id {{ID}},
    sku_id BIGINT NOT NULL,
    location_id BIGINT NOT NULL,
    qty BIGINT NOT NULL CHECK (qty > 0),
    status TEXT NOT NULL DEFAULT 'held' CHECK (status = 'held' OR status = 'released' OR status = 'consumed' OR status = 'expired'),
    ref TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX reservations_held ON reservations (status, expires_at);
