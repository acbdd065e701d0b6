CREATE TABLE account_shards (
    account_id text NOT NULL REFERENCES accounts (id),
    shard      integer NOT NULL,
    balance    integer NOT NULL DEFAULT 0,
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
    amount          integer NOT NULL CHECK (amount > 0),
    fee             integer NOT NULL DEFAULT 0 CHECK (fee >= 0),
    order_id        text NOT NULL DEFAULT '',
    reference       text NOT NULL DEFAULT '',
    description     text NOT NULL DEFAULT '',
    refunded        integer NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    created_at      timestamp NOT NULL,
    updated_at      timestamp NOT NULL
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
    id             integer PRIMARY KEY AUTOINCREMENT,
    entry_id       text NOT NULL,
    transaction_id text NOT NULL,
    account_id     text NOT NULL REFERENCES accounts (id),
    amount         integer NOT NULL CHECK (amount <> 0),
    balance_after  integer,
    created_at     timestamp NOT NULL
);

--bun:split

CREATE INDEX postings_account ON postings (account_id);

--bun:split

CREATE INDEX postings_transaction ON postings (transaction_id, account_id);

--bun:split

CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable'); END;

--bun:split

CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable'); END;

--bun:split

CREATE TABLE monthly_incoming (
    customer_id text NOT NULL REFERENCES customers (id),
    month       text NOT NULL,
    amount      integer NOT NULL,
    PRIMARY KEY (customer_id, month)
);

--bun:split

INSERT INTO accounts (id, kind, owner_id, created_at) VALUES
    ('FEE_REVENUE', 'FEE_REVENUE', '', strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')),
    ('BANK_SETTLEMENT', 'BANK_SETTLEMENT', '', strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')),
    ('QRIS_SETTLEMENT', 'QRIS_SETTLEMENT', '', strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')),
    ('CASHOUT_CLEARING', 'CASHOUT_CLEARING', '', strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'));
