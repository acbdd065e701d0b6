ALTER TABLE transactions ADD COLUMN bank_code text NOT NULL DEFAULT '';

--bun:split

ALTER TABLE transactions ADD COLUMN bank_account text NOT NULL DEFAULT '';

--bun:split

ALTER TABLE transactions ADD COLUMN bank_account_name text NOT NULL DEFAULT '';

--bun:split

-- Pending transactions are what the settlement jobs and reconciliation of
-- holds look at.
CREATE INDEX transactions_pending ON transactions (status) WHERE status = 'PENDING';
