package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/partner"
)

// plainHasher keeps passwords readable: hashing is the adapter's concern.
type plainHasher struct{}

func (plainHasher) Hash(p string) (string, error) { return "plain:" + p, nil }
func (plainHasher) Verify(enc, p string) bool     { return enc == "plain:"+p }

type fixedAuditor struct{ rep app.AuditReport }

func (a fixedAuditor) Audit(context.Context) (app.AuditReport, error) { return a.rep, nil }

type office struct {
	*fixture
	bo      *app.Backoffice
	partner *partner.Partner
	ops     map[operator.Role]*operator.Operator
}

func newOffice(t *testing.T) *office {
	t.Helper()
	f := newFixture(t)
	o := &office{fixture: f, bo: app.NewBackoffice(f.app, plainHasher{}, fixedAuditor{app.AuditReport{Entries: 3}}),
		partner: f.partner("PARTNER"), ops: map[operator.Role]*operator.Operator{}}
	for _, r := range []operator.Role{operator.RoleReviewer, operator.RoleSupport, operator.RoleAdmin} {
		op, _, err := o.bo.CreateOperator(context.Background(), nil, strings.ToLower(string(r))+"@dompet.example", string(r))
		if err != nil {
			t.Fatal(err)
		}
		o.ops[r] = op
	}
	return o
}

// pendingKYC registers a customer and submits KYC, left pending.
func (o *office) pendingKYC(mobile string) {
	o.t.Helper()
	o.registered(o.partner, mobile)
	if _, err := o.app.SubmitKYC(context.Background(), app.SubmitKYC{Partner: o.partner, MobileNumber: mobile,
		NIK: "3273011708900001", FullName: "Budi Santoso", BirthDate: "1990-08-17"}); err != nil {
		o.t.Fatal(err)
	}
}

func (o *office) audit() []operator.AuditEntry {
	o.t.Helper()
	log, err := o.bo.AuditLog(context.Background(), o.ops[operator.RoleAdmin], 100)
	if err != nil {
		o.t.Fatal(err)
	}
	return log
}

func TestBackofficeRolesAreEnforcedInTheUseCases(t *testing.T) {
	t.Parallel()
	type useCase func(o *office, op *operator.Operator) error
	approve := func(o *office, op *operator.Operator) error {
		o.pendingKYC("081200000001")
		_, err := o.bo.DecideKYCAs(context.Background(), op, "081200000001", true, "")
		return err
	}
	reject := func(o *office, op *operator.Operator) error {
		o.pendingKYC("081200000001")
		_, err := o.bo.DecideKYCAs(context.Background(), op, "081200000001", false, "blurry photo")
		return err
	}
	block := func(o *office, op *operator.Operator) error {
		o.registered(o.partner, "081200000002")
		_, err := o.bo.SetBlocked(context.Background(), op, "081200000002", true, "fraud report #12")
		return err
	}
	replay := func(o *office, op *operator.Operator) error {
		o.registered(o.partner, "081200000003")
		evs, err := o.bo.Deliveries(context.Background(), op, o.partner.ID(), "")
		if err != nil || len(evs) > 0 {
			t.Fatalf("unexpected deliveries %v %v", evs, err)
		}
		_, err = o.bo.ReplayDead(context.Background(), op, o.partner.ID())
		return err
	}
	createOperator := func(o *office, op *operator.Operator) error {
		_, _, err := o.bo.CreateOperator(context.Background(), op, "new@dompet.example", "SUPPORT")
		return err
	}
	disablePartner := func(o *office, op *operator.Operator) error {
		_, err := o.bo.DisablePartner(context.Background(), op, o.partner.ID(), "secret leaked")
		return err
	}
	auditLog := func(o *office, op *operator.Operator) error {
		_, err := o.bo.AuditLog(context.Background(), op, 10)
		return err
	}
	const (
		R = operator.RoleReviewer
		S = operator.RoleSupport
		A = operator.RoleAdmin
	)
	cases := []struct {
		name    string
		run     useCase
		allowed []operator.Role
	}{
		{"approve KYC", approve, []operator.Role{R, A}},
		{"reject KYC", reject, []operator.Role{R, A}},
		{"block a customer", block, []operator.Role{S, A}},
		{"replay dead webhooks", replay, []operator.Role{S, A}},
		{"create an operator", createOperator, []operator.Role{A}},
		{"disable a partner", disablePartner, []operator.Role{A}},
		{"read the audit log", auditLog, []operator.Role{A}},
	}
	for _, c := range cases {
		for _, role := range []operator.Role{R, S, A} {
			want := "refused"
			for _, a := range c.allowed {
				if a == role {
					want = "allowed"
				}
			}
			t.Run(c.name+" is "+want+" to "+string(role), func(t *testing.T) {
				t.Parallel()
				o := newOffice(t)
				err := c.run(o, o.ops[role])
				if want == "allowed" {
					if err != nil {
						t.Fatalf("error = %v, want none", err)
					}
					return
				}
				if !errors.Is(err, operator.ErrForbidden) {
					t.Fatalf("error = %v, want ErrForbidden", err)
				}
				log := o.audit()
				last := log[0]
				if c.name == "read the audit log" {
					return // the refused read is the second newest; the admin's read of it is no audit line
				}
				if last.Outcome != operator.OutcomeDenied || last.OperatorID != o.ops[role].ID() {
					t.Fatalf("newest audit entry %+v, want the refusal of %s", last, role)
				}
			})
		}
	}
}

