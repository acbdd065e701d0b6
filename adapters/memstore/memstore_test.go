package memstore_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/memstore"
	"github.com/dompet/wallet/adapters/storetest"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/wallet"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) app.UnitOfWork { return memstore.New() })
}

var errAbort = errors.New("abort")

var checkAt = time.Date(2026, 3, 14, 9, 27, 0, 0, time.UTC)

func enqueue(ctx context.Context, r app.Repos) error {
	if err := r.Jobs.SendNotification(ctx, "ntf-1", app.ChannelWhatsApp); err != nil {
		return err
	}
	return r.Jobs.CheckDelivery(ctx, "ntf-1", checkAt)
}

func TestCommittedJobsAreRecorded(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	if err := s.Do(t.Context(), enqueue); err != nil {
		t.Fatal(err)
	}
	want := []memstore.Job{
		{Kind: memstore.JobSend, NotificationID: "ntf-1", Channel: app.ChannelWhatsApp},
		{Kind: memstore.JobCheck, NotificationID: "ntf-1", At: checkAt},
	}
	if got := s.Jobs(); !reflect.DeepEqual(got, want) {
		t.Errorf("Jobs() = %+v, want %+v", got, want)
	}
}

func TestRollbackDiscardsJobs(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	err := s.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
		if err := enqueue(ctx, r); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Do = %v, want %v", err, errAbort)
	}
	if got := s.Jobs(); len(got) != 0 {
		t.Errorf("Jobs() = %+v, want none", got)
	}
}

func TestTakeJobsClears(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	if err := s.Do(t.Context(), enqueue); err != nil {
		t.Fatal(err)
	}
	if got := s.TakeJobs(); len(got) != 2 {
		t.Fatalf("TakeJobs() = %+v, want 2 jobs", got)
	}
	if got := s.TakeJobs(); len(got) != 0 {
		t.Errorf("second TakeJobs() = %+v, want none", got)
	}
	if got := s.Jobs(); len(got) != 0 {
		t.Errorf("Jobs() after TakeJobs = %+v, want none", got)
	}
}

func TestNestedDoFails(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	var nested error
	err := s.Do(t.Context(), func(ctx context.Context, _ app.Repos) error {
		nested = s.Do(ctx, func(context.Context, app.Repos) error { return nil })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if nested == nil {
		t.Error("nested Do succeeded")
	}
}

func TestRepositoryFailsAfterDo(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	var leaked app.Repos
	if err := s.Do(t.Context(), func(_ context.Context, r app.Repos) error {
		leaked = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := leaked.Idempotency.Claim(t.Context(), app.IdempotencyRecord{PartnerID: "p", Key: "k"}); err == nil {
		t.Error("Claim after Do succeeded")
	}
}

func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	const n = 32
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for range n {
		wg.Go(func() {
			err := s.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
				existing, err := r.Idempotency.Claim(ctx, app.IdempotencyRecord{PartnerID: "p", Key: "k", RequestHash: []byte{1}})
				if err == nil && existing == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d claims won, want 1", wins)
	}
}

func TestCheckKYCJobIsRecorded(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	if err := s.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
		return r.Jobs.CheckKYC(ctx, "cus-1", "kyc-1")
	}); err != nil {
		t.Fatal(err)
	}
	want := []memstore.Job{{Kind: memstore.JobKYC, CustomerID: "cus-1", SubmissionID: "kyc-1"}}
	if got := s.Jobs(); !reflect.DeepEqual(got, want) {
		t.Errorf("Jobs() = %+v, want %+v", got, want)
	}
}

func TestDeliverEventJobIsRecorded(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	if err := s.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
		return r.Jobs.DeliverEvent(ctx, "evt-1")
	}); err != nil {
		t.Fatal(err)
	}
	want := []memstore.Job{{Kind: memstore.JobDeliver, EventID: "evt-1"}}
	if got := s.Jobs(); !reflect.DeepEqual(got, want) {
		t.Errorf("Jobs() = %+v, want %+v", got, want)
	}
}

func TestSaveOfAMissingEventIsNotFound(t *testing.T) {
	t.Parallel()
	err := memstore.New().Do(t.Context(), func(ctx context.Context, r app.Repos) error {
		return r.Events.Save(ctx, app.Event{ID: "evt-missing", Status: app.EventDelivered})
	})
	if !errors.Is(err, app.ErrEventNotFound) {
		t.Errorf("Save = %v, want %v", err, app.ErrEventNotFound)
	}
}

// ledger is a store with two pockets and a merchant account, and the
// platform accounts it starts with.
type ledger struct {
	*memstore.Store
	alice, bob, merchant string
}

func newLedger(t *testing.T) ledger {
	t.Helper()
	l := ledger{Store: memstore.New(), merchant: wallet.SystemAccountID(wallet.KindMerchant, "ptn-1")}
	alice, err := wallet.OpenPocket("acc-alice", "cus-alice", checkAt)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := wallet.OpenPocket("acc-bob", "cus-bob", checkAt)
	if err != nil {
		t.Fatal(err)
	}
	l.alice, l.bob = alice.ID(), bob.ID()
	if err := l.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
		return errors.Join(r.Accounts.Open(ctx, alice), r.Accounts.Open(ctx, bob),
			r.Accounts.Open(ctx, wallet.OpenSystem(wallet.KindMerchant, "ptn-1", checkAt)))
	}); err != nil {
		t.Fatal(err)
	}
	return l
}

