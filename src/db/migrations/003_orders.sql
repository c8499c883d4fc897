-- 003_orders.sql: one order model for every channel. An order has lines (SKU, qty,
-- the catalog price at placement), fulfilments (the lines served from one stock
-- point: carry out at the till, pickup, delivery, or a transfer to the pickup
-- store), payments by tender and their refunds, an event timeline, returns, and
-- the routing decisions that chose its stock points with every candidate weighed.

CREATE TABLE orders (
    id {{ID}},
    channel TEXT NOT NULL CHECK (channel = 'pos' OR channel = 'web' OR channel = 'app' OR channel = 'miniprogram' OR channel = 'phone' OR channel = 'marketplace'),
    member_id BIGINT REFERENCES members(id),
    location_id BIGINT REFERENCES locations(id),   -- the selling store of a till sale
    mode TEXT NOT NULL CHECK (mode = 'carry_out' OR mode = 'pickup' OR mode = 'delivery'),
    pickup_location_id BIGINT REFERENCES locations(id),
    status TEXT NOT NULL CHECK (status = 'placed' OR status = 'paid' OR status = 'completed' OR status = 'cancelled' OR status = 'returned'),
    subtotal BIGINT NOT NULL,           -- fen, lines at catalog prices
    discount BIGINT NOT NULL DEFAULT 0, -- fen, from the coupon
    total BIGINT NOT NULL,              -- fen, subtotal - discount
    paid BIGINT NOT NULL DEFAULT 0,     -- fen captured
    refunded BIGINT NOT NULL DEFAULT 0, -- fen refunded
    points_earned BIGINT NOT NULL DEFAULT 0,
    coupon_code TEXT,
    address TEXT NOT NULL DEFAULT '',
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    contact_phone TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    pay_by BIGINT NOT NULL,             -- an unpaid order is cancelled after this
    created_at BIGINT NOT NULL          -- its last change is its last timeline event
);
CREATE INDEX orders_unpaid ON orders (status, pay_by);
CREATE INDEX orders_member ON orders (member_id, created_at);
CREATE INDEX orders_location ON orders (location_id, created_at);

