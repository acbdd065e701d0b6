-- The process that holds an unfinished idempotency claim (ADR 0011): a
-- retry may take the claim over as soon as that process is gone, instead of
-- after a fixed lease. '' on claims written before this column (they keep
-- the lease rule).
ALTER TABLE idempotency_keys ADD COLUMN holder text NOT NULL DEFAULT '';
