package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/pgnotify"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/qrisswitch"
	"github.com/dompet/wallet/adapters/secretbox"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/wallet"
	"github.com/dompet/wallet/graph/model"
	"github.com/dompet/wallet/internal/testdb"
)

// queryCounter counts every statement the process sends (bun's hook, and
// the batched writes past it).
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

// BenchmarkSubscribers measures live updates on PostgreSQL with n
// transactionUpdated subscribers: one customer receives a VA top-up per
// operation and its subscriber waits for the message; the other n-1
// subscribe for customers that receive nothing. Reported:
//   - idle-queries/s: statements per second with nothing happening;
//   - queries/op: statements per top-up, the top-up's own included;
//   - p50-ms, p99-ms: from the top-up's commit to the subscriber's message.
//
// listen: the change listener wakes the subscribers (ADR 0013); poll: each
// subscriber reads the outbox every DefaultSubscriptionPoll (the SQLite
// path and the fallback). A subscriber here is the feed the resolver
// starts, without its websocket (which costs the database nothing).
//
//	go test -run '^$' -bench Subscribers -benchtime 50x ./graph/
func BenchmarkSubscribers(b *testing.B) {
	for _, mode := range []string{"listen", "poll"} {
		for _, n := range []int{1, 100, 5000} {
			b.Run(fmt.Sprintf("%s/subscribers=%d", mode, n), func(b *testing.B) { benchSubscribers(b, mode == "listen", n) })
		}
	}
}

// pgStack is an application on a fresh PostgreSQL schema with a partner,
// a bank channel and an active customer; it counts the statements sent.
type pgStack struct {
	url      string
	db       *bunstore.DB
	box      app.SecretBox
	app      *app.App
	log      *slog.Logger
	queries  *queryCounter
	shop     *partner.Partner
	bank     *partner.Partner
	mobile   string
	customer string
}