CREATE TABLE fulfilments (
    id {{ID}},
    order_id BIGINT NOT NULL REFERENCES orders(id),
    kind TEXT NOT NULL CHECK (kind = 'carry_out' OR kind = 'pickup' OR kind = 'delivery' OR kind = 'transfer'),
    location_id BIGINT NOT NULL REFERENCES locations(id),  -- the stock point
    to_location_id BIGINT REFERENCES locations(id),        -- transfer: the pickup store
    status TEXT NOT NULL CHECK (status = 'allocated' OR status = 'picked' OR status = 'ready_for_pickup' OR status = 'shipped' OR status = 'delivered' OR status = 'picked_up' OR status = 'received' OR status = 'handed_over' OR status = 'rejected' OR status = 'cancelled'),
    pickup_code_hash TEXT,
    pickup_expires_at BIGINT,
    carrier TEXT NOT NULL DEFAULT '',
    tracking_no TEXT,
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX fulfilments_order ON fulfilments (order_id);
CREATE INDEX fulfilments_location ON fulfilments (location_id, status);
CREATE INDEX fulfilments_waiting ON fulfilments (status, pickup_expires_at);
CREATE UNIQUE INDEX fulfilments_tracking ON fulfilments (carrier, tracking_no) WHERE tracking_no IS NOT NULL;

CREATE TABLE order_lines (
    id {{ID}},
    order_id BIGINT NOT NULL REFERENCES orders(id),
    line_no BIGINT NOT NULL,
    sku_id BIGINT NOT NULL REFERENCES skus(id),
    qty BIGINT NOT NULL CHECK (qty > 0),
    unit_price BIGINT NOT NULL,         -- fen, the catalog price when placed
    discount BIGINT NOT NULL DEFAULT 0, -- fen, this line's share of the order discount
    amount BIGINT NOT NULL,             -- fen, qty * unit_price - discount
    fulfilment_id BIGINT REFERENCES fulfilments(id),
    reservation_id BIGINT,
    returned_qty BIGINT NOT NULL DEFAULT 0,
    UNIQUE (order_id, line_no)
);
CREATE INDEX order_lines_fulfilment ON order_lines (fulfilment_id);
CREATE INDEX order_lines_sku ON order_lines (sku_id);

CREATE TABLE payments (
    id {{ID}},
    order_id BIGINT NOT NULL REFERENCES orders(id),
    tender TEXT NOT NULL CHECK (tender = 'cash' OR tender = 'bank_card' OR tender = 'wechat_pay' OR tender = 'alipay' OR tender = 'scan' OR tender = 'points'),
    amount BIGINT NOT NULL CHECK (amount > 0),   -- fen
    refunded BIGINT NOT NULL DEFAULT 0,          -- fen
    points BIGINT NOT NULL DEFAULT 0,            -- points tender: points spent
    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'captured' OR status = 'failed' OR status = 'cancelled'),
    reference TEXT NOT NULL DEFAULT '',          -- terminal reference or the gateway's transaction id
    out_trade_no TEXT UNIQUE,                    -- our number towards a gateway
    payer TEXT NOT NULL DEFAULT '',              -- the gateway's payer identity
    location_id BIGINT REFERENCES locations(id), -- the store that took it (settlement)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_day ON payments (location_id, created_at);

CREATE TABLE refunds (
    id {{ID}},
    payment_id BIGINT NOT NULL REFERENCES payments(id),
    order_id BIGINT NOT NULL REFERENCES orders(id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    points BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'succeeded' OR status = 'failed'),
    out_refund_no TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    location_id BIGINT REFERENCES locations(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_pending ON refunds (status);

CREATE TABLE returns (
    id {{ID}},
    order_id BIGINT NOT NULL REFERENCES orders(id),
    location_id BIGINT NOT NULL REFERENCES locations(id), -- where the goods came back
    amount BIGINT NOT NULL,
    points_reversed BIGINT NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX returns_order ON returns (order_id);

CREATE TABLE order_events (
    order_id BIGINT NOT NULL REFERENCES orders(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    fulfilment_id BIGINT,
    detail TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (order_id, seq)
) {{WITHOUT_ROWID}};

CREATE TABLE routing_decisions (
    id {{ID}},
    order_id BIGINT NOT NULL REFERENCES orders(id),
    rule TEXT NOT NULL,                 -- which rule decided: pickup_store_complete, single_location_nearest, ...
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX routing_decisions_order ON routing_decisions (order_id);

CREATE TABLE routing_candidates (
    decision_id BIGINT NOT NULL REFERENCES routing_decisions(id),
    location_id BIGINT NOT NULL,
    distance_m DOUBLE PRECISION,
    lines_covered BIGINT NOT NULL,      -- lines this location could serve whole
    verdict TEXT NOT NULL,              -- chosen, farther, closed, too_far, over_capacity, kind_not_allowed, ...
    PRIMARY KEY (decision_id, location_id)
) {{WITHOUT_ROWID}};

CREATE TABLE routing_capacity (
    location_id BIGINT PRIMARY KEY REFERENCES locations(id),
    daily_capacity BIGINT NOT NULL CHECK (daily_capacity >= 0)  -- online fulfilments per local day
);

CREATE TABLE routing_load (
    location_id BIGINT NOT NULL,
    day TEXT NOT NULL,                  -- the location's local date
    used BIGINT NOT NULL,
    PRIMARY KEY (location_id, day)
) {{WITHOUT_ROWID}};

CREATE TABLE coupons (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    member_id BIGINT REFERENCES members(id),  -- NULL: anyone may use it (once)
    kind TEXT NOT NULL CHECK (kind = 'percent' OR kind = 'amount'),
    value BIGINT NOT NULL CHECK (value > 0),  -- percent off, or fen off
    min_spend BIGINT NOT NULL DEFAULT 0,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'issued' CHECK (status = 'issued' OR status = 'used' OR status = 'void'),
    order_id BIGINT,
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX coupons_member ON coupons (member_id);

INSERT INTO settings (key, value) VALUES ('order_payment_minutes', '15');
INSERT INTO settings (key, value) VALUES ('pickup_hold_days', '3');
INSERT INTO settings (key, value) VALUES ('return_window_days', '30');
INSERT INTO settings (key, value) VALUES ('points_value_fen', '1');
INSERT INTO settings (key, value) VALUES ('routing_from_stores', '1');
INSERT INTO settings (key, value) VALUES ('routing_from_warehouses', '1');
INSERT INTO settings (key, value) VALUES ('routing_max_distance_km', '0');
INSERT INTO settings (key, value) VALUES ('routing_daily_capacity', '0');
INSERT INTO settings (key, value) VALUES ('routing_pickup_shortfall', 'transfer');
