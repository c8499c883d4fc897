-- 004_gateways.sql: payments through gateways (WeChat Pay, Alipay): the QR or
-- prepay text a payment was created with and the client's idempotency key, and a
-- log of every gateway notification and answer, verified or not, for settlement.

ALTER TABLE payments ADD COLUMN gateway TEXT;          -- wechat_pay | alipay for gateway tenders
ALTER TABLE payments ADD COLUMN pay_url TEXT;          -- code_url / qr_code / prepay_id=...
ALTER TABLE payments ADD COLUMN idem_key TEXT;
CREATE UNIQUE INDEX payments_idem ON payments (order_id, idem_key);
CREATE INDEX payments_pending ON payments (status, created_at);

CREATE TABLE gateway_events (
    id {{ID}},
    gateway TEXT NOT NULL,              -- wechat_pay | alipay
    source TEXT NOT NULL,               -- notification | query | answer
    out_trade_no TEXT NOT NULL DEFAULT '',
    out_refund_no TEXT NOT NULL DEFAULT '',
    verified BIGINT NOT NULL,           -- 0: signature or decryption failed
    state TEXT NOT NULL DEFAULT '',     -- what the gateway said: paid, closed, refunded...
    amount BIGINT NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL,              -- applied, duplicate, amount_mismatch, unknown_trade, rejected, ...
    location_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX gateway_events_time ON gateway_events (created_at);
CREATE INDEX gateway_events_trade ON gateway_events (out_trade_no);