func newPGStack(tb testing.TB) *pgStack {
	tb.Helper()
	ctx := context.Background()
	url := testdb.SchemaURL(tb)
	db, closeDB, err := bunstore.Open(ctx, bunstore.Config{URL: url, MaxConns: 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeDB)
	if err := db.Migrate(ctx, func(ctx context.Context) error { return jobs.Migrate(ctx, db) }); err != nil {
		tb.Fatal(err)
	}
	counter := &queryCounter{}
	db.Bun = db.Bun.WithQueryHook(counter)
	db.TraceStatements(func(string) { counter.n.Add(1) })

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	key := secretbox.MasterKey(bytes.Repeat([]byte{7}, 32))
	box, err := secretbox.New(key)
	if err != nil {
		tb.Fatal(err)
	}
	ins, err := jobs.NewInserter(db, log)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := app.DefaultConfig()
	cfg.OTPKey = key.Derive("otp")
	cfg.Money.Banks = banks.MustLoad()
	// Room for any b.N top-ups.
	cfg.Money.Limits[customer.AccountBasic] = wallet.Limits{MaxBalance: 1 << 50, MonthlyIncoming: 1 << 50}
	a := app.New(bunstore.NewUnitOfWork(db, ins.Bind, box), system.Clock{}, system.NewULIDs(), phone.NewNormalizer(), box, cfg, log,
		app.Gateways{Bank: bankgw.NewSimulator(0), QRIS: qrisswitch.NewSimulator(0)})

	s := &pgStack{url: url, db: db, box: box, app: a, log: log, queries: counter, mobile: "081234560001"}
	s.shop = mustPartner(tb, a, "Shop", "PARTNER")
	s.bank = mustPartner(tb, a, "BCA", "CHANNEL")
	reg, err := a.RegisterCustomer(ctx, app.RegisterCustomer{Partner: s.shop, MobileNumber: s.mobile, FirstName: "Budi"})
	if err != nil {
		tb.Fatal(err)
	}
	s.customer = reg.Customer.ID()
	activate(tb, db, box, s.customer)
	return s
}

// topUp credits the customer through the bank's VA and returns the
// transaction id.
func (s *pgStack) topUp(tb testing.TB, ref string) string {
	tb.Helper()
	m, err := s.app.PayVA(context.Background(), app.VAPayment{Partner: s.bank, VANumber: "39358" + s.mobile, Amount: 10_000, BankReference: ref})
	if err != nil {
		tb.Fatal(err)
	}
	return m.Transaction.ID()
}

// listener runs a change listener on the stack's schema until the test
// ends and waits until it listens.
func (s *pgStack) listener(tb testing.TB) *pgnotify.Listener {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := pgnotify.New(pgnotify.Config{URL: s.url}, s.log)
	l.OnPartner(s.app.ForgetPartner)
	l.OnResync(s.app.ForgetPartners)
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	for l.Connections() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	return l
}

func benchSubscribers(b *testing.B, listen bool, n int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newPGStack(b)
	a, log, shop, counter := s.app, s.log, s.shop, s.queries
	// The subscribers have no access token to recheck: no rechecks.
	r := &Resolver{app: a, log: log, poll: DefaultSubscriptionPoll, recheck: time.Hour}
	if listen {
		r.live = s.listener(b)
	}
	// Every feed takes its starting point before any runs: with thousands
	// of pollers running, each later start would queue behind them.
	var runs []func()
	subscribe := func(customerID string) chan *model.Transaction {
		c := &caller{partner: shop, session: &app.CustomerSession{PartnerID: shop.ID(), CustomerID: customerID}}
		feed := newTransactionFeed(a, log, c)
		w, stop := r.wakeups(c)
		if err := feed.start(ctx); err != nil {
			b.Fatal(err)
		}
		out := make(chan *model.Transaction, 1)
		runs = append(runs, func() { defer stop(); feed.run(ctx, w, out) })
		return out
	}
	messages := subscribe(s.customer)
	for i := 1; i < n; i++ {
		subscribe("idle-" + strconv.Itoa(i))
	}
	for _, run := range runs {
		go run()
		// Spread the pollers over the period, as subscribers arriving
		// over time are.
		time.Sleep(DefaultSubscriptionPoll / time.Duration(n))
	}
	time.Sleep(time.Second) // the start reads are over; pollers spread

	before, start := counter.n.Load(), time.Now()
	time.Sleep(2 * time.Second)
	idle := float64(counter.n.Load()-before) / time.Since(start).Seconds()
	b.Logf("%d subscribers, listen=%v: %.0f statements/s with nothing happening", n, listen, idle)

	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	before = counter.n.Load()
	for i := range b.N {
		s.topUp(b, fmt.Sprintf("B%d", i))
		committed := time.Now()
		select {
		case <-messages:
		case <-time.After(90 * time.Second):
			b.Fatalf("no message within 90 s after %d: the database cannot keep up with %d pollers", i, n)
		}
		latencies = append(latencies, time.Since(committed))
	}
	b.StopTimer()
	slices.Sort(latencies)
	ms := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(idle, "idle-queries/s")
	b.ReportMetric(float64(counter.n.Load()-before)/float64(b.N), "queries/op")
	b.ReportMetric(ms(0.5), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

func mustPartner(b testing.TB, a *app.App, name, role string) *partner.Partner {
	b.Helper()
	p, err := a.CreatePartner(context.Background(), app.NewPartner{Name: name, Role: role})
	if err != nil {
		b.Fatal(err)
	}
	return p.Partner
}

// activate verifies the customer's number without the OTP round trip.
func activate(b testing.TB, db *bunstore.DB, box app.SecretBox, id string) {
	b.Helper()
	err := bunstore.NewUnitOfWork(db, nil, box).Do(context.Background(), func(ctx context.Context, r app.Repos) error {
		c, err := r.Customers.ByID(ctx, id)
		if err != nil {
			return err
		}
		if err := c.Activate(time.Now()); err != nil {
			return err
		}
		return r.Customers.Update(ctx, c)
	})
	if err != nil {
		b.Fatal(err)
	}
}
