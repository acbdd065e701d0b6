-- Change notifications are PostgreSQL's LISTEN/NOTIFY (ADR 0013). The
-- embedded store serves one process, which drops its own cached partners
-- and whose subscriptions poll: nothing to install. This migration keeps
-- the numbering of both dialects aligned.
SELECT 1;
