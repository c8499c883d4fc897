-- 022_messaging.sql: messages out through the chain's providers. An outbox message
-- now says what it is (one of the chain's templates with its parameters, for
-- providers that send only approved templates; its text beside), why it is sent
-- (auth, service, marketing), to which member, where it goes when its medium fails
-- (the fallback), until when it is worth sending, and what became of it: the
-- provider that took it and its reference there, when it was sent and delivered,
-- and the provider's reason for a failure.
ALTER TABLE outbox ADD COLUMN template TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
ALTER TABLE outbox ADD COLUMN purpose TEXT NOT NULL DEFAULT 'service';
ALTER TABLE outbox ADD COLUMN member_id BIGINT;
ALTER TABLE outbox ADD COLUMN fallback_topic TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN fallback_to TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN expires_at BIGINT;
ALTER TABLE outbox ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN provider_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN sent_at BIGINT;
ALTER TABLE outbox ADD COLUMN delivered_at BIGINT;
CREATE INDEX outbox_provider_ref ON outbox (provider, provider_ref);
CREATE INDEX outbox_recipient_sent ON outbox (recipient, sent_at);

-- A message that came in keeps the id its medium gave it (an e-mail's Message-ID,
-- WeChat's MsgId, an SMS provider's sequence), so that one pushed twice is taken once.
ALTER TABLE desk_messages ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX desk_messages_external ON desk_messages (medium, external_ref);

-- How a member wants to be reached: her medium (sms, wechat, email) and the one to
-- try when it fails, her consent to service messages (marketing has its own flag
-- since the beginning), and her quiet hours ("22-8", in her home store's time).
ALTER TABLE members ADD COLUMN prefer_medium TEXT NOT NULL DEFAULT 'sms';
ALTER TABLE members ADD COLUMN fallback_medium TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN consent_service BIGINT NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN quiet_hours TEXT NOT NULL DEFAULT '';