// post loads the customers' pockets, lets change adjust them and posts
// the entry with them.
func (l ledger) post(t *testing.T, e *wallet.Entry, change func(pockets []*wallet.Account) error, customers ...string) error {
	t.Helper()
	return l.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
		pockets := make([]*wallet.Account, len(customers))
		for i, c := range customers {
			p, err := r.Accounts.PocketOf(ctx, c, true)
			if err != nil {
				return err
			}
			pockets[i] = p
		}
		if err := change(pockets); err != nil {
			return err
		}
		return r.Accounts.Post(ctx, e, pockets...)
	})
}

func entry(t *testing.T, id, trx string, postings ...wallet.Posting) *wallet.Entry {
	t.Helper()
	e, err := wallet.NewEntry(id, trx, postings, checkAt)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestStoreStartsWithThePlatformAccounts(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	fee := wallet.SystemAccountID(wallet.KindFeeRevenue, "")
	e := entry(t, "ent-1", "trx-1", wallet.Posting{AccountID: l.merchant, Amount: -500}, wallet.Posting{AccountID: fee, Amount: 500})
	if err := l.post(t, e, func([]*wallet.Account) error { return nil }); err != nil {
		t.Fatalf("Post to %s: %v", fee, err)
	}
	for _, k := range memstore.PlatformAccounts {
		if err := l.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
			return r.Accounts.Open(ctx, wallet.OpenSystem(k, "", checkAt))
		}); err != nil {
			t.Errorf("Open of %s again: %v", k, err)
		}
	}
}

func TestPostingsAndAccountBalance(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	va := wallet.SystemAccountID(wallet.KindBankSettlement, "")
	credit := func(p []*wallet.Account) error { return p[0].Credit(100_000) }
	if err := l.post(t, entry(t, "ent-1", "trx-1", wallet.Posting{AccountID: va, Amount: -100_000}, wallet.Posting{AccountID: l.alice, Amount: 100_000}), credit, "cus-alice"); err != nil {
		t.Fatal(err)
	}
	pay := func(p []*wallet.Account) error { return errors.Join(p[0].Debit(30_000), p[1].Credit(25_000)) }
	if err := l.post(t, entry(t, "ent-2", "trx-2",
		wallet.Posting{AccountID: l.alice, Amount: -30_000},
		wallet.Posting{AccountID: l.bob, Amount: 25_000},
		wallet.Posting{AccountID: l.merchant, Amount: 5_000},
	), pay, "cus-alice", "cus-bob"); err != nil {
		t.Fatal(err)
	}
	want := []wallet.Posting{
		{AccountID: va, Amount: -100_000},
		{AccountID: l.alice, Amount: 100_000, BalanceAfter: 100_000},
		{AccountID: l.alice, Amount: -30_000, BalanceAfter: 70_000},
		{AccountID: l.bob, Amount: 25_000, BalanceAfter: 25_000},
		{AccountID: l.merchant, Amount: 5_000},
	}
	if got := l.Postings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Postings() = %+v, want %+v", got, want)
	}
	var sum int64
	for id, want := range map[string]int64{va: -100_000, l.alice: 70_000, l.bob: 25_000, l.merchant: 5_000, "unknown": 0} {
		if got := l.AccountBalance(id); got != want {
			t.Errorf("AccountBalance(%s) = %d, want %d", id, got, want)
		}
		sum += want
	}
	if sum != 0 {
		t.Errorf("balances sum to %d", sum)
	}
}

