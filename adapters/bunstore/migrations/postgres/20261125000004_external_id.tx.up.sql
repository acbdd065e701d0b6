-- The partner's X-EXTERNAL-ID travels with the money movement it started, so
-- that a retry whose stored response was lost (crash between commit and
-- response) finds the movement instead of repeating it (ADR 0002).
ALTER TABLE transactions ADD COLUMN external_id text NOT NULL DEFAULT '';

--bun:split

CREATE UNIQUE INDEX transactions_external ON transactions (partner_id, external_id) WHERE external_id <> '';
