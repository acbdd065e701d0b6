-- The QR a QRIS payment was made against: the settlement job resubmits it to
-- the switch when the process died before the switch saw it.
ALTER TABLE transactions ADD COLUMN qris_payload text NOT NULL DEFAULT '';
