-- 017_return_withheld.sql: a return whose points were already spent keeps their
-- value from the refund (issue 12: the points were reversed only as far as the
-- balance went, the rest was lost in silence).
ALTER TABLE returns ADD COLUMN withheld BIGINT NOT NULL DEFAULT 0; -- fen kept from the refund for spent points
