-- A partner's own service fee on transfers to banks; NULL uses the
-- platform default.
ALTER TABLE partners ADD COLUMN bank_transfer_fee bigint;
