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
