-- The bank gateway is the one CHANNEL partner whose transfer results
-- (POST /callbacks/bank-transfer/) are taken; other channels are refused.
ALTER TABLE partners ADD COLUMN bank_gateway boolean NOT NULL DEFAULT false;
