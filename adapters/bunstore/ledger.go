package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

// Shards is how many rows a hot account's balance is spread over.
const Shards = 16

type accountRow struct {
	bun.BaseModel `bun:"table:accounts"`
	ID            string    `bun:"id,pk"`
	Kind          string    `bun:"kind"`
	OwnerID       string    `bun:"owner_id"`
	Currency      string    `bun:"currency"`
	Balance       int64     `bun:"balance"`
	Held          int64     `bun:"held"`
	CreatedAt     time.Time `bun:"created_at"`
}

func (r *accountRow) toDomain() *wallet.Account {
	return wallet.Rehydrate(r.ID, wallet.Kind(r.Kind), r.OwnerID, r.Balance, r.Held, r.CreatedAt)
}

type postingRow struct {
	bun.BaseModel `bun:"table:postings"`
	ID            int64     `bun:"id,pk,autoincrement"`
	EntryID       string    `bun:"entry_id"`
	TransactionID string    `bun:"transaction_id"`
	AccountID     string    `bun:"account_id"`
	Amount        int64     `bun:"amount"`
	BalanceAfter  *int64    `bun:"balance_after"`
	CreatedAt     time.Time `bun:"created_at"`
}

type shardRow struct {
	bun.BaseModel `bun:"table:account_shards"`
	AccountID     string `bun:"account_id,pk"`
	Shard         int    `bun:"shard,pk"`
	Balance       int64  `bun:"balance"`
}

type incomingRow struct {
	bun.BaseModel `bun:"table:monthly_incoming"`
	CustomerID    string `bun:"customer_id,pk"`
	Month         string `bun:"month,pk"`
	Amount        int64  `bun:"amount"`
}

type accountRepo struct{ store }

var _ wallet.Repository = accountRepo{}

func (r accountRepo) Open(ctx context.Context, a *wallet.Account) error {
	q := r.db.NewInsert().Model(&accountRow{ID: a.ID(), Kind: string(a.Kind()), OwnerID: a.OwnerID(),
		Currency: wallet.Currency, Balance: a.Balance(), Held: a.Held(), CreatedAt: utc(a.CreatedAt())})
	if a.Kind().Sharded() {
		q = q.On("CONFLICT (id) DO NOTHING")
	}
	_, err := q.Exec(ctx)
	return err
}

