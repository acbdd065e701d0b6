package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/kyc"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

func addOperator(t *testing.T, uow app.UnitOfWork, email string, role operator.Role) *operator.Operator {
	t.Helper()
	o, err := operator.New(newID("opr"), email, role, "$argon2id$hash", at(-time.Hour))
	if err != nil {
		t.Fatalf("operator fixture: %v", err)
	}
	do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Operators.Add(ctx, o) })
	return o
}

func sameOperator(t *testing.T, what string, got, want *operator.Operator) {
	t.Helper()
	eq(t, what+" id", got.ID(), want.ID())
	eq(t, what+" email", got.Email(), want.Email())
	eq(t, what+" role", got.Role(), want.Role())
	eq(t, what+" hash", got.PasswordHash(), want.PasswordHash())
	eqTime(t, what+" created", got.CreatedAt(), want.CreatedAt())
	eq(t, what+" active", got.Active(), true)
}

var operatorSteps = []testCase{
	{"an added operator is found by e-mail and by id", func(t *testing.T, uow app.UnitOfWork) {
		o := addOperator(t, uow, "rina@dompet.example", operator.RoleReviewer)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Operators.ByEmail(ctx, "rina@dompet.example")
			if err != nil {
				return err
			}
			sameOperator(t, "by e-mail", got, o)
			got, err = r.Operators.ByID(ctx, o.ID())
			if err != nil {
				return err
			}
			sameOperator(t, "by id", got, o)
			return nil
		})
	}},
	{"an unknown operator is not found", func(t *testing.T, uow app.UnitOfWork) {
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Operators.ByEmail(ctx, "nobody@dompet.example")
			return err
		})
		wantErr(t, "by e-mail", err, operator.ErrNotFound)
		err = try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Operators.ByID(ctx, "opr-missing")
			return err
		})
		wantErr(t, "by id", err, operator.ErrNotFound)
	}},
	{"a second operator with the same e-mail is refused", func(t *testing.T, uow app.UnitOfWork) {
		addOperator(t, uow, "sam@dompet.example", operator.RoleSupport)
		o, _ := operator.New(newID("opr"), "sam@dompet.example", operator.RoleAdmin, "h", at(0))
		err := try(t, uow, func(ctx context.Context, r app.Repos) error { return r.Operators.Add(ctx, o) })
		wantErr(t, "add", err, operator.ErrEmailTaken)
	}},
	{"operators are listed by e-mail", func(t *testing.T, uow app.UnitOfWork) {
		b := addOperator(t, uow, "list-b@dompet.example", operator.RoleSupport)
		a := addOperator(t, uow, "list-a@dompet.example", operator.RoleAdmin)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			all, err := r.Operators.List(ctx)
			if err != nil {
				return err
			}
			var got []*operator.Operator // the two of this test, in list order
			for i, o := range all {
				if i > 0 && all[i-1].Email() > o.Email() {
					t.Errorf("%s listed before %s", all[i-1].Email(), o.Email())
				}
				if o.ID() == a.ID() || o.ID() == b.ID() {
					got = append(got, o)
				}
			}
			if len(got) != 2 {
				t.Fatalf("listed %d of the 2 operators", len(got))
			}
			sameOperator(t, "first", got[0], a)
			sameOperator(t, "second", got[1], b)
			return nil
		})
	}},
	{"a session is found by its token hash until deleted", func(t *testing.T, uow app.UnitOfWork) {
		o := addOperator(t, uow, "s@dompet.example", operator.RoleSupport)
		hash := []byte("\x00hash\xff" + newID("tok"))
		s := operator.Session{TokenHash: hash, OperatorID: o.ID(), CreatedAt: at(0), ExpiresAt: at(8 * time.Hour)}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Operators.AddSession(ctx, s) })
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Operators.Session(ctx, hash)
			if err != nil {
				return err
			}
			eqBytes(t, "hash", got.TokenHash, hash)
			eq(t, "operator", got.OperatorID, o.ID())
			eqTime(t, "created", got.CreatedAt, s.CreatedAt)
			eqTime(t, "expires", got.ExpiresAt, s.ExpiresAt)
			return nil
		})
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Operators.DeleteSession(ctx, hash) })
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Operators.DeleteSession(ctx, hash) })
		err := try(t, uow, func(ctx context.Context, r app.Repos) error {
			_, err := r.Operators.Session(ctx, hash)
			return err
		})
		wantErr(t, "after delete", err, operator.ErrSessionEnded)
	}},
	{"the audit log lists the newest entries first", func(t *testing.T, uow app.UnitOfWork) {
		var ids []string
		for i, action := range []string{"login", "kyc.approve", "logout"} {
			e := operator.AuditEntry{ID: newID("aud"), OperatorID: "opr1", Email: "r@dompet.example", Action: action,
				Target: "6281200000001", Detail: "reason", Outcome: operator.OutcomeDone, At: at(time.Duration(i) * time.Minute)}
			ids = append(ids, e.ID)
			do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Operators.Record(ctx, e) })
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Operators.AuditLog(ctx, 2)
			if err != nil {
				return err
			}
			if len(got) != 2 {
				t.Fatalf("got %d entries, want 2", len(got))
			}
			eq(t, "newest", got[0].ID, ids[2])
			eq(t, "next", got[1].ID, ids[1])
			eq(t, "action", got[1].Action, "kyc.approve")
			eq(t, "who", got[1].Email, "r@dompet.example")
			eq(t, "target", got[1].Target, "6281200000001")
			eq(t, "detail", got[1].Detail, "reason")
			eq(t, "outcome", got[1].Outcome, operator.OutcomeDone)
			eqTime(t, "when", got[1].At, at(time.Minute))
			return nil
		})
	}},
}

