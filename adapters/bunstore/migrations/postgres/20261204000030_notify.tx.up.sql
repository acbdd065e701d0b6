-- Change notifications (ADR 0013). Every server process LISTENs on one
-- channel per schema, "wallet:<schema>", and learns within milliseconds of a
-- commit that a partner changed (it drops its cached copy: secret, disable,
-- fee, callback URL) or that a customer session was revoked (its GraphQL
-- subscriptions end). Triggers rather than application code: every writer
-- (servers, the CLI, an operator's psql) notifies, and the NOTIFY is part
-- of the transaction, so it is sent exactly when the change commits and
-- never for a rollback. Payloads stay far below NOTIFY's 8000 bytes: a kind
-- letter and ids. New partner events ("e <customer>…") are notified by the
-- store after commit instead (adapters/bunstore/notify.go): a NOTIFY inside
-- every money movement would serialise their commits.
CREATE FUNCTION wallet_notify_partner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('wallet:' || TG_TABLE_SCHEMA, 'p ' || OLD.id);
    ELSE
        PERFORM pg_notify('wallet:' || TG_TABLE_SCHEMA, 'p ' || NEW.id);
    END IF;
    RETURN NULL;
END $$;

--bun:split

CREATE TRIGGER partners_notify AFTER INSERT OR UPDATE OR DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION wallet_notify_partner();

--bun:split

CREATE FUNCTION wallet_notify_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('wallet:' || TG_TABLE_SCHEMA, 's ' || NEW.customer_id);
    RETURN NULL;
END $$;

--bun:split

CREATE TRIGGER sessions_notify AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at) EXECUTE FUNCTION wallet_notify_session();
