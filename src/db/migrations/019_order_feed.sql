-- 019_order_feed.sql: what happened to orders, as a feed that sales writes in the
-- transaction of the change and other contexts read with their own cursor (issue 13:
-- orders called insight; now insight reads the feed). Rows are never updated; seq
-- orders them. kind: paid (a member's order was paid), claimed (a receipt became a
-- member's), imported (a member's sale was imported), returned (goods came back from
-- a member's order), moved (a merge moved from_member_id's orders to member_id).
CREATE TABLE order_feed (
    seq {{ID}},
    -- OR, not IN: SQLite builds an ephemeral table for an IN list at every write
    kind TEXT NOT NULL CHECK (kind = 'paid' OR kind = 'claimed' OR kind = 'imported' OR kind = 'returned' OR kind = 'moved'),
    order_id BIGINT NOT NULL DEFAULT 0,       -- 0: none (moved)
    member_id BIGINT NOT NULL,
    from_member_id BIGINT NOT NULL DEFAULT 0, -- moved: the member merged away
    created_at BIGINT NOT NULL                -- epoch ms, when written (not when the sale was)
);
CREATE INDEX order_feed_order ON order_feed (order_id);

-- how far insight has read the feed (one row)
CREATE TABLE insight_cursor (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO insight_cursor (id, seq, updated_at) VALUES (1, 0, 0);

-- what the old queue held waits in the feed
INSERT INTO order_feed (kind, order_id, member_id, created_at)
    SELECT 'paid', q.order_id, o.member_id, q.queued_at FROM insight_queue q JOIN orders o ON o.id = q.order_id
    WHERE o.member_id IS NOT NULL ORDER BY q.order_id;
DROP TABLE insight_queue;
-- a hole in seq (a transaction that rolled back, or one not yet committed) is read
-- past once the row after it is this old
INSERT INTO settings (key, value) VALUES ('order_feed_gap_seconds', '30');
