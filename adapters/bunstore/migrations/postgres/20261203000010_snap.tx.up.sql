-- SNAP BI door: the partner's RSA public key (PKIX DER) for access-token
-- requests, and the B2B access tokens, stored as SHA-256 hashes only.
ALTER TABLE partners ADD COLUMN snap_public_key bytea;

--bun:split

CREATE TABLE snap_tokens (
    token_hash bytea PRIMARY KEY,
    partner_id text NOT NULL REFERENCES partners (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

--bun:split

CREATE INDEX snap_tokens_partner ON snap_tokens (partner_id, expires_at);
