-- 012_report_indexes.sql: what a store's daily report looks up by store and day,
-- so that building thousands of stores' reports does not scan the whole history
-- once per store. Till sales (the hot path) have no pickup store: the partial
-- index costs them nothing.

CREATE INDEX orders_pickup_day ON orders (pickup_location_id, created_at) WHERE pickup_location_id IS NOT NULL;
CREATE INDEX returns_day ON returns (location_id, created_at);
CREATE INDEX point_entries_day ON point_entries (location_id, created_at);
CREATE INDEX members_home_day ON members (home_location_id, created_at);
