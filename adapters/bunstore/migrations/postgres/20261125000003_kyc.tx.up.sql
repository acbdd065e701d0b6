-- The NIK is sealed (AES-GCM under the master key): it is personal data a
-- leaked backup must not expose. The last four digits stay readable for
-- support.
CREATE TABLE kyc_submissions (
    id           text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customers (id),
    nik_sealed   bytea NOT NULL,
    nik_last4    text NOT NULL,
    full_name    text NOT NULL,
    birth_date   timestamptz NOT NULL,
    status       text NOT NULL,
    reason       text NOT NULL DEFAULT '',
    submitted_at timestamptz NOT NULL,
    decided_at   timestamptz
);

--bun:split

CREATE INDEX kyc_submissions_customer ON kyc_submissions (customer_id, submitted_at);
