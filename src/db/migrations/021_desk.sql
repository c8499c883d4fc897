-- 021_desk.sql: the service desk's conversation model, one for every way a customer
-- reaches the chain. A message arrives by a medium (e-mail, SMS, web form, chat,
-- WeChat, Weibo, phone, the mobile SDK, the API: never called a channel, which is
-- where a sale happens); its sender is a contact, known by any of her identities
-- and linked to a member when one matches; her messages join her one open
-- conversation, which one agent holds (desk_agents counts what each holds against
-- her cap, claimed by conditional updates) or the queue keeps in order.
CREATE TABLE desk_contacts (
    id {{ID}},
    member_id BIGINT,                    -- the member she is (0..1 contact per member)
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX desk_contacts_member ON desk_contacts (member_id) WHERE member_id IS NOT NULL;

CREATE TABLE desk_identities (
    kind TEXT NOT NULL CHECK (kind = 'phone' OR kind = 'email' OR kind = 'wechat_openid' OR kind = 'wechat_unionid' OR kind = 'weibo_id' OR kind = 'member' OR kind = 'device'),
    value TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES desk_contacts(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX desk_identities_contact ON desk_identities (contact_id);

CREATE TABLE desk_agents (
    staff_id BIGINT PRIMARY KEY,
    available BIGINT NOT NULL DEFAULT 1,
    cap BIGINT NOT NULL CHECK (cap >= 0),
    holding BIGINT NOT NULL DEFAULT 0 CHECK (holding >= 0),   -- open conversations she holds
    updated_at BIGINT NOT NULL
);

CREATE TABLE desk_conversations (
    id {{ID}},
    contact_id BIGINT NOT NULL REFERENCES desk_contacts(id),
    medium TEXT NOT NULL,                -- the medium it began on (replies go out on the last one used)
    topic TEXT NOT NULL DEFAULT '',
    location_id BIGINT,                  -- the store it concerns, when known
    status TEXT NOT NULL CHECK (status = 'queued' OR status = 'assigned' OR status = 'resolved'),
    agent_id BIGINT,                     -- the staff account holding it
    opened_at BIGINT NOT NULL,
    assigned_at BIGINT,
    resolved_at BIGINT,
    last_message_at BIGINT NOT NULL
);
CREATE INDEX desk_conversations_contact ON desk_conversations (contact_id, status);
-- one open conversation per contact, however many of her messages arrive at once
CREATE UNIQUE INDEX desk_conversations_open ON desk_conversations (contact_id) WHERE status <> 'resolved';
CREATE INDEX desk_conversations_queue ON desk_conversations (status, opened_at);
CREATE INDEX desk_conversations_agent ON desk_conversations (agent_id, status);

CREATE TABLE desk_messages (
    id {{ID}},
    conversation_id BIGINT NOT NULL REFERENCES desk_conversations(id),
    direction TEXT NOT NULL CHECK (direction = 'in' OR direction = 'out'),
    medium TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',     -- "staff:7" for a reply; "" for the customer
    created_at BIGINT NOT NULL
);
CREATE INDEX desk_messages_conversation ON desk_messages (conversation_id, id);
