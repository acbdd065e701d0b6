-- Partner administration: a disabled partner is refused by every door; a
-- rotated secret keeps the previous one valid until retired_secret_until.
ALTER TABLE partners ADD COLUMN disabled boolean NOT NULL DEFAULT false;
ALTER TABLE partners ADD COLUMN retired_secret bytea;
ALTER TABLE partners ADD COLUMN retired_secret_until timestamptz;
