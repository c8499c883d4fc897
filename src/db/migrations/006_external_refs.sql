-- 006_external_refs.sql: orders imported from another system keep their number
-- there (e.g. an invoice number), so that an import run twice loads them once.
ALTER TABLE orders ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX orders_external_ref ON orders (external_ref);
