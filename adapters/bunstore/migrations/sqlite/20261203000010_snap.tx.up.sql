-- SNAP BI door: the partner's RSA public key (PKIX DER) for access-token
-- requests, and the B2B access tokens, stored as SHA-256 hashes only.
ALTER TABLE partners ADD COLUMN snap_public_key blob;

--bun:split

CREATE TABLE snap_tokens (
    token_hash blob PRIMARY KEY,
    partner_id text NOT NULL REFERENCES partners (id),
    created_at timestamp NOT NULL,
    expires_at timestamp NOT NULL
);

--bun:split

CREATE INDEX snap_tokens_partner ON snap_tokens (partner_id, expires_at);
