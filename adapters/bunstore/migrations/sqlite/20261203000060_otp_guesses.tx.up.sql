-- Wrong OTP codes across numbers, for the per-partner and per-address
-- guessing limits (app.GuessLimits), shared by every process. Purged by the
-- retention job.
CREATE TABLE otp_guesses (
    id integer PRIMARY KEY AUTOINCREMENT,
    partner_id text NOT NULL,
    source text NOT NULL,
    at timestamp NOT NULL
);

--bun:split

CREATE INDEX otp_guesses_partner ON otp_guesses (partner_id, at);

--bun:split

CREATE INDEX otp_guesses_source ON otp_guesses (source, at);
