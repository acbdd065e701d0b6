package memstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/otp"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/session"
)

var (
	_ app.UnitOfWork        = (*Store)(nil)
	_ customer.Repository   = customerRepo{}
	_ otp.Repository        = otpRepo{}
	_ partner.Repository    = partnerRepo{}
	_ partner.Bindings      = bindingRepo{}
	_ session.Repository    = sessionRepo{}
	_ app.NotificationStore = notificationRepo{}
	_ app.JobQueue          = jobQueue{}
	_ app.IdempotencyStore  = idempotencyRepo{}
)

type customerRepo struct{ *tx }

func (r customerRepo) Add(ctx context.Context, c *customer.Customer) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.customers[c.ID()]; ok {
		return fmt.Errorf("memstore: customer %q already exists", c.ID())
	}
	if _, ok := r.st.mobiles[c.Mobile()]; ok {
		return customer.ErrAlreadyRegistered
	}
	r.st.customers[c.ID()] = copyCustomer(c, c.CreatedAt())
	r.st.mobiles[c.Mobile()] = c.ID()
	return nil
}

func (r customerRepo) ByMobile(ctx context.Context, m customer.MobileNumber, _ bool) (*customer.Customer, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	id, ok := r.st.mobiles[m]
	if !ok {
		return nil, customer.ErrNotFound
	}
	c := r.st.customers[id]
	return copyCustomer(c, c.CreatedAt()), nil
}

func (r customerRepo) ByMobileFor(ctx context.Context, m customer.MobileNumber, partnerID string) (*customer.Customer, bool, error) {
	c, err := r.ByMobile(ctx, m, false)
	if err != nil {
		return nil, false, err
	}
	_, bound := r.st.bindings[binding{partnerID, c.ID()}]
	return c, bound, nil
}

func (r customerRepo) ByID(ctx context.Context, id string) (*customer.Customer, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	c, ok := r.st.customers[id]
	if !ok {
		return nil, customer.ErrNotFound
	}
	return copyCustomer(c, c.CreatedAt()), nil
}

// Update saves everything but the id and the creation time. A changed
// mobile number must still be unique.
func (r customerRepo) Update(ctx context.Context, c *customer.Customer) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	old, ok := r.st.customers[c.ID()]
	if !ok {
		return customer.ErrNotFound
	}
	if c.Mobile() != old.Mobile() {
		if _, taken := r.st.mobiles[c.Mobile()]; taken {
			return customer.ErrAlreadyRegistered
		}
		delete(r.st.mobiles, old.Mobile())
		r.st.mobiles[c.Mobile()] = c.ID()
	}
	r.st.customers[c.ID()] = copyCustomer(c, old.CreatedAt())
	return nil
}

func copyCustomer(c *customer.Customer, createdAt time.Time) *customer.Customer {
	return customer.Rehydrate(customer.Snapshot{
		ID: c.ID(), FirstName: c.FirstName(), MiddleName: c.MiddleName(), LastName: c.LastName(),
		Email: c.Email(), Mobile: c.Mobile(), Status: c.Status(), AccountType: c.AccountType(),
		KYCStatus: c.KYCStatus(), CreatedAt: createdAt, UpdatedAt: c.UpdatedAt(),
	})
}

type otpRepo struct{ *tx }

func (r otpRepo) Add(ctx context.Context, o *otp.OTP) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if r.find(o.ID()) >= 0 {
		return fmt.Errorf("memstore: OTP %q already exists", o.ID())
	}
	r.st.otps = append(r.st.otps, copyOTP(o, o.State(), o.Attempts()))
	return nil
}

// Update saves state and attempts only.
func (r otpRepo) Update(ctx context.Context, o *otp.OTP) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	i := r.find(o.ID())
	if i < 0 {
		return otp.ErrNotFound
	}
	r.st.otps[i] = copyOTP(r.st.otps[i], o.State(), o.Attempts())
	return nil
}

// Latest breaks ties in creation time in favour of the last added code.
func (r otpRepo) Latest(ctx context.Context, mobile string, purpose otp.Purpose) (*otp.OTP, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	var latest *otp.OTP
	for _, o := range r.st.otps {
		if o.Mobile() == mobile && o.Purpose() == purpose &&
			(latest == nil || !o.CreatedAt().Before(latest.CreatedAt())) {
			latest = o
		}
	}
	if latest == nil {
		return nil, otp.ErrNotFound
	}
	return copyOTP(latest, latest.State(), latest.Attempts()), nil
}

