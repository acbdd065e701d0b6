-- An operator may disable a partner (issue 13): its requests are refused.
ALTER TABLE partners ADD COLUMN disabled_at timestamptz;
