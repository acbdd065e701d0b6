package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

var (
	_ operator.Repository = operatorRepo{}
	_ app.Lookups         = lookups{}
)

// operatorRepo stores operators as given: they have no mutating methods.
type operatorRepo struct{ *tx }

func (r operatorRepo) Add(ctx context.Context, o *operator.Operator) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.operators[o.ID()]; ok {
		return fmt.Errorf("memstore: operator %q already exists", o.ID())
	}
	for _, x := range r.st.operators {
		if x.Email() == o.Email() {
			return operator.ErrEmailTaken
		}
	}
	r.st.operators[o.ID()] = o
	return nil
}

func (r operatorRepo) ByEmail(ctx context.Context, email string) (*operator.Operator, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	for _, o := range r.st.operators {
		if o.Email() == email {
			return o, nil
		}
	}
	return nil, operator.ErrNotFound
}

func (r operatorRepo) ByID(ctx context.Context, id string) (*operator.Operator, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	o, ok := r.st.operators[id]
	if !ok {
		return nil, operator.ErrNotFound
	}
	return o, nil
}

func (r operatorRepo) List(ctx context.Context) ([]*operator.Operator, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	out := make([]*operator.Operator, 0, len(r.st.operators))
	for _, o := range r.st.operators {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *operator.Operator) int { return cmp.Compare(a.Email(), b.Email()) })
	return out, nil
}

func (r operatorRepo) AddSession(ctx context.Context, s operator.Session) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	if _, ok := r.st.operators[s.OperatorID]; !ok {
		return fmt.Errorf("memstore: session of unknown operator %q", s.OperatorID)
	}
	s.TokenHash = slices.Clone(s.TokenHash)
	r.st.operatorSessions[string(s.TokenHash)] = s
	return nil
}

func (r operatorRepo) Session(ctx context.Context, tokenHash []byte) (operator.Session, error) {
	if err := r.check(ctx); err != nil {
		return operator.Session{}, err
	}
	s, ok := r.st.operatorSessions[string(tokenHash)]
	if !ok {
		return operator.Session{}, operator.ErrSessionEnded
	}
	s.TokenHash = slices.Clone(s.TokenHash)
	return s, nil
}

func (r operatorRepo) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	delete(r.st.operatorSessions, string(tokenHash))
	return nil
}

func (r operatorRepo) Record(ctx context.Context, e operator.AuditEntry) error {
	if err := r.check(ctx); err != nil {
		return err
	}
	r.st.audit = append(r.st.audit, e)
	return nil
}

func (r operatorRepo) AuditLog(ctx context.Context, limit int) ([]operator.AuditEntry, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	out := slices.Clone(r.st.audit)
	slices.Reverse(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

type lookups struct{ *tx }

func (r lookups) PendingKYC(ctx context.Context, limit int) ([]*kyc.Submission, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	var out []*kyc.Submission
	for _, s := range r.st.kyc {
		if s.Status() == kyc.StatusPending {
			out = append(out, copySubmission(s, s.Status(), s.Reason(), s.DecidedAt()))
		}
	}
	slices.SortStableFunc(out, func(a, b *kyc.Submission) int { return a.SubmittedAt().Compare(b.SubmittedAt()) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (r lookups) SearchTransactions(ctx context.Context, f app.TransactionSearch) ([]*transfer.Transaction, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	var out []*transfer.Transaction
	for _, t := range r.st.transactions {
		if (f.ReffID != "" && t.ID() != f.ReffID) || (f.OrderID != "" && t.OrderID() != f.OrderID) ||
			(f.PartnerID != "" && t.PartnerID() != f.PartnerID) || (f.Status != "" && t.Status() != f.Status) ||
			(!f.From.IsZero() && t.CreatedAt().Before(f.From)) || (!f.To.IsZero() && !t.CreatedAt().Before(f.To)) {
			continue
		}
		out = append(out, copyTransaction(t, t.Status(), t.Refunded(), t.UpdatedAt()))
	}
	slices.SortFunc(out, func(a, b *transfer.Transaction) int {
		return cmp.Or(b.CreatedAt().Compare(a.CreatedAt()), cmp.Compare(b.ID(), a.ID()))
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (r lookups) Postings(ctx context.Context, transactionID string) ([]wallet.Posting, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	var out []wallet.Posting
	for _, p := range r.st.postings {
		if p.transactionID == transactionID {
			out = append(out, p.Posting)
		}
	}
	return out, nil
}

func (r lookups) Partners(ctx context.Context) ([]*partner.Partner, error) {
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	out := make([]*partner.Partner, 0, len(r.st.partners))
	for _, p := range r.st.partners {
		out = append(out, copyPartner(p))
	}
	slices.SortFunc(out, func(a, b *partner.Partner) int {
		return cmp.Or(cmp.Compare(a.Name(), b.Name()), cmp.Compare(a.ID(), b.ID()))
	})
	return out, nil
}
