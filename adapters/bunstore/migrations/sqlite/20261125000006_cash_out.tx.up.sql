-- One-time cash-out codes, kept as keyed hashes; a store's reference makes
-- its redemption idempotent.
CREATE TABLE cash_out_codes (
    code_hash       blob PRIMARY KEY,
    transaction_id  text NOT NULL UNIQUE REFERENCES transactions (id),
    expires_at      timestamp NOT NULL,
    redeemed_by     text NOT NULL DEFAULT '',
    store_reference text NOT NULL DEFAULT ''
);

--bun:split

CREATE UNIQUE INDEX cash_out_codes_store_reference ON cash_out_codes (redeemed_by, store_reference) WHERE redeemed_by <> '';
