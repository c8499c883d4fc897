-- 018_gateway_expiry.sql: a gateway payment carries its expiry (the gateway closes
-- the trade then) and when o2o closed it at the gateway (issue 12: a QR code stayed
-- payable after the pay-by time and an order could stay stuck behind a pending
-- payment); payers identified by Alipay's OpenID.
ALTER TABLE payments ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0; -- epoch ms; 0: none
ALTER TABLE payments ADD COLUMN closed_at BIGINT NOT NULL DEFAULT 0;  -- closed at the gateway; 0: not (yet)

CREATE TABLE member_identities_v2 (
    kind TEXT NOT NULL CHECK (kind = 'wechat_openid' OR kind = 'wechat_unionid' OR kind = 'alipay_user_id' OR kind = 'alipay_open_id' OR kind = 'store_card' OR kind = 'email'),
    value TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);
INSERT INTO member_identities_v2 (kind, value, member_id, created_at)
    SELECT kind, value, member_id, created_at FROM member_identities;
DROP TABLE member_identities;
ALTER TABLE member_identities_v2 RENAME TO member_identities;
CREATE INDEX member_identities_member ON member_identities (member_id);
INSERT INTO settings (key, value) VALUES ('gateway_payment_minutes', '15');
