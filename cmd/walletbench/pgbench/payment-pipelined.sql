-- The same statements as payment-simple.sql, prepared (extended protocol) and with the
-- writes and COMMIT pipelined: what a pgx batch of prepared statements would send.
-- The first SELECT picks a payer (walletbench's bench_payers table); it is not part of a payment.
\set n random(1, :payers)
SELECT mobile, cid, aid, pid, mid FROM bench_payers WHERE n = :n \gset
BEGIN;
SELECT c.*, EXISTS (SELECT 1 FROM partner_customers AS b WHERE b.partner_id = :pid AND b.customer_id = c.id) AS bound, a.id AS pocket_id, a.balance AS pocket_balance, a.held AS pocket_held, a.created_at AS pocket_created_at FROM customers AS c JOIN accounts AS a ON a.owner_id = c.id AND a.kind = 'POCKET' WHERE (c.mobile = :mobile) FOR UPDATE OF a;
\startpipeline
INSERT INTO "postings" ("id", "entry_id", "transaction_id", "account_id", "amount", "balance_after", "created_at") VALUES (DEFAULT, 'E' || :client_id || ':' || :n, 'T' || :client_id || ':' || :n, :aid, -1000, 99000, now()), (DEFAULT, 'E' || :client_id || ':' || :n, 'T' || :client_id || ':' || :n, :mid, 1000, DEFAULT, now()) RETURNING "id", "balance_after";
UPDATE "accounts" AS "account_row" SET balance = balance - 1000, held = 0 WHERE (id = :aid);
INSERT INTO "account_shards" AS "shard_row" ("account_id", "shard", "balance") VALUES (:mid, 6, 1000) ON CONFLICT (account_id, shard) DO UPDATE SET balance = "shard_row".balance + EXCLUDED.balance;
INSERT INTO "transactions" ("id", "type", "status", "partner_id", "customer_id", "counterparty_id", "counterparty", "amount", "fee", "order_id", "reference", "description", "external_id", "bank_code", "bank_account", "bank_account_name", "qris_payload", "refunded", "created_at", "updated_at") VALUES (md5(random()::text), 'WALLET_PAYMENT', 'SUCCESS', :pid, :cid, '', 'Test PARTNER', 1000, 0, md5(random()::text), '', '', md5(random()::text), '', '', '', '', 0, now(), now());
INSERT INTO "partner_events" ("id", "partner_id", "customer_id", "counterparty_id", "reff_id", "type", "payload", "status", "attempts", "last_error", "created_at", "delivered_at") VALUES (md5(random()::text), :pid, :cid, '', md5(random()::text), 'transaction.updated', '\x7b226576656e744964223a2230314d38593151504e4559543551303841484446314250373141222c2274797065223a227472616e73616374696f6e2e75706461746564222c22726566664964223a2230314d38593151504e4559543551303841484437454856394251222c227472616e73616374696f6e54797065223a2257414c4c45545f5041594d454e54222c22737461747573223a2253554343455353222c22616d6f756e74223a2231303030222c2273657276696365466565223a2230222c22746f74616c416d6f756e74223a2231303030222c226f726465724964223a2252542d4f52444552222c226f636375727265644174223a22323032362d31322d30335432303a33333a30382b30373a3030227d', 'NO_ENDPOINT', 0, '', now(), NULL);
INSERT INTO "idempotency_keys" ("partner_id", "key", "request_hash", "done", "locked_until", "status", "body", "created_at") VALUES (:pid, md5(random()::text), '\x5158900e4e1019edde1cb755eaf18f319b53c4ac76d3a6c60e56f1557c5cca4f', TRUE, now(), 200, decode(repeat(md5(random()::text), 14), 'hex'), now());
COMMIT;
\endpipeline