func TestPostRefusesInconsistentCalls(t *testing.T) {
	t.Parallel()
	va := wallet.SystemAccountID(wallet.KindBankSettlement, "")
	credit := func(p []*wallet.Account) error { return p[0].Credit(1_000) }
	tests := []struct {
		name      string
		postings  []wallet.Posting
		change    func([]*wallet.Account) error
		customers []string
	}{
		{"given pocket without a line", []wallet.Posting{{AccountID: va, Amount: -1_000}, {AccountID: "MERCHANT:ptn-1", Amount: 1_000}},
			func([]*wallet.Account) error { return nil }, []string{"cus-alice"}},
		{"pocket line without the pocket", []wallet.Posting{{AccountID: va, Amount: -1_000}, {AccountID: "acc-alice", Amount: 1_000}},
			func([]*wallet.Account) error { return nil }, nil},
		{"pocket changed by another amount", []wallet.Posting{{AccountID: va, Amount: -2_000}, {AccountID: "acc-alice", Amount: 2_000}},
			credit, []string{"cus-alice"}},
		{"pocket not changed", []wallet.Posting{{AccountID: va, Amount: -1_000}, {AccountID: "acc-alice", Amount: 1_000}},
			func([]*wallet.Account) error { return nil }, []string{"cus-alice"}},
		{"line on an unopened account", []wallet.Posting{{AccountID: "VA_CLEARING:nobody", Amount: -1_000}, {AccountID: "acc-alice", Amount: 1_000}},
			credit, []string{"cus-alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLedger(t)
			e := entry(t, "ent-1", "trx-1", tt.postings...)
			// The caller ignores Post's error and commits: nothing may have changed.
			var postErr error
			if err := l.Do(t.Context(), func(ctx context.Context, r app.Repos) error {
				pockets := make([]*wallet.Account, len(tt.customers))
				for i, c := range tt.customers {
					p, err := r.Accounts.PocketOf(ctx, c, true)
					if err != nil {
						return err
					}
					pockets[i] = p
				}
				if err := tt.change(pockets); err != nil {
					return err
				}
				postErr = r.Accounts.Post(ctx, e, pockets...)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if postErr == nil {
				t.Fatal("Post succeeded")
			}
			if got := l.Postings(); len(got) != 0 {
				t.Errorf("Postings() = %+v after a refused Post", got)
			}
			if got := l.AccountBalance("acc-alice"); got != 0 {
				t.Errorf("pocket balance = %d after a refused Post", got)
			}
		})
	}
}

func TestPostRefusesAReusedEntryID(t *testing.T) {
	t.Parallel()
	l := newLedger(t)
	va := wallet.SystemAccountID(wallet.KindBankSettlement, "")
	e := entry(t, "ent-1", "trx-1", wallet.Posting{AccountID: va, Amount: -1_000}, wallet.Posting{AccountID: l.merchant, Amount: 1_000})
	none := func([]*wallet.Account) error { return nil }
	if err := l.post(t, e, none); err != nil {
		t.Fatal(err)
	}
	if err := l.post(t, e, none); err == nil {
		t.Fatal("second Post of the same entry succeeded")
	}
	if got := l.AccountBalance(l.merchant); got != 1_000 {
		t.Errorf("merchant balance = %d, want 1000", got)
	}
}
