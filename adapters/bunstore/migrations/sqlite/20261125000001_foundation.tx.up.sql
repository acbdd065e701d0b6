CREATE TABLE partners (
    id            text PRIMARY KEY,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('PARTNER', 'CHANNEL')),
    sealed_secret blob NOT NULL,
    created_at    timestamp NOT NULL
);

--bun:split

CREATE TABLE customers (
    id           text PRIMARY KEY,
    mobile       text NOT NULL UNIQUE,
    first_name   text NOT NULL,
    middle_name  text NOT NULL DEFAULT '',
    last_name    text NOT NULL DEFAULT '',
    email        text NOT NULL DEFAULT '',
    status       text NOT NULL,
    account_type text NOT NULL,
    kyc_status   text NOT NULL,
    created_at   timestamp NOT NULL,
    updated_at   timestamp NOT NULL
);

--bun:split

CREATE TABLE partner_customers (
    partner_id  text NOT NULL REFERENCES partners (id),
    customer_id text NOT NULL REFERENCES customers (id),
    created_at  timestamp NOT NULL,
    PRIMARY KEY (partner_id, customer_id)
);

--bun:split

CREATE TABLE otps (
    id         text PRIMARY KEY,
    mobile     text NOT NULL,
    purpose    text NOT NULL,
    hash       blob NOT NULL,
    state      text NOT NULL,
    attempts   integer NOT NULL DEFAULT 0,
    created_at timestamp NOT NULL,
    expires_at timestamp NOT NULL
);

--bun:split

CREATE INDEX otps_mobile_created ON otps (mobile, created_at);

--bun:split

CREATE TABLE sessions (
    id          text PRIMARY KEY,
    token_hash  blob NOT NULL UNIQUE,
    partner_id  text NOT NULL REFERENCES partners (id),
    customer_id text NOT NULL REFERENCES customers (id),
    created_at  timestamp NOT NULL,
    expires_at  timestamp NOT NULL,
    revoked_at  timestamp
);

--bun:split

-- Ledger accounts. Customer pockets now; system accounts join them with the
-- ledger. Cached balances never go negative (SPEC §7).
CREATE TABLE accounts (
    id         text PRIMARY KEY,
    kind       text NOT NULL,
    owner_id   text NOT NULL DEFAULT '',
    currency   text NOT NULL DEFAULT 'IDR',
    balance    integer NOT NULL DEFAULT 0 CHECK (balance >= 0),
    held       integer NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= balance),
    created_at timestamp NOT NULL
);

--bun:split

CREATE UNIQUE INDEX accounts_one_pocket ON accounts (owner_id) WHERE kind = 'POCKET';

--bun:split

CREATE TABLE notifications (
    id          text PRIMARY KEY,
    recipient   text NOT NULL,
    sealed      blob NOT NULL,
    state       text NOT NULL,
    channel     text NOT NULL,
    provider_id text NOT NULL DEFAULT '',
    expires_at  timestamp NOT NULL,
    created_at  timestamp NOT NULL,
    updated_at  timestamp NOT NULL
);

--bun:split

CREATE INDEX notifications_provider ON notifications (provider_id) WHERE provider_id <> '';

--bun:split

CREATE TABLE idempotency_keys (
    partner_id   text NOT NULL,
    key          text NOT NULL,
    request_hash blob NOT NULL,
    done         integer NOT NULL DEFAULT 0,
    locked_until timestamp NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    body         blob,
    created_at   timestamp NOT NULL,
    PRIMARY KEY (partner_id, key)
);
