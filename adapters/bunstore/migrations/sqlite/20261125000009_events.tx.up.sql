ALTER TABLE partners ADD COLUMN callback_url text NOT NULL DEFAULT '';

--bun:split

-- Partner events: written in the transaction that changes a transaction's
-- state (the outbox), delivered by webhook jobs, read by subscriptions.
CREATE TABLE partner_events (
    id              text PRIMARY KEY,
    partner_id      text NOT NULL,
    customer_id     text NOT NULL,
    counterparty_id text NOT NULL DEFAULT '',
    reff_id         text NOT NULL,
    type            text NOT NULL,
    payload         blob NOT NULL,
    status          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamp NOT NULL,
    delivered_at    timestamp
);

--bun:split

CREATE INDEX partner_events_partner ON partner_events (partner_id, id);

--bun:split

CREATE INDEX partner_events_reff ON partner_events (reff_id, id);

--bun:split

CREATE INDEX partner_events_customer ON partner_events (customer_id, id);
