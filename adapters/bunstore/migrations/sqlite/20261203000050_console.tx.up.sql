-- Back-office console (issue 13): operators, their sessions (only token
-- hashes are stored) and the audit log of everything they do.
CREATE TABLE operators (
    id            text PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('REVIEWER', 'SUPPORT', 'ADMIN')),
    password_hash text NOT NULL,
    created_at    timestamp NOT NULL,
    disabled_at   timestamp
);

--bun:split

CREATE TABLE operator_sessions (
    token_hash  blob PRIMARY KEY,
    operator_id text NOT NULL REFERENCES operators (id),
    created_at  timestamp NOT NULL,
    expires_at  timestamp NOT NULL
);

--bun:split

-- Append-only: nothing updates or deletes audit lines. operator_id is not a
-- foreign key because failed sign-ins name no operator.
CREATE TABLE operator_audit (
    id          text PRIMARY KEY,
    operator_id text NOT NULL,
    email       text NOT NULL,
    action      text NOT NULL,
    target      text NOT NULL DEFAULT '',
    detail      text NOT NULL DEFAULT '',
    outcome     text NOT NULL,
    at          timestamp NOT NULL
);

--bun:split

CREATE INDEX kyc_submissions_pending ON kyc_submissions (submitted_at) WHERE status = 'PENDING';

--bun:split

CREATE INDEX transactions_created ON transactions (created_at);