// IssuedSince returns the times in insertion order.
func (r otpRepo) IssuedSince(ctx context.Context, mobile string, since time.Time) ([]time.Time, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	var times []time.Time
	for _, o := range r.st.otps {
		if o.Mobile() == mobile && !o.CreatedAt().Before(since) {
			times = append(times, o.CreatedAt())
		}
	}
	return times, nil
}

func (r otpRepo) find(id string) int {
	for i, o := range r.st.otps {
		if o.ID() == id {
			return i
		}
	}
	return -1
}

func copyOTP(o *otp.OTP, state otp.State, attempts int) *otp.OTP {
	return otp.Rehydrate(otp.Snapshot{
		ID: o.ID(), Mobile: o.Mobile(), Purpose: o.Purpose(), Hash: bytes.Clone(o.HashValue()),
		State: state, Attempts: attempts, CreatedAt: o.CreatedAt(), ExpiresAt: o.ExpiresAt(),
	})
}

type partnerRepo struct{ *tx }

func (r partnerRepo) Add(ctx context.Context, p *partner.Partner) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.partners[p.ID()]; ok {
		return fmt.Errorf("memstore: partner %q already exists", p.ID())
	}
	r.st.partners[p.ID()] = copyPartner(p)
	return nil
}

func (r partnerRepo) ByID(ctx context.Context, id string) (*partner.Partner, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	p, ok := r.st.partners[id]
	if !ok {
		return nil, partner.ErrNotFound
	}
	return copyPartner(p), nil
}

// Update saves the settings and the secrets; name, role and creation time
// never change.
func (r partnerRepo) Update(ctx context.Context, p *partner.Partner) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.partners[p.ID()]; !ok {
		return partner.ErrNotFound
	}
	stored := copyPartner(r.st.partners[p.ID()])
	fee, ok := p.BankTransferFee()
	if !ok {
		fee = -1
	}
	stored.SetBankTransferFee(fee)
	if err := stored.SetCallbackURL(p.CallbackURL()); err != nil {
		return err
	}
	stored.SetSNAPPublicKey(p.SNAPPublicKey())
	if err := stored.SetBankGateway(p.BankGateway()); err != nil {
		return err
	}
	stored.Enable()
	if p.Disabled() {
		stored.Disable()
	}
	stored = withSecrets(stored, p)
	r.st.partners[p.ID()] = stored
	return nil
}

func (r partnerRepo) List(ctx context.Context) ([]*partner.Partner, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	out := make([]*partner.Partner, 0, len(r.st.partners))
	for _, p := range r.st.partners {
		out = append(out, copyPartner(p))
	}
	slices.SortFunc(out, func(a, b *partner.Partner) int { return strings.Compare(a.ID(), b.ID()) })
	return out, nil
}

// withSecrets returns base with the current and retired secrets of from.
func withSecrets(base, from *partner.Partner) *partner.Partner {
	c := partner.Rehydrate(base.ID(), base.Name(), base.Role(), bytes.Clone(from.SealedSecret()), base.CreatedAt())
	if fee, ok := base.BankTransferFee(); ok {
		c.SetBankTransferFee(fee)
	}
	// A URL the partner accepted once is accepted again.
	_ = c.SetCallbackURL(base.CallbackURL())
	c.SetSNAPPublicKey(base.SNAPPublicKey())
	_ = c.SetBankGateway(base.BankGateway())
	if base.Disabled() {
		c.Disable()
	}
	sealed, until := from.RetiredSecret()
	c.RestoreRetiredSecret(bytes.Clone(sealed), until)
	return c
}

func copyPartner(p *partner.Partner) *partner.Partner { return withSecrets(p, p) }

// bindingRepo does not check that the partner and customer exist.
type bindingRepo struct{ *tx }

// Bind keeps the time of the first binding.
func (r bindingRepo) Bind(ctx context.Context, partnerID, customerID string, now time.Time) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	b := binding{partnerID, customerID}
	if _, ok := r.st.bindings[b]; !ok {
		r.st.bindings[b] = now
	}
	return nil
}

