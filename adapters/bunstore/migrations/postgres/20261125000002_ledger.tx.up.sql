-- Balances of hot (non-pocket) accounts are spread over shards so that
-- concurrent movements to one merchant do not queue on one row (ADR 0004).
CREATE TABLE account_shards (
    account_id text NOT NULL REFERENCES accounts (id),
    shard      integer NOT NULL,
    balance    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, shard)
);

--bun:split

CREATE TABLE transactions (
    id              text PRIMARY KEY,
    type            text NOT NULL,
    status          text NOT NULL,
    partner_id      text NOT NULL,
    customer_id     text NOT NULL REFERENCES customers (id),
    counterparty_id text NOT NULL DEFAULT '',
    counterparty    text NOT NULL DEFAULT '',
    amount          bigint NOT NULL CHECK (amount > 0),
    fee             bigint NOT NULL DEFAULT 0 CHECK (fee >= 0),
    order_id        text NOT NULL DEFAULT '',
    reference       text NOT NULL DEFAULT '',
    description     text NOT NULL DEFAULT '',
    refunded        bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

--bun:split

CREATE UNIQUE INDEX transactions_order ON transactions (partner_id, order_id) WHERE type = 'WALLET_PAYMENT';

--bun:split

CREATE UNIQUE INDEX transactions_reference ON transactions (partner_id, reference) WHERE type IN ('TOPUP_VA', 'TOPUP_RETAIL');

--bun:split

CREATE INDEX transactions_customer ON transactions (customer_id, id);

--bun:split

CREATE INDEX transactions_counterparty ON transactions (counterparty_id, id) WHERE counterparty_id <> '';

--bun:split

-- A journal entry is the set of postings sharing an entry_id: one insert
-- per movement, no separate header row to write and index.
CREATE TABLE postings (
    id             bigserial PRIMARY KEY,
    entry_id       text NOT NULL,
    transaction_id text NOT NULL,
    account_id     text NOT NULL REFERENCES accounts (id),
    amount         bigint NOT NULL CHECK (amount <> 0),
    balance_after  bigint,
    created_at     timestamptz NOT NULL
);

--bun:split

CREATE INDEX postings_account ON postings (account_id);

--bun:split

CREATE INDEX postings_transaction ON postings (transaction_id, account_id);

--bun:split

-- Entries are immutable: corrections are new entries (SPEC §7).
CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are immutable';
END
$$;

--bun:split

CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION ledger_immutable();

--bun:split

CREATE TABLE monthly_incoming (
    customer_id text NOT NULL REFERENCES customers (id),
    month       text NOT NULL,
    amount      bigint NOT NULL,
    PRIMARY KEY (customer_id, month)
);

--bun:split

INSERT INTO accounts (id, kind, owner_id, created_at) VALUES
    ('FEE_REVENUE', 'FEE_REVENUE', '', now()),
    ('BANK_SETTLEMENT', 'BANK_SETTLEMENT', '', now()),
    ('QRIS_SETTLEMENT', 'QRIS_SETTLEMENT', '', now()),
    ('CASHOUT_CLEARING', 'CASHOUT_CLEARING', '', now());
