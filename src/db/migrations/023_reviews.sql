-- 023_reviews.sql: members' reviews of what they bought, one per order line: the
-- rating (and the first one, to see it revised), the text and photos, moderation
-- (published, held, rejected), the public reply, and for a bad one the alert that
-- went out and the service conversation it opened. Staff accounts get a phone and
-- an e-mail address (where such alerts reach them); a desk conversation may be
-- about an order.
CREATE TABLE reviews (
    id {{ID}},
    member_id BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    order_line_id BIGINT NOT NULL UNIQUE,
    sku_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    location_id BIGINT,                      -- the store that sold it (0..1)
    rating BIGINT NOT NULL CHECK (rating >= 1 AND rating <= 5),
    first_rating BIGINT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    photos TEXT NOT NULL DEFAULT '',         -- https URLs, one per line
    status TEXT NOT NULL CHECK (status = 'published' OR status = 'held' OR status = 'rejected'),
    alert TEXT NOT NULL DEFAULT '',          -- why it alerted: "rating 1", "words: dirty"; '' none
    conversation_id BIGINT,
    reply TEXT NOT NULL DEFAULT '',
    replied_by BIGINT,
    replied_at BIGINT,
    moderated_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reviews_product ON reviews (product_id, status, id);
CREATE INDEX reviews_location ON reviews (location_id, id);
CREATE INDEX reviews_member ON reviews (member_id, id);

ALTER TABLE staff ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN email TEXT NOT NULL DEFAULT '';

ALTER TABLE desk_conversations ADD COLUMN order_id BIGINT;