func (r bindingRepo) IsBound(ctx context.Context, partnerID, customerID string) (bool, error) {
	if err := r.check(ctx); err != nil {
		return false, err
	}
	_, ok := r.st.bindings[binding{partnerID, customerID}]
	return ok, nil
}

// sessionRepo does not check that the partner and customer exist.
type sessionRepo struct{ *tx }

func (r sessionRepo) Add(ctx context.Context, s *session.Session) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.sessions[s.ID()]; ok {
		return fmt.Errorf("memstore: session %q already exists", s.ID())
	}
	if _, ok := r.st.tokens[string(s.TokenHash())]; ok {
		return fmt.Errorf("memstore: token hash of session %q is already in use", s.ID())
	}
	r.st.sessions[s.ID()] = copySession(s, s.RevokedAt())
	r.st.tokens[string(s.TokenHash())] = s.ID()
	return nil
}

func (r sessionRepo) ByTokenHash(ctx context.Context, hash []byte) (*session.Session, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	id, ok := r.st.tokens[string(hash)]
	if !ok {
		return nil, session.ErrNotFound
	}
	s := r.st.sessions[id]
	return copySession(s, s.RevokedAt()), nil
}

// Update saves the revocation time only.
func (r sessionRepo) Update(ctx context.Context, s *session.Session) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	old, ok := r.st.sessions[s.ID()]
	if !ok {
		return session.ErrNotFound
	}
	r.st.sessions[s.ID()] = copySession(old, s.RevokedAt())
	return nil
}

func copySession(s *session.Session, revokedAt time.Time) *session.Session {
	return session.Rehydrate(s.ID(), bytes.Clone(s.TokenHash()), s.PartnerID(), s.CustomerID(),
		s.CreatedAt(), s.ExpiresAt(), revokedAt)
}

type notificationRepo struct{ *tx }

func (r notificationRepo) Add(ctx context.Context, rec *app.NotificationRecord) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.notifications[rec.ID]; ok {
		return fmt.Errorf("memstore: notification %q already exists", rec.ID)
	}
	r.st.notifications[rec.ID] = copyNotification(*rec)
	r.st.notificationOrder = append(r.st.notificationOrder, rec.ID)
	return nil
}

// Get ignores forUpdate: transactions are serialised anyway.
func (r notificationRepo) Get(ctx context.Context, id string, _ bool) (*app.NotificationRecord, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	rec, ok := r.st.notifications[id]
	if !ok {
		return nil, app.ErrNotificationNotFound
	}
	rec = copyNotification(rec)
	return &rec, nil
}

// ByProviderID returns the first added record with that provider id. An
// empty provider id matches nothing.
func (r notificationRepo) ByProviderID(ctx context.Context, providerID string) (*app.NotificationRecord, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	if providerID != "" {
		for _, id := range r.st.notificationOrder {
			if rec := r.st.notifications[id]; rec.ProviderID == providerID {
				rec = copyNotification(rec)
				return &rec, nil
			}
		}
	}
	return nil, app.ErrNotificationNotFound
}

// Update saves state, channel, provider id and update time;
// app.ErrNotificationNotFound when the record is missing.
func (r notificationRepo) Update(ctx context.Context, rec *app.NotificationRecord) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	stored, ok := r.st.notifications[rec.ID]
	if !ok {
		return app.ErrNotificationNotFound
	}
	stored.State, stored.Channel, stored.ProviderID, stored.UpdatedAt = rec.State, rec.Channel, rec.ProviderID, rec.UpdatedAt
	r.st.notifications[rec.ID] = stored
	return nil
}

func copyNotification(rec app.NotificationRecord) app.NotificationRecord {
	rec.Sealed = bytes.Clone(rec.Sealed)
	return rec
}

// jobQueue records jobs in the transaction; Store.Jobs shows them once it
// commits.
type jobQueue struct{ *tx }

func (q jobQueue) SendNotification(ctx context.Context, id string, ch app.Channel) error {
	if err := q.check(ctx); err != nil {
		return err
	}
	q.st.jobs = append(q.st.jobs, Job{Kind: JobSend, NotificationID: id, Channel: ch})
	return nil
}

func (q jobQueue) CheckDelivery(ctx context.Context, id string, at time.Time) error {
	if err := q.check(ctx); err != nil {
		return err
	}
	q.st.jobs = append(q.st.jobs, Job{Kind: JobCheck, NotificationID: id, At: at})
	return nil
}

