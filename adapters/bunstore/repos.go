package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
)

// Customers.

type customerRow struct {
	bun.BaseModel `bun:"table:customers"`
	ID            string    `bun:"id,pk"`
	Mobile        string    `bun:"mobile"`
	FirstName     string    `bun:"first_name"`
	MiddleName    string    `bun:"middle_name"`
	LastName      string    `bun:"last_name"`
	Email         string    `bun:"email"`
	Status        string    `bun:"status"`
	AccountType   string    `bun:"account_type"`
	KYCStatus     string    `bun:"kyc_status"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

func customerFromDomain(c *customer.Customer) *customerRow {
	return &customerRow{ID: c.ID(), Mobile: c.Mobile().String(), FirstName: c.FirstName(), MiddleName: c.MiddleName(),
		LastName: c.LastName(), Email: c.Email(), Status: string(c.Status()), AccountType: string(c.AccountType()),
		KYCStatus: string(c.KYCStatus()), CreatedAt: utc(c.CreatedAt()), UpdatedAt: utc(c.UpdatedAt())}
}

func (r *customerRow) toDomain() *customer.Customer {
	return customer.Rehydrate(customer.Snapshot{ID: r.ID, Mobile: customer.MobileNumber(r.Mobile), FirstName: r.FirstName,
		MiddleName: r.MiddleName, LastName: r.LastName, Email: r.Email, Status: customer.Status(r.Status),
		AccountType: customer.AccountType(r.AccountType), KYCStatus: customer.KYCStatus(r.KYCStatus),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
}

type customerRepo struct{ store }

var _ customer.Repository = customerRepo{}

func (r customerRepo) Add(ctx context.Context, c *customer.Customer) error {
	_, err := r.db.NewInsert().Model(customerFromDomain(c)).Exec(ctx)
	if isUniqueViolation(err) {
		return customer.ErrAlreadyRegistered
	}
	return err
}

func (r customerRepo) ByMobile(ctx context.Context, m customer.MobileNumber, lock bool) (*customer.Customer, error) {
	row := new(customerRow)
	err := r.forUpdate(r.db.NewSelect().Model(row).Where("mobile = ?", m.String()), lock).Scan(ctx)
	if err != nil {
		return nil, one(err, customer.ErrNotFound)
	}
	return row.toDomain(), nil
}

type boundCustomerRow struct {
	customerRow `bun:",extend"`
	Bound       bool `bun:"bound,scanonly"`
}

func (r customerRepo) ByMobileFor(ctx context.Context, m customer.MobileNumber, partnerID string) (*customer.Customer, bool, error) {
	row := new(boundCustomerRow)
	err := r.db.NewSelect().Model(row).ColumnExpr("c.*").ModelTableExpr("customers AS c").
		ColumnExpr("EXISTS (SELECT 1 FROM partner_customers AS b WHERE b.partner_id = ? AND b.customer_id = c.id) AS bound", partnerID).
		Where("c.mobile = ?", m.String()).Scan(ctx)
	if err != nil {
		return nil, false, one(err, customer.ErrNotFound)
	}
	return row.toDomain(), row.Bound, nil
}

func (r customerRepo) ByID(ctx context.Context, id string) (*customer.Customer, error) {
	row := new(customerRow)
	if err := r.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, one(err, customer.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r customerRepo) Update(ctx context.Context, c *customer.Customer) error {
	res, err := r.db.NewUpdate().Model(customerFromDomain(c)).WherePK().
		Column("first_name", "middle_name", "last_name", "email", "status", "account_type", "kyc_status", "updated_at").
		Exec(ctx)
	return updatedOne(res, err, customer.ErrNotFound)
}

// OTPs.

type otpRow struct {
	bun.BaseModel `bun:"table:otps"`
	ID            string    `bun:"id,pk"`
	Mobile        string    `bun:"mobile"`
	Purpose       string    `bun:"purpose"`
	Hash          []byte    `bun:"hash"`
	State         string    `bun:"state"`
	Attempts      int       `bun:"attempts"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

func otpFromDomain(o *otp.OTP) *otpRow {
	return &otpRow{ID: o.ID(), Mobile: o.Mobile(), Purpose: string(o.Purpose()), Hash: o.HashValue(),
		State: string(o.State()), Attempts: o.Attempts(), CreatedAt: utc(o.CreatedAt()), ExpiresAt: utc(o.ExpiresAt())}
}

func (r *otpRow) toDomain() *otp.OTP {
	return otp.Rehydrate(otp.Snapshot{ID: r.ID, Mobile: r.Mobile, Purpose: otp.Purpose(r.Purpose), Hash: r.Hash,
		State: otp.State(r.State), Attempts: r.Attempts, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
}

type otpRepo struct{ store }

var _ otp.Repository = otpRepo{}

func (r otpRepo) Add(ctx context.Context, o *otp.OTP) error {
	_, err := r.db.NewInsert().Model(otpFromDomain(o)).Exec(ctx)
	return err
}

func (r otpRepo) Update(ctx context.Context, o *otp.OTP) error {
	res, err := r.db.NewUpdate().Model(otpFromDomain(o)).WherePK().Column("state", "attempts").Exec(ctx)
	return updatedOne(res, err, otp.ErrNotFound)
}

func (r otpRepo) Latest(ctx context.Context, mobile string, purpose otp.Purpose) (*otp.OTP, error) {
	row := new(otpRow)
	// ids are ULIDs: time ordered, so they break ties in created_at.
	err := r.db.NewSelect().Model(row).Where("mobile = ? AND purpose = ?", mobile, string(purpose)).
		Order("created_at DESC", "id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, one(err, otp.ErrNotFound)
	}
	return row.toDomain(), nil
}

func (r otpRepo) IssuedSince(ctx context.Context, mobile string, since time.Time) ([]time.Time, error) {
	var times []time.Time
	err := r.db.NewSelect().Model((*otpRow)(nil)).Column("created_at").
		Where("mobile = ? AND created_at >= ?", mobile, utc(since)).Scan(ctx, &times)
	return times, err
}

// Partners and bindings.

type partnerRow struct {
	bun.BaseModel   `bun:"table:partners"`
	ID              string        `bun:"id,pk"`
	Name            string        `bun:"name"`
	Role            string        `bun:"role"`
	SealedSecret    []byte        `bun:"sealed_secret"`
	CreatedAt       time.Time     `bun:"created_at"`
	BankTransferFee sql.NullInt64 `bun:"bank_transfer_fee"`
	CallbackURL     string        `bun:"callback_url"`
	SNAPPublicKey   []byte        `bun:"snap_public_key"`
	Disabled        bool          `bun:"disabled"`
	BankGateway     bool          `bun:"bank_gateway"`
	RetiredSecret   []byte        `bun:"retired_secret"`
	RetiredUntil    sql.NullTime  `bun:"retired_secret_until"`
}

func partnerFromDomain(p *partner.Partner) *partnerRow {
	row := &partnerRow{ID: p.ID(), Name: p.Name(), Role: string(p.Role()), SealedSecret: p.SealedSecret(),
		CreatedAt: utc(p.CreatedAt()), CallbackURL: p.CallbackURL(), Disabled: p.Disabled(),
		SNAPPublicKey: p.SNAPPublicKey(), BankGateway: p.BankGateway()}
	if sealed, until := p.RetiredSecret(); len(sealed) > 0 {
		row.RetiredSecret, row.RetiredUntil = sealed, sql.NullTime{Time: utc(until), Valid: true}
	}
	if fee, ok := p.BankTransferFee(); ok {
		row.BankTransferFee = sql.NullInt64{Int64: fee, Valid: true}
	}
	return row
}

type partnerRepo struct{ store }

var _ partner.Repository = partnerRepo{}

func (r partnerRepo) Add(ctx context.Context, p *partner.Partner) error {
	_, err := r.db.NewInsert().Model(partnerFromDomain(p)).Exec(ctx)
	return err
}

func (r partnerRepo) Update(ctx context.Context, p *partner.Partner) error {
	res, err := r.db.NewUpdate().Model(partnerFromDomain(p)).WherePK().Column("bank_transfer_fee", "callback_url", "disabled", "bank_gateway", "sealed_secret", "retired_secret", "retired_secret_until", "snap_public_key").Exec(ctx)
	return updatedOne(res, err, partner.ErrNotFound)
}

func (r partnerRepo) ByID(ctx context.Context, id string) (*partner.Partner, error) {
	row := new(partnerRow)
	if err := r.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, one(err, partner.ErrNotFound)
	}
	return row.toDomain()
}

func (r partnerRepo) List(ctx context.Context) ([]*partner.Partner, error) {
	var rows []partnerRow
	if err := r.db.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]*partner.Partner, 0, len(rows))
	for i := range rows {
		p, err := rows[i].toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (row *partnerRow) toDomain() (*partner.Partner, error) {
	p := partner.Rehydrate(row.ID, row.Name, partner.Role(row.Role), row.SealedSecret, row.CreatedAt)
	if row.BankTransferFee.Valid {
		p.SetBankTransferFee(row.BankTransferFee.Int64)
	}
	if err := p.SetCallbackURL(row.CallbackURL); err != nil {
		return nil, err
	}
	p.SetSNAPPublicKey(row.SNAPPublicKey)
	if err := p.SetBankGateway(row.BankGateway); err != nil {
		return nil, err
	}
	if row.Disabled {
		p.Disable()
	}
	p.RestoreRetiredSecret(row.RetiredSecret, row.RetiredUntil.Time)
	return p, nil
}

type bindingRow struct {
	bun.BaseModel `bun:"table:partner_customers"`
	PartnerID     string    `bun:"partner_id,pk"`
	CustomerID    string    `bun:"customer_id,pk"`
	CreatedAt     time.Time `bun:"created_at"`
}

type bindingRepo struct{ store }

var _ partner.Bindings = bindingRepo{}

func (r bindingRepo) Bind(ctx context.Context, partnerID, customerID string, now time.Time) error {
	_, err := r.db.NewInsert().Model(&bindingRow{PartnerID: partnerID, CustomerID: customerID, CreatedAt: utc(now)}).
		On("CONFLICT (partner_id, customer_id) DO NOTHING").Exec(ctx)
	return err
}

func (r bindingRepo) IsBound(ctx context.Context, partnerID, customerID string) (bool, error) {
	return r.db.NewSelect().Model((*bindingRow)(nil)).
		Where("partner_id = ? AND customer_id = ?", partnerID, customerID).Exists(ctx)
}

// Sessions.

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`
	ID            string       `bun:"id,pk"`
	TokenHash     []byte       `bun:"token_hash"`
	PartnerID     string       `bun:"partner_id"`
	CustomerID    string       `bun:"customer_id"`
	CreatedAt     time.Time    `bun:"created_at"`
	ExpiresAt     time.Time    `bun:"expires_at"`
	RevokedAt     sql.NullTime `bun:"revoked_at"`
}

type sessionRepo struct{ store }

var _ session.Repository = sessionRepo{}

func sessionFromDomain(s *session.Session) *sessionRow {
	row := &sessionRow{ID: s.ID(), TokenHash: s.TokenHash(), PartnerID: s.PartnerID(), CustomerID: s.CustomerID(),
		CreatedAt: utc(s.CreatedAt()), ExpiresAt: utc(s.ExpiresAt())}
	if !s.RevokedAt().IsZero() {
		row.RevokedAt = sql.NullTime{Time: utc(s.RevokedAt()), Valid: true}
	}
	return row
}

func (r sessionRepo) Add(ctx context.Context, s *session.Session) error {
	_, err := r.db.NewInsert().Model(sessionFromDomain(s)).Exec(ctx)
	return err
}

func (r sessionRepo) ByTokenHash(ctx context.Context, hash []byte) (*session.Session, error) {
	row := new(sessionRow)
	if err := r.db.NewSelect().Model(row).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return nil, one(err, session.ErrNotFound)
	}
	var revoked time.Time
	if row.RevokedAt.Valid {
		revoked = row.RevokedAt.Time
	}
	return session.Rehydrate(row.ID, row.TokenHash, row.PartnerID, row.CustomerID, row.CreatedAt, row.ExpiresAt, revoked), nil
}

func (r sessionRepo) Update(ctx context.Context, s *session.Session) error {
	res, err := r.db.NewUpdate().Model(sessionFromDomain(s)).WherePK().Column("revoked_at").Exec(ctx)
	return updatedOne(res, err, session.ErrNotFound)
}

// Notifications.

type notificationRow struct {
	bun.BaseModel `bun:"table:notifications"`
	ID            string    `bun:"id,pk"`
	Recipient     string    `bun:"recipient"`
	Sealed        []byte    `bun:"sealed"`
	State         string    `bun:"state"`
	Channel       string    `bun:"channel"`
	ProviderID    string    `bun:"provider_id"`
	ExpiresAt     time.Time `bun:"expires_at"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

func notificationFromApp(n *app.NotificationRecord) *notificationRow {
	return &notificationRow{ID: n.ID, Recipient: n.To.String(), Sealed: n.Sealed, State: string(n.State),
		Channel: string(n.Channel), ProviderID: n.ProviderID, ExpiresAt: utc(n.ExpiresAt),
		CreatedAt: utc(n.CreatedAt), UpdatedAt: utc(n.UpdatedAt)}
}

func (r *notificationRow) toApp() *app.NotificationRecord {
	return &app.NotificationRecord{ID: r.ID, To: customer.MobileNumber(r.Recipient), Sealed: r.Sealed,
		State: app.NotificationState(r.State), Channel: app.Channel(r.Channel), ProviderID: r.ProviderID,
		ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

type notificationRepo struct{ store }

var _ app.NotificationStore = notificationRepo{}

func (r notificationRepo) Add(ctx context.Context, n *app.NotificationRecord) error {
	_, err := r.db.NewInsert().Model(notificationFromApp(n)).Exec(ctx)
	return err
}

func (r notificationRepo) Get(ctx context.Context, id string, lock bool) (*app.NotificationRecord, error) {
	row := new(notificationRow)
	if err := r.forUpdate(r.db.NewSelect().Model(row).Where("id = ?", id), lock).Scan(ctx); err != nil {
		return nil, one(err, app.ErrNotificationNotFound)
	}
	return row.toApp(), nil
}

func (r notificationRepo) ByProviderID(ctx context.Context, providerID string) (*app.NotificationRecord, error) {
	row := new(notificationRow)
	if providerID == "" {
		return nil, app.ErrNotificationNotFound
	}
	if err := r.db.NewSelect().Model(row).Where("provider_id = ?", providerID).Limit(1).Scan(ctx); err != nil {
		return nil, one(err, app.ErrNotificationNotFound)
	}
	return row.toApp(), nil
}

func (r notificationRepo) Update(ctx context.Context, n *app.NotificationRecord) error {
	res, err := r.db.NewUpdate().Model(notificationFromApp(n)).WherePK().
		Column("state", "channel", "provider_id", "updated_at").Exec(ctx)
	return updatedOne(res, err, app.ErrNotificationNotFound)
}

// Idempotency keys.

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`
	PartnerID     string    `bun:"partner_id,pk"`
	Key           string    `bun:"key,pk"`
	RequestHash   []byte    `bun:"request_hash"`
	Done          bool      `bun:"done"`
	LockedUntil   time.Time `bun:"locked_until"`
	Holder        string    `bun:"holder"`
	Status        int       `bun:"status"`
	Body          []byte    `bun:"body"`
	CreatedAt     time.Time `bun:"created_at"`
}

type idempotencyRepo struct{ store }

var _ app.IdempotencyStore = idempotencyRepo{}

func (r idempotencyRepo) Claim(ctx context.Context, rec app.IdempotencyRecord) (*app.IdempotencyRecord, error) {
	self, err := r.live.self(ctx)
	if err != nil {
		return nil, err
	}
	res, err := r.db.NewInsert().Model(&idempotencyRow{PartnerID: rec.PartnerID, Key: rec.Key, RequestHash: rec.RequestHash,
		LockedUntil: utc(rec.LockedUntil), Holder: self, CreatedAt: utc(rec.CreatedAt)}).
		On("CONFLICT (partner_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return nil, err
	}
	row := new(idempotencyRow)
	err = r.db.NewSelect().Model(row).Where("partner_id = ? AND key = ?", rec.PartnerID, rec.Key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		// Released between our insert and select: report a claim in
		// flight; the caller polls and claims it on the next round.
		return &app.IdempotencyRecord{PartnerID: rec.PartnerID, Key: rec.Key, RequestHash: rec.RequestHash,
			LockedUntil: rec.LockedUntil, Holder: self}, nil
	}
	if err != nil {
		return nil, err
	}
	body := row.Body
	if row.Done && r.box != nil {
		if body, err = r.box.Open(row.Body); err != nil {
			return nil, fmt.Errorf("open stored answer: %w", err)
		}
	}
	return &app.IdempotencyRecord{PartnerID: row.PartnerID, Key: row.Key, RequestHash: row.RequestHash, Done: row.Done,
		LockedUntil: row.LockedUntil, Holder: row.Holder, Response: app.StoredResponse{Status: row.Status, Body: body},
		CreatedAt: row.CreatedAt}, nil
}

func (r idempotencyRepo) HolderAlive(ctx context.Context, holder string) (bool, error) {
	return r.live.alive(ctx, r.db, holder)
}

// Steal compares holder and lease, so that of two retries taking over one
// dead claim only the first wins.
func (r idempotencyRepo) Steal(ctx context.Context, partnerID, key, holder string, lockedUntil, newLease time.Time) (bool, error) {
	self, err := r.live.self(ctx)
	if err != nil {
		return false, err
	}
	res, err := r.db.NewUpdate().Model((*idempotencyRow)(nil)).Set("locked_until = ?", utc(newLease)).Set("holder = ?", self).
		Where("partner_id = ? AND key = ? AND holder = ? AND locked_until = ? AND NOT done", partnerID, key, holder, utc(lockedUntil)).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Complete seals the stored answer: answers carry access tokens and
// cash-out codes, which must not sit readable at rest.
func (r idempotencyRepo) Complete(ctx context.Context, partnerID, key string, resp app.StoredResponse) error {
	body := resp.Body
	if r.box != nil {
		var err error
		if body, err = r.box.Seal(resp.Body); err != nil {
			return err
		}
	}
	_, err := r.db.NewUpdate().Model((*idempotencyRow)(nil)).
		Set("done = ?", true).Set("status = ?", resp.Status).Set("body = ?", body).
		Where("partner_id = ? AND key = ?", partnerID, key).Exec(ctx)
	return err
}

// Put seals the answer like Complete. In a PostgreSQL transaction the
// insert is batched: a taken key fails the commit.
func (r idempotencyRepo) Put(ctx context.Context, rec app.IdempotencyRecord) error {
	body := rec.Response.Body
	if r.box != nil {
		var err error
		if body, err = r.box.Seal(body); err != nil {
			return err
		}
	}
	row := &idempotencyRow{PartnerID: rec.PartnerID, Key: rec.Key, RequestHash: rec.RequestHash,
		Done: rec.Done, LockedUntil: utc(rec.LockedUntil), Status: rec.Response.Status, Body: body, CreatedAt: utc(rec.CreatedAt)}
	if r.batch != nil {
		return r.batch.addParams("idempotency_keys", false, `INSERT INTO idempotency_keys (partner_id, key, request_hash, done,
			locked_until, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			row.PartnerID, row.Key, row.RequestHash, row.Done, row.LockedUntil, row.Status, row.Body, row.CreatedAt)
	}
	_, err := r.db.NewInsert().Model(row).Exec(ctx)
	if isUniqueViolation(err) {
		return app.ErrIdempotencyKeyTaken
	}
	return err
}

func (r idempotencyRepo) Release(ctx context.Context, partnerID, key string) error {
	_, err := r.db.NewDelete().Model((*idempotencyRow)(nil)).
		Where("partner_id = ? AND key = ? AND NOT done", partnerID, key).Exec(ctx)
	return err
}