func TestSupportApproveChangesNothing(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	o.pendingKYC("081200000001")
	if _, err := o.bo.DecideKYCAs(context.Background(), o.ops[operator.RoleSupport], "081200000001", true, ""); !errors.Is(err, operator.ErrForbidden) {
		t.Fatalf("error = %v, want ErrForbidden", err)
	}
	q, err := o.bo.KYCQueue(context.Background(), o.ops[operator.RoleSupport])
	if err != nil || len(q) != 1 || q[0].Customer.KYCStatus() != customer.KYCPending {
		t.Fatalf("queue after a refused approve: %v %v", q, err)
	}
}

func TestKYCQueueShowsTheFullNIKOnlyToReviewers(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	o.pendingKYC("081200000001")
	for role, want := range map[operator.Role]string{
		operator.RoleReviewer: "3273011708900001",
		operator.RoleSupport:  "************0001",
		operator.RoleAdmin:    "************0001",
	} {
		q, err := o.bo.KYCQueue(context.Background(), o.ops[role])
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || q[0].NIK != want {
			t.Errorf("%s sees %+v, want NIK %s", role, q, want)
		}
	}
}

func TestApproveIsAuditedAndUpgradesTheCustomer(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	o.pendingKYC("081200000001")
	rev := o.ops[operator.RoleReviewer]
	c, err := o.bo.DecideKYCAs(context.Background(), rev, "081200000001", true, "documents match")
	if err != nil {
		t.Fatal(err)
	}
	if c.KYCStatus() != customer.KYCVerified || c.AccountType() != customer.AccountPremium {
		t.Fatalf("customer after approve: %s %s", c.KYCStatus(), c.AccountType())
	}
	e := o.audit()[0]
	if e.Action != "kyc.approve" || e.OperatorID != rev.ID() || e.Email != "reviewer@dompet.example" ||
		e.Target != "6281200000001" || e.Detail != "documents match" || !e.At.Equal(o.clock.Now()) || e.Outcome != operator.OutcomeDone {
		t.Fatalf("audit entry %+v", e)
	}
	if q, _ := o.bo.KYCQueue(context.Background(), rev); len(q) != 0 {
		t.Fatalf("queue after approve: %d items", len(q))
	}
}

func TestBlockedCustomerCannotPayUntilUnblocked(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ctx := context.Background()
	o.registered(o.partner, "081200000001")
	sup := o.ops[operator.RoleSupport]
	if _, err := o.bo.SetBlocked(ctx, sup, "081200000001", true, ""); err == nil {
		t.Fatal("block without a reason was accepted")
	}
	c, err := o.bo.SetBlocked(ctx, sup, "081200000001", true, "stolen phone")
	if err != nil || c.Status() != customer.StatusBlocked {
		t.Fatalf("block: %v %v", c, err)
	}
	if _, err := o.bo.SetBlocked(ctx, sup, "081200000001", true, "again"); err == nil {
		t.Fatal("blocking a blocked customer was accepted")
	}
	_, err = o.app.Pay(ctx, app.Pay{Partner: o.partner, MobileNumber: "081200000001", Amount: 1000, OrderID: "O-1"})
	if !errors.Is(err, customer.ErrNotActive) {
		t.Fatalf("payment of a blocked customer: %v, want ErrNotActive", err)
	}
	if _, err := o.bo.SetBlocked(ctx, sup, "081200000001", false, "phone recovered"); err != nil {
		t.Fatal(err)
	}
	d, err := o.bo.Customer(ctx, o.ops[operator.RoleReviewer], "081200000001")
	if err != nil || d.Customer.Status() != customer.StatusActive || d.Limits.MaxBalance != 2_000_000 {
		t.Fatalf("customer after unblock: %+v %v", d, err)
	}
	log := o.audit()
	if log[0].Action != "customer.view" || log[0].Target != "6281200000001" || log[0].OperatorID != o.ops[operator.RoleReviewer].ID() ||
		log[1].Action != "customer.unblock" || log[1].Detail != "phone recovered" || log[2].Action != "customer.block" {
		t.Fatalf("audit log %+v", log[:3])
	}
}