var lookupSteps = []testCase{
	{"pending KYC lists only pending submissions, oldest first", func(t *testing.T, uow app.UnitOfWork) {
		c1, c2, c3 := addCustomer(t, uow), addCustomer(t, uow), addCustomer(t, uow)
		late, early, decided := newSubmission(t, c1.ID(), at(2*time.Hour)), newSubmission(t, c2.ID(), at(time.Hour)), newSubmission(t, c3.ID(), at(0))
		addSubmissions(t, uow, late, early, decided)
		if err := decided.Approve(at(3 * time.Hour)); err != nil {
			t.Fatal(err)
		}
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.KYC.Update(ctx, decided) })
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			got, err := r.Lookups.PendingKYC(ctx, 10)
			if err != nil {
				return err
			}
			if len(got) != 2 {
				t.Fatalf("got %d pending, want 2", len(got))
			}
			sameSubmission(t, "first", got[0], early)
			sameSubmission(t, "second", got[1], late)
			eq(t, "status", got[0].Status(), kyc.StatusPending)
			return nil
		})
	}},
	{"transactions are searched by every field, newest first, with their postings", func(t *testing.T, uow app.UnitOfWork) {
		c := addCustomer(t, uow)
		openPocket(t, uow, c.ID())
		p1, p2 := newID("ptn"), newID("ptn")
		pay := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: p1, CustomerID: c.ID(),
			Counterparty: "Toko", OrderID: "ORDER-1"}, at(time.Hour))
		top := startTransaction(t, transfer.New{Type: transfer.TypeTopUpVA, PartnerID: p2, CustomerID: c.ID(),
			Counterparty: "BCA", Reference: newID("ref")}, at(0))
		top.Succeed(at(0))
		other := startTransaction(t, transfer.New{Type: transfer.TypePayment, PartnerID: p1, CustomerID: c.ID(),
			Counterparty: "Toko", OrderID: "ORDER-2"}, at(2*time.Hour))
		addTransactions(t, uow, pay, top, other)
		clearing := openSystem(t, uow, wallet.KindVAClearing)
		credit(t, uow, c.ID(), clearing, top.ID(), 10_000, at(0))

		search := func(f app.TransactionSearch) []string {
			t.Helper()
			var ids []string
			do(t, uow, func(ctx context.Context, r app.Repos) error {
				ts, err := r.Lookups.SearchTransactions(ctx, f)
				for _, x := range ts {
					ids = append(ids, x.ID())
				}
				return err
			})
			return ids
		}
		eqIDs(t, "all", search(app.TransactionSearch{}), other.ID(), pay.ID(), top.ID())
		eqIDs(t, "limit", search(app.TransactionSearch{Limit: 1}), other.ID())
		eqIDs(t, "reffId", search(app.TransactionSearch{ReffID: pay.ID()}), pay.ID())
		eqIDs(t, "orderId", search(app.TransactionSearch{OrderID: "ORDER-2"}), other.ID())
		eqIDs(t, "partner", search(app.TransactionSearch{PartnerID: p2}), top.ID())
		eqIDs(t, "status", search(app.TransactionSearch{Status: transfer.StatusSuccess}), top.ID())
		eqIDs(t, "dates", search(app.TransactionSearch{From: at(time.Hour), To: at(2 * time.Hour)}), pay.ID())

		do(t, uow, func(ctx context.Context, r app.Repos) error {
			ps, err := r.Lookups.Postings(ctx, top.ID())
			if err != nil {
				return err
			}
			if len(ps) != 2 {
				t.Fatalf("got %d postings, want 2", len(ps))
			}
			eq(t, "from", ps[0].AccountID, clearing)
			eq(t, "from amount", ps[0].Amount, int64(-10_000))
			eq(t, "to amount", ps[1].Amount, int64(10_000))
			eq(t, "to balance after", ps[1].BalanceAfter, int64(10_000))
			none, err := r.Lookups.Postings(ctx, pay.ID())
			eq(t, "postings of an unbooked transaction", len(none), 0)
			return err
		})
	}},
	{"partners are listed by name", func(t *testing.T, uow app.UnitOfWork) {
		z, _ := partner.New(newID("ptn"), "Zebra Mart", partner.RolePartner, []byte("s"), at(0))
		a, _ := partner.New(newID("ptn"), "Apotek Sehat", partner.RoleChannel, []byte("s"), at(0))
		setCallbackURL(t, a, "https://apotek.example/hook")
		a.SetBankTransferFee(1500)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			if err := r.Partners.Add(ctx, z); err != nil {
				return err
			}
			return r.Partners.Add(ctx, a)
		})
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			all, err := r.Lookups.Partners(ctx)
			if err != nil {
				return err
			}
			var ps []*partner.Partner // the two of this test, in list order
			for i, p := range all {
				if i > 0 && all[i-1].Name() > p.Name() {
					t.Errorf("%s listed before %s", all[i-1].Name(), p.Name())
				}
				if p.ID() == a.ID() || p.ID() == z.ID() {
					ps = append(ps, p)
				}
			}
			if len(ps) != 2 {
				t.Fatalf("listed %d of the 2 partners", len(ps))
			}
			eq(t, "first", ps[0].ID(), a.ID())
			eq(t, "callback", ps[0].CallbackURL(), "https://apotek.example/hook")
			fee, own := ps[0].BankTransferFee()
			eq(t, "fee", fee, int64(1500))
			eq(t, "own fee", own, true)
			eq(t, "second", ps[1].ID(), z.ID())
			return nil
		})
	}},
	{"a disabled partner stays disabled", func(t *testing.T, uow app.UnitOfWork) {
		p := addPartner(t, uow)
		eq(t, "disabled before", getPartner(t, uow, p.ID()).Disabled(), false)
		p.Disable()
		do(t, uow, func(ctx context.Context, r app.Repos) error { return r.Partners.Update(ctx, p) })
		got := getPartner(t, uow, p.ID())
		eq(t, "disabled", got.Disabled(), true)
		do(t, uow, func(ctx context.Context, r app.Repos) error {
			ps, err := r.Lookups.Partners(ctx)
			for _, x := range ps {
				if x.ID() == p.ID() && !x.Disabled() {
					t.Error("listed as enabled")
				}
			}
			return err
		})
	}},
}

// The operator and lookup contracts run their steps on one store each:
// every store costs a full migration, and the steps use fresh data.
var (
	operatorCases = []testCase{{"operators, sessions and the audit log", steps(operatorSteps)}}
	lookupCases   = []testCase{{"back-office searches", steps(lookupSteps)}}
)

func steps(cases []testCase) func(t *testing.T, uow app.UnitOfWork) {
	return func(t *testing.T, uow app.UnitOfWork) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.run(t, uow) })
		}
	}
}
