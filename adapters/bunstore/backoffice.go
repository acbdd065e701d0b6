package bunstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

type operatorRow struct {
	bun.BaseModel `bun:"table:operators"`
	ID            string       `bun:"id,pk"`
	Email         string       `bun:"email"`
	Role          string       `bun:"role"`
	PasswordHash  string       `bun:"password_hash"`
	CreatedAt     time.Time    `bun:"created_at"`
	DisabledAt    sql.NullTime `bun:"disabled_at"`
}

func (r *operatorRow) toDomain() *operator.Operator {
	var disabled time.Time
	if r.DisabledAt.Valid {
		disabled = r.DisabledAt.Time
	}
	return operator.Rehydrate(operator.Snapshot{ID: r.ID, Email: r.Email, Role: operator.Role(r.Role),
		PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt, DisabledAt: disabled})
}

type operatorSessionRow struct {
	bun.BaseModel `bun:"table:operator_sessions"`
	TokenHash     []byte    `bun:"token_hash,pk"`
	OperatorID    string    `bun:"operator_id"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

type auditRow struct {
	bun.BaseModel `bun:"table:operator_audit"`
	ID            string    `bun:"id,pk"`
	OperatorID    string    `bun:"operator_id"`
	Email         string    `bun:"email"`
	Action        string    `bun:"action"`
	Target        string    `bun:"target"`
	Detail        string    `bun:"detail"`
	Outcome       string    `bun:"outcome"`
	At            time.Time `bun:"at"`
}

type operatorRepo struct{ store }

var _ operator.Repository = operatorRepo{}

func (r operatorRepo) Add(ctx context.Context, o *operator.Operator) error {
	row := &operatorRow{ID: o.ID(), Email: o.Email(), Role: string(o.Role()), PasswordHash: o.PasswordHash(),
		CreatedAt: utc(o.CreatedAt())}
	if !o.DisabledAt().IsZero() {
		row.DisabledAt = sql.NullTime{Time: utc(o.DisabledAt()), Valid: true}
	}
	_, err := r.db.NewInsert().Model(row).Exec(ctx)
	if isUniqueViolation(err) {
		return operator.ErrEmailTaken
	}
	return err
}

func (r operatorRepo) ByEmail(ctx context.Context, email string) (*operator.Operator, error) {
	row := new(operatorRow)
	if err := r.db.NewSelect().Model(row).Where("email = ?", email).Scan(ctx); err != nil {
		return nil, one(err, operator.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r operatorRepo) ByID(ctx context.Context, id string) (*operator.Operator, error) {
	row := new(operatorRow)
	if err := r.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, one(err, operator.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r operatorRepo) List(ctx context.Context) ([]*operator.Operator, error) {
	var rows []operatorRow
	if err := r.db.NewSelect().Model(&rows).Order("email").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]*operator.Operator, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

func (r operatorRepo) AddSession(ctx context.Context, s operator.Session) error {
	_, err := r.db.NewInsert().Model(&operatorSessionRow{TokenHash: s.TokenHash, OperatorID: s.OperatorID,
		CreatedAt: utc(s.CreatedAt), ExpiresAt: utc(s.ExpiresAt)}).Exec(ctx)
	return err
}

func (r operatorRepo) Session(ctx context.Context, tokenHash []byte) (operator.Session, error) {
	row := new(operatorSessionRow)
	if err := r.db.NewSelect().Model(row).Where("token_hash = ?", tokenHash).Scan(ctx); err != nil {
		return operator.Session{}, one(err, operator.ErrSessionEnded)
	}
	return operator.Session{TokenHash: row.TokenHash, OperatorID: row.OperatorID, CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt}, nil
}

func (r operatorRepo) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := r.db.NewDelete().Model((*operatorSessionRow)(nil)).Where("token_hash = ?", tokenHash).Exec(ctx)
	return err
}

func (r operatorRepo) Record(ctx context.Context, e operator.AuditEntry) error {
	_, err := r.db.NewInsert().Model(&auditRow{ID: e.ID, OperatorID: e.OperatorID, Email: e.Email, Action: e.Action,
		Target: e.Target, Detail: e.Detail, Outcome: e.Outcome, At: utc(e.At)}).Exec(ctx)
	return err
}

func (r operatorRepo) AuditLog(ctx context.Context, limit int) ([]operator.AuditEntry, error) {
	var rows []auditRow
	q := r.db.NewSelect().Model(&rows).Order("at DESC", "id DESC")
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]operator.AuditEntry, len(rows))
	for i, x := range rows {
		out[i] = operator.AuditEntry{ID: x.ID, OperatorID: x.OperatorID, Email: x.Email, Action: x.Action,
			Target: x.Target, Detail: x.Detail, Outcome: x.Outcome, At: x.At}
	}
	return out, nil
}

type lookups struct{ store }

var _ app.Lookups = lookups{}

func (r lookups) PendingKYC(ctx context.Context, limit int) ([]*kyc.Submission, error) {
	var rows []kycRow
	q := r.db.NewSelect().Model(&rows).Where("status = ?", string(kyc.StatusPending)).Order("submitted_at", "id")
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]*kyc.Submission, len(rows))
	for i := range rows {
		s, err := kycRepo(r).toDomain(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func (r lookups) SearchTransactions(ctx context.Context, f app.TransactionSearch) ([]*transfer.Transaction, error) {
	var rows []transactionRow
	q := r.db.NewSelect().Model(&rows)
	if f.ReffID != "" {
		q = q.Where("id = ?", f.ReffID)
	}
	if f.OrderID != "" {
		q = q.Where("order_id = ?", f.OrderID)
	}
	if f.PartnerID != "" {
		q = q.Where("partner_id = ?", f.PartnerID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", utc(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", utc(f.To))
	}
	q = q.Order("created_at DESC", "id DESC")
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]*transfer.Transaction, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

func (r lookups) Postings(ctx context.Context, transactionID string) ([]wallet.Posting, error) {
	var rows []postingRow
	if err := r.db.NewSelect().Model(&rows).Where("transaction_id = ?", transactionID).Order("id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]wallet.Posting, len(rows))
	for i, p := range rows {
		out[i] = wallet.Posting{AccountID: p.AccountID, Amount: p.Amount}
		if p.BalanceAfter != nil {
			out[i].BalanceAfter = *p.BalanceAfter
		}
	}
	return out, nil
}

func (r lookups) Partners(ctx context.Context) ([]*partner.Partner, error) {
	var rows []partnerRow
	if err := r.db.NewSelect().Model(&rows).Order("name", "id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]*partner.Partner, len(rows))
	for i := range rows {
		p, err := rows[i].toDomain()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}