func TestLoginSessionsAndRateLimit(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ctx := context.Background()
	_, pw, err := o.bo.CreateOperator(ctx, o.ops[operator.RoleAdmin], "Rina@Dompet.example", "REVIEWER")
	if err != nil {
		t.Fatal(err)
	}
	token, op, err := o.bo.Login(ctx, "rina@dompet.example", pw, "10.0.0.1")
	if err != nil || op.Email() != "rina@dompet.example" {
		t.Fatalf("login: %v %v", op, err)
	}
	if got, err := o.bo.Authenticate(ctx, token); err != nil || got.ID() != op.ID() {
		t.Fatalf("authenticate: %v %v", got, err)
	}
	if _, err := o.bo.Authenticate(ctx, token+"x"); !errors.Is(err, operator.ErrSessionEnded) {
		t.Fatalf("forged token: %v", err)
	}
	if err := o.bo.Logout(ctx, op, token); err != nil {
		t.Fatal(err)
	}
	if _, err := o.bo.Authenticate(ctx, token); !errors.Is(err, operator.ErrSessionEnded) {
		t.Fatalf("after logout: %v", err)
	}

	// Sessions end after OperatorSessionTTL.
	token, _, err = o.bo.Login(ctx, "rina@dompet.example", pw, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	o.clock.Advance(app.OperatorSessionTTL)
	if _, err := o.bo.Authenticate(ctx, token); !errors.Is(err, operator.ErrSessionEnded) {
		t.Fatalf("expired session: %v", err)
	}

	// Five failures lock the e-mail out for the window, even with the
	// right password; an unknown e-mail fails the same way.
	if _, _, err := o.bo.Login(ctx, "nobody@dompet.example", pw, "10.0.0.1"); !errors.Is(err, operator.ErrBadLogin) {
		t.Fatalf("unknown e-mail: %v", err)
	}
	for range 5 {
		if _, _, err := o.bo.Login(ctx, "rina@dompet.example", "wrong", "10.0.0.2"); !errors.Is(err, operator.ErrBadLogin) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	if _, _, err := o.bo.Login(ctx, "rina@dompet.example", pw, "10.0.0.3"); !errors.Is(err, app.ErrTooManyLogins) {
		t.Fatalf("sixth attempt: %v, want ErrTooManyLogins", err)
	}
	o.clock.Advance(16 * time.Minute)
	if _, _, err := o.bo.Login(ctx, "rina@dompet.example", pw, "10.0.0.3"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	var failed int
	for _, e := range o.audit() {
		if e.Action == "login.failed" {
			failed++
			if strings.Contains(e.Detail, "wrong") || strings.Contains(e.Detail, pw) {
				t.Fatalf("audit line holds a password: %+v", e)
			}
		}
	}
	if failed != 6 {
		t.Fatalf("%d failed sign-ins audited, want 6", failed)
	}
}

func TestReconcileIsOpenToEveryRoleAndAudited(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	rep, err := o.bo.Reconcile(context.Background(), o.ops[operator.RoleSupport])
	if err != nil || !rep.OK() || rep.Entries != 3 {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	if e := o.audit()[0]; e.Action != "reconcile.run" || e.Detail != "OK" {
		t.Fatalf("audit entry %+v", e)
	}
}

func TestDisabledPartnerIsRefused(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ctx := context.Background()
	res, err := o.app.CreatePartner(ctx, app.NewPartner{Name: "Leaky", Role: "PARTNER"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Partner.ID()
	signed := func() error {
		ts := o.clock.Now().Format(time.RFC3339)
		_, err := o.app.AuthenticatePartner(ctx, app.SignedRequest{PartnerID: id, Method: "GET", PathWithQuery: "/banks/",
			Timestamp: ts, Signature: partner.Sign([]byte(res.Secret), "GET", "/banks/", nil, ts)})
		return err
	}
	if err := signed(); err != nil {
		t.Fatalf("before disable: %v", err)
	}
	if _, err := o.bo.DisablePartner(ctx, o.ops[operator.RoleAdmin], id, ""); err == nil {
		t.Fatal("disable without a reason was accepted")
	}
	p, err := o.bo.DisablePartner(ctx, o.ops[operator.RoleAdmin], id, "secret leaked")
	if err != nil || !p.Disabled() {
		t.Fatalf("disable: %v %v", p, err)
	}
	if err := signed(); !errors.Is(err, partner.ErrDisabled) {
		t.Fatalf("signed request of a disabled partner: %v", err)
	}
	if _, err := o.app.Partner(ctx, id); !errors.Is(err, partner.ErrDisabled) {
		t.Fatalf("X-PARTNER-ID of a disabled partner: %v", err)
	}
	if e := o.audit()[0]; e.Action != "partner.disable" || e.Target != id || e.Detail != "secret leaked" {
		t.Fatalf("audit entry %+v", e)
	}
}

func TestCLIDecisionsAreAuditedToo(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	o.pendingKYC("081200000001")
	if _, err := o.app.DecideKYC(context.Background(), "081200000001", false, "name differs from KTP"); err != nil {
		t.Fatal(err)
	}
	e := o.audit()[0]
	if e.Action != "kyc.reject" || e.OperatorID != app.CLI || e.Target != "6281200000001" || e.Detail != "name differs from KTP" {
		t.Fatalf("audit entry %+v", e)
	}
}