func (q jobQueue) CheckKYC(ctx context.Context, customerID, submissionID string) error {
	if err := q.check(ctx); err != nil {
		return err
	}
	q.st.jobs = append(q.st.jobs, Job{Kind: JobKYC, CustomerID: customerID, SubmissionID: submissionID})
	return nil
}

func (q jobQueue) SettleBankTransfer(ctx context.Context, reffID string, at time.Time) error {
	if err := q.check(ctx); err != nil {
		return err
	}
	q.st.jobs = append(q.st.jobs, Job{Kind: JobSettle, ReffID: reffID, At: at})
	return nil
}

func (q jobQueue) DeliverEvent(ctx context.Context, id string) error {
	if err := q.check(ctx); err != nil {
		return err
	}
	q.st.jobs = append(q.st.jobs, Job{Kind: JobDeliver, EventID: id})
	return nil
}

func (q jobQueue) ExpireCashOut(ctx context.Context, reffID string, at time.Time) error {
	if err := q.check(ctx); err != nil {
		return err
	}
	q.st.jobs = append(q.st.jobs, Job{Kind: JobExpire, ReffID: reffID, At: at})
	return nil
}

type idempotencyRepo struct{ *tx }

func (r idempotencyRepo) Claim(ctx context.Context, rec app.IdempotencyRecord) (*app.IdempotencyRecord, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	k := idempotencyKey{rec.PartnerID, rec.Key}
	if existing, ok := r.st.idempotency[k]; ok {
		existing = copyIdempotency(existing)
		return &existing, nil
	}
	rec.Holder = holder
	r.st.idempotency[k] = copyIdempotency(rec)
	return nil, nil
}

// holder names the process of every claim: the store lives and dies with
// it, so a claim's holder is alive as long as the claim can be read.
const holder = "memstore"

// HolderAlive is true for this store's holder only.
func (r idempotencyRepo) HolderAlive(ctx context.Context, h string) (bool, error) {
	if err := r.check(ctx); err != nil {
		return false, err
	}
	return h == holder, nil
}

// Steal reports false for a missing or completed key.
func (r idempotencyRepo) Steal(ctx context.Context, partnerID, key, oldHolder string, lockedUntil, newLease time.Time) (bool, error) {
	if err := r.check(ctx); err != nil {
		return false, err
	}
	k := idempotencyKey{partnerID, key}
	rec, ok := r.st.idempotency[k]
	if !ok || rec.Done || rec.Holder != oldHolder || !rec.LockedUntil.Equal(lockedUntil) {
		return false, nil
	}
	rec.LockedUntil, rec.Holder = newLease, holder
	r.st.idempotency[k] = rec
	return true, nil
}

// Complete fails when the key is not claimed (released, or never claimed).
func (r idempotencyRepo) Complete(ctx context.Context, partnerID, key string, resp app.StoredResponse) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	k := idempotencyKey{partnerID, key}
	rec, ok := r.st.idempotency[k]
	if !ok {
		return fmt.Errorf("memstore: idempotency key %q of partner %q is not claimed", key, partnerID)
	}
	rec.Done = true
	rec.Response = app.StoredResponse{Status: resp.Status, Body: bytes.Clone(resp.Body)}
	r.st.idempotency[k] = rec
	return nil
}

// Put refuses an existing key.
func (r idempotencyRepo) Put(ctx context.Context, rec app.IdempotencyRecord) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	k := idempotencyKey{rec.PartnerID, rec.Key}
	if _, ok := r.st.idempotency[k]; ok {
		return app.ErrIdempotencyKeyTaken
	}
	r.st.idempotency[k] = copyIdempotency(rec)
	return nil
}

// Release leaves completed keys and missing keys alone.
func (r idempotencyRepo) Release(ctx context.Context, partnerID, key string) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	k := idempotencyKey{partnerID, key}
	if rec, ok := r.st.idempotency[k]; ok && !rec.Done {
		delete(r.st.idempotency, k)
	}
	return nil
}

func copyIdempotency(rec app.IdempotencyRecord) app.IdempotencyRecord {
	rec.RequestHash = bytes.Clone(rec.RequestHash)
	rec.Response.Body = bytes.Clone(rec.Response.Body)
	return rec
}