func (r accountRepo) PocketOf(ctx context.Context, customerID string, lock bool) (*wallet.Account, error) {
	row := new(accountRow)
	q := r.db.NewSelect().Model(row).Where("owner_id = ? AND kind = ?", customerID, string(wallet.KindPocket))
	if err := r.forUpdate(q, lock).Scan(ctx); err != nil {
		return nil, one(err, wallet.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r accountRepo) Post(ctx context.Context, e *wallet.Entry, pockets ...*wallet.Account) error {
	now := utc(e.CreatedAt())
	for _, p := range pockets {
		e.SetBalanceAfter(p.ID(), p.Balance())
	}
	postings := e.Postings()
	rows := make([]postingRow, len(postings))
	var hot []wallet.Posting
	for i, p := range postings {
		rows[i] = postingRow{EntryID: e.ID(), TransactionID: e.TransactionID(), AccountID: p.AccountID, Amount: p.Amount, CreatedAt: now}
		given := slices.ContainsFunc(pockets, func(a *wallet.Account) bool { return a.ID() == p.AccountID })
		_, system := wallet.SystemKind(p.AccountID)
		switch {
		case given && !system:
			rows[i].BalanceAfter = &postings[i].BalanceAfter
		case system && !given:
			hot = append(hot, p)
		default:
			// A pocket whose locked state the caller did not pass would
			// be posted without its cached balance: refuse, never guess.
			return fmt.Errorf("post: account %s is a pocket not given to Post, or a system account given as one", p.AccountID)
		}
	}
	if r.batch != nil {
		if err := r.batch.addParams("postings", false, insertPostingsSQL(len(rows)), postingArgs(rows)...); err != nil {
			return err
		}
	} else if _, err := r.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return err
	}
	for _, p := range pockets {
		if r.batch != nil {
			// Batched: the pocket was read under lock in this
			// transaction, so the row is there.
			if err := r.batch.addParams("accounts", true, `UPDATE accounts SET balance = $1, held = $2 WHERE id = $3`,
				p.Balance(), p.Held(), p.ID()); err != nil {
				return err
			}
			continue
		}
		q := r.db.NewUpdate().Model((*accountRow)(nil)).Set("balance = ?", p.Balance()).Set("held = ?", p.Held()).
			Where("id = ?", p.ID())
		res, err := q.Exec(ctx)
		if err := updatedOne(res, err, wallet.ErrNotFound); err != nil {
			return err
		}
	}
	// Hot accounts last and in id order, after every pocket lock, so that
	// lock waits always point the same way.
	slices.SortFunc(hot, func(a, b wallet.Posting) int {
		if a.AccountID < b.AccountID {
			return -1
		}
		if a.AccountID > b.AccountID {
			return 1
		}
		return 0
	})
	for _, p := range hot {
		shard := rand.IntN(Shards)
		var err error
		if r.batch != nil {
			err = r.batch.addParams("account_shards", true, `INSERT INTO account_shards AS s (account_id, shard, balance) VALUES ($1, $2, $3)
				ON CONFLICT (account_id, shard) DO UPDATE SET balance = s.balance + EXCLUDED.balance`, p.AccountID, shard, p.Amount)
		} else {
			_, err = r.db.NewInsert().Model(&shardRow{AccountID: p.AccountID, Shard: shard, Balance: p.Amount}).
				On("CONFLICT (account_id, shard) DO UPDATE").Set("balance = ?TableAlias.balance + EXCLUDED.balance").Exec(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r accountRepo) SaveHolds(ctx context.Context, a *wallet.Account) error {
	res, err := r.db.NewUpdate().Model((*accountRow)(nil)).Set("held = ?", a.Held()).Where("id = ?", a.ID()).Exec(ctx)
	return updatedOne(res, err, wallet.ErrNotFound)
}

func (r accountRepo) IncomingThisMonth(ctx context.Context, customerID string, at time.Time) (int64, error) {
	var amount int64
	err := r.db.NewSelect().Model((*incomingRow)(nil)).Column("amount").
		Where("customer_id = ? AND month = ?", customerID, wallet.Month(at)).Scan(ctx, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return amount, err
}

func (r accountRepo) AddIncoming(ctx context.Context, customerID string, at time.Time, amount int64) error {
	return r.later(ctx, r.db.NewInsert().Model(&incomingRow{CustomerID: customerID, Month: wallet.Month(at), Amount: amount}).
		On("CONFLICT (customer_id, month) DO UPDATE").Set("amount = ?TableAlias.amount + EXCLUDED.amount"))
}

func (r accountRepo) BalanceAfter(ctx context.Context, transactionID, accountID string) (int64, error) {
	var b sql.NullInt64
	err := r.db.NewSelect().Model((*postingRow)(nil)).Column("balance_after").
		Where("transaction_id = ? AND account_id = ?", transactionID, accountID).Order("id DESC").Limit(1).Scan(ctx, &b)
	if err != nil {
		return 0, one(err, wallet.ErrNotFound)
	}
	if !b.Valid {
		return 0, wallet.ErrNotFound
	}
	return b.Int64, nil
}

// Transactions.

type transactionRow struct {
	bun.BaseModel  `bun:"table:transactions"`
	ID             string    `bun:"id,pk"`
	Type           string    `bun:"type"`
	Status         string    `bun:"status"`
	PartnerID      string    `bun:"partner_id"`
	CustomerID     string    `bun:"customer_id"`
	CounterpartyID string    `bun:"counterparty_id"`
	Counterparty   string    `bun:"counterparty"`
	Amount         int64     `bun:"amount"`
	Fee            int64     `bun:"fee"`
	OrderID        string    `bun:"order_id"`
	Reference      string    `bun:"reference"`
	Description    string    `bun:"description"`
	ExternalID     string    `bun:"external_id"`
	BankCode       string    `bun:"bank_code"`
	BankAccount    string    `bun:"bank_account"`
	BankName       string    `bun:"bank_account_name"`
	QRISPayload    string    `bun:"qris_payload"`
	Refunded       int64     `bun:"refunded"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func transactionFromDomain(t *transfer.Transaction) *transactionRow {
	return &transactionRow{ID: t.ID(), Type: string(t.Type()), Status: string(t.Status()), PartnerID: t.PartnerID(),
		CustomerID: t.CustomerID(), CounterpartyID: t.CounterpartyID(), Counterparty: t.Counterparty(),
		Amount: t.Amount(), Fee: t.Fee(), OrderID: t.OrderID(), Reference: t.Reference(), Description: t.Description(),
		ExternalID: t.ExternalID(), Refunded: t.Refunded(),
		BankCode: t.Bank().BankCode, BankAccount: t.Bank().Number, BankName: t.Bank().Name, QRISPayload: t.QRISPayload(), CreatedAt: utc(t.CreatedAt()), UpdatedAt: utc(t.UpdatedAt())}
}

func (r *transactionRow) toDomain() *transfer.Transaction {
	return transfer.Rehydrate(transfer.Snapshot{ID: r.ID, Type: transfer.Type(r.Type), Status: transfer.Status(r.Status),
		PartnerID: r.PartnerID, CustomerID: r.CustomerID, CounterpartyID: r.CounterpartyID, Counterparty: r.Counterparty,
		Amount: r.Amount, Fee: r.Fee, OrderID: r.OrderID, Reference: r.Reference, Description: r.Description,
		ExternalID: r.ExternalID, Refunded: r.Refunded,
		Bank: transfer.BankAccount{BankCode: r.BankCode, Number: r.BankAccount, Name: r.BankName}, QRIS: r.QRISPayload, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
}

type transactionRepo struct{ store }

var _ transfer.Repository = transactionRepo{}

func (r transactionRepo) Add(ctx context.Context, t *transfer.Transaction) error {
	row := transactionFromDomain(t)
	var err error
	if r.batch != nil {
		err = r.batch.addParams("transactions", false, `INSERT INTO transactions (id, type, status, partner_id, customer_id,
			counterparty_id, counterparty, amount, fee, order_id, reference, description, external_id, bank_code, bank_account,
			bank_account_name, qris_payload, refunded, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			row.ID, row.Type, row.Status, row.PartnerID, row.CustomerID, row.CounterpartyID, row.Counterparty, row.Amount, row.Fee,
			row.OrderID, row.Reference, row.Description, row.ExternalID, row.BankCode, row.BankAccount, row.BankName, row.QRISPayload,
			row.Refunded, row.CreatedAt, row.UpdatedAt)
	} else {
		_, err = r.db.NewInsert().Model(row).Exec(ctx)
	}
	if isUniqueViolation(err) {
		return uniqueViolation(err, t)
	}
	return err
}

// uniqueViolation names the business key a duplicate insert hit.
func uniqueViolation(err error, t *transfer.Transaction) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "transactions_external") || strings.Contains(msg, "external_id"):
		return transfer.ErrExternalIDReused
	case strings.Contains(msg, "transactions_order") || strings.Contains(msg, "order_id"):
		return transfer.ErrOrderIDUsed
	case strings.Contains(msg, "transactions_reference") || strings.Contains(msg, "reference"):
		return transfer.ErrReferenceReused
	}
	return fmt.Errorf("duplicate transaction %s: %w", t.ID(), err)
}

func (r transactionRepo) ByExternalID(ctx context.Context, partnerID, externalID string) (*transfer.Transaction, error) {
	row := new(transactionRow)
	if externalID == "" {
		return nil, transfer.ErrNotFound
	}
	if err := r.db.NewSelect().Model(row).Where("partner_id = ? AND external_id = ?", partnerID, externalID).Scan(ctx); err != nil {
		return nil, one(err, transfer.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r transactionRepo) ByID(ctx context.Context, id string, lock bool) (*transfer.Transaction, error) {
	row := new(transactionRow)
	if err := r.forUpdate(r.db.NewSelect().Model(row).Where("id = ?", id), lock).Scan(ctx); err != nil {
		return nil, one(err, transfer.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r transactionRepo) ByOrderID(ctx context.Context, partnerID, orderID string, lock bool) (*transfer.Transaction, error) {
	row := new(transactionRow)
	q := r.db.NewSelect().Model(row).Where("partner_id = ? AND order_id = ? AND type = ?", partnerID, orderID, string(transfer.TypePayment))
	if err := r.forUpdate(q, lock).Scan(ctx); err != nil {
		return nil, one(err, transfer.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r transactionRepo) ByReference(ctx context.Context, partnerID, reference string) (*transfer.Transaction, error) {
	row := new(transactionRow)
	err := r.db.NewSelect().Model(row).Where("partner_id = ? AND reference = ? AND type IN (?)", partnerID, reference,
		bun.In([]string{string(transfer.TypeTopUpVA), string(transfer.TypeTopUpRetail)})).Scan(ctx)
	if err != nil {
		return nil, one(err, transfer.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r transactionRepo) Update(ctx context.Context, t *transfer.Transaction) error {
	res, err := r.db.NewUpdate().Model(transactionFromDomain(t)).WherePK().Column("status", "refunded", "updated_at").Exec(ctx)
	return updatedOne(res, err, transfer.ErrNotFound)
}

type historyRow struct {
	transactionRow `bun:",extend"`
	BalanceAfter   *int64 `bun:"balance_after,scanonly"`
	PayerMobile    string `bun:"payer_mobile,scanonly"`
}

func (r transactionRepo) History(ctx context.Context, customerID, pocketID string, f transfer.HistoryFilter) ([]transfer.HistoryItem, error) {
	var rows []historyRow
	// The customer's own transactions and those it received, each read
	// newest first along its index and cut at the page size, then merged:
	// a page costs the same at any depth and any history length (an OR of
	// the two would collect and sort the whole history first).
	side := func(column string) *bun.SelectQuery {
		q := r.db.NewSelect().TableExpr("transactions AS s").ColumnExpr("s.*").Where("s."+column+" = ?", customerID)
		if f.Cursor != "" {
			q = q.Where("s.id < ?", f.Cursor)
		}
		if !f.From.IsZero() {
			q = q.Where("s.created_at >= ?", utc(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("s.created_at < ?", utc(f.To))
		}
		if f.Type != "" {
			q = q.Where("s.type = ?", string(f.Type))
		}
		if f.Limit > 0 {
			q = q.Limit(int64(f.Limit))
		}
		return q.Order("s.id DESC")
	}
	q := r.db.NewSelect().Model(&rows).
		ModelTableExpr("(SELECT * FROM (?) AS own UNION ALL SELECT * FROM (?) AS received) AS t",
			side("customer_id"), side("counterparty_id")).
		ColumnExpr("t.*").
		ColumnExpr("(SELECT p.balance_after FROM postings AS p WHERE p.transaction_id = t.id AND p.account_id = ? ORDER BY p.id DESC LIMIT 1) AS balance_after", pocketID).
		ColumnExpr("(SELECT c.mobile FROM customers AS c WHERE c.id = t.customer_id) AS payer_mobile")
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Order("t.id DESC").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]transfer.HistoryItem, len(rows))
	for i := range rows {
		t := rows[i].toDomain()
		incoming := t.CounterpartyID() == customerID || t.Type() == transfer.TypeTopUpVA ||
			t.Type() == transfer.TypeTopUpRetail || t.Type() == transfer.TypeRefund
		out[i] = transfer.HistoryItem{Transaction: t, BalanceAfter: rows[i].BalanceAfter, Incoming: incoming,
			Counterparty: t.Counterparty()}
		if t.CounterpartyID() == customerID {
			out[i].Counterparty = customer.MobileNumber(rows[i].PayerMobile).Masked()
		}
	}
	return out, nil
}

// Cash-out codes.

type cashOutRow struct {
	bun.BaseModel  `bun:"table:cash_out_codes"`
	CodeHash       []byte    `bun:"code_hash,pk"`
	TransactionID  string    `bun:"transaction_id"`
	ExpiresAt      time.Time `bun:"expires_at"`
	RedeemedBy     string    `bun:"redeemed_by"`
	StoreReference string    `bun:"store_reference"`
}

func (r *cashOutRow) toDomain() transfer.CashOutCode {
	return transfer.CashOutCode{TransactionID: r.TransactionID, CodeHash: r.CodeHash, ExpiresAt: r.ExpiresAt,
		RedeemedBy: r.RedeemedBy, StoreReference: r.StoreReference}
}

func (r transactionRepo) AddCashOutCode(ctx context.Context, c transfer.CashOutCode) error {
	_, err := r.db.NewInsert().Model(&cashOutRow{CodeHash: c.CodeHash, TransactionID: c.TransactionID,
		ExpiresAt: utc(c.ExpiresAt)}).Exec(ctx)
	return err
}

func (r transactionRepo) CashOutByCode(ctx context.Context, codeHash []byte) (transfer.CashOutCode, error) {
	row := new(cashOutRow)
	if err := r.db.NewSelect().Model(row).Where("code_hash = ?", codeHash).Scan(ctx); err != nil {
		return transfer.CashOutCode{}, one(err, transfer.ErrCashOutCodeInvalid)
	}
	return row.toDomain(), nil
}

func (r transactionRepo) CashOutByStoreReference(ctx context.Context, partnerID, storeReference string) (transfer.CashOutCode, error) {
	row := new(cashOutRow)
	err := r.db.NewSelect().Model(row).Where("redeemed_by = ? AND redeemed_by <> '' AND store_reference = ?", partnerID, storeReference).Scan(ctx)
	if err != nil {
		return transfer.CashOutCode{}, one(err, transfer.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r transactionRepo) RedeemCashOutCode(ctx context.Context, codeHash []byte, partnerID, storeReference string) error {
	res, err := r.db.NewUpdate().Model((*cashOutRow)(nil)).Set("redeemed_by = ?", partnerID).
		Set("store_reference = ?", storeReference).Where("code_hash = ? AND redeemed_by = ''", codeHash).Exec(ctx)
	return updatedOne(res, err, transfer.ErrCashOutCodeInvalid)
}

type payerRow struct {
	customerRow `bun:",extend"`
	Bound       bool      `bun:"bound,scanonly"`
	PocketID    string    `bun:"pocket_id,scanonly"`
	Balance     int64     `bun:"pocket_balance,scanonly"`
	Held        int64     `bun:"pocket_held,scanonly"`
	OpenedAt    time.Time `bun:"pocket_created_at,scanonly"`
}

type payerRepo struct{ store }

var _ app.PayerStore = payerRepo{}

// LockPayer locks only the pocket row (FOR UPDATE OF a): the customer row
// stays free for reads.
func (r payerRepo) LockPayer(ctx context.Context, m customer.MobileNumber, partnerID string) (*customer.Customer, bool, *wallet.Account, error) {
	if r.batch != nil {
		return r.lockPayerPrepared(ctx, m, partnerID)
	}
	row := new(payerRow)
	q := r.db.NewSelect().Model(row).ModelTableExpr("customers AS c").ColumnExpr("c.*").
		ColumnExpr("EXISTS (SELECT 1 FROM partner_customers AS b WHERE b.partner_id = ? AND b.customer_id = c.id) AS bound", partnerID).
		ColumnExpr("a.id AS pocket_id, a.balance AS pocket_balance, a.held AS pocket_held, a.created_at AS pocket_created_at").
		Join("JOIN accounts AS a ON a.owner_id = c.id AND a.kind = ?", string(wallet.KindPocket)).
		Where("c.mobile = ?", m.String())
	if r.dialect == Postgres {
		q = q.For("UPDATE OF a")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, nil, one(err, customer.ErrNotFound)
	}
	c := row.toDomain()
	return c, row.Bound, wallet.Rehydrate(row.PocketID, wallet.KindPocket, c.ID(), row.Balance, row.Held, row.OpenedAt), nil
}

// insertPostingsSQL is the parameterized insert of n postings.
func insertPostingsSQL(n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO postings (entry_id, transaction_id, account_id, amount, balance_after, created_at) VALUES ")
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d)", 6*i+1, 6*i+2, 6*i+3, 6*i+4, 6*i+5, 6*i+6)
	}
	return sb.String()
}

func postingArgs(rows []postingRow) []any {
	args := make([]any, 0, 6*len(rows))
	for _, p := range rows {
		args = append(args, p.EntryID, p.TransactionID, p.AccountID, p.Amount, p.BalanceAfter, p.CreatedAt)
	}
	return args
}

// lockPayerPrepared is LockPayer as a prepared statement: every payment
// starts with it, so PostgreSQL parses and plans it once per connection.
func (r payerRepo) lockPayerPrepared(ctx context.Context, m customer.MobileNumber, partnerID string) (*customer.Customer, bool, *wallet.Account, error) {
	if err := r.batch.flush(ctx); err != nil {
		return nil, false, nil, err
	}
	const query = `SELECT c.id, c.mobile, c.first_name, c.middle_name, c.last_name, c.email, c.status, c.account_type, c.kyc_status,
		c.created_at, c.updated_at,
		EXISTS (SELECT 1 FROM partner_customers AS b WHERE b.partner_id = $1 AND b.customer_id = c.id),
		a.id, a.balance, a.held, a.created_at
		FROM customers AS c JOIN accounts AS a ON a.owner_id = c.id AND a.kind = 'POCKET'
		WHERE c.mobile = $2 FOR UPDATE OF a`
	var row payerRow
	// The transaction's first statement: its BEGIN goes with it (ADR 0016).
	err := pipeline(ctx, r.batch.tx.Tx, func(ctx context.Context, p pipe) error {
		return p.send(ctx, false, func(b *pgx.Batch) {
			b.Queue(query, partnerID, m.String()).QueryRow(func(r pgx.Row) error {
				return r.Scan(&row.ID, &row.Mobile, &row.FirstName, &row.MiddleName, &row.LastName, &row.Email, &row.Status,
					&row.AccountType, &row.KYCStatus, &row.CreatedAt, &row.UpdatedAt, &row.Bound, &row.PocketID, &row.Balance,
					&row.Held, &row.OpenedAt)
			})
		})
	})
	if err != nil {
		return nil, false, nil, one(err, customer.ErrNotFound)
	}
	c := row.toDomain()
	return c, row.Bound, wallet.Rehydrate(row.PocketID, wallet.KindPocket, c.ID(), row.Balance, row.Held, row.OpenedAt), nil
}
