package app

import (
	"bytes"
	"context"
	"time"

	"github.com/dompet/wallet/domain/fault"
)

// Idempotency errors.
var (
	ErrIdempotencyConflict = fault.New(fault.IdempotencyConflict, "X-EXTERNAL-ID was already used for a different request; send a new X-EXTERNAL-ID with a new request")
	ErrStillProcessing     = fault.New(fault.Unavailable, "the first request with this X-EXTERNAL-ID is still being processed; retry")
)

// StoredResponse is a response kept for byte-for-byte replay.
type StoredResponse struct {
	Status int
	Body   []byte
}

// IdempotencyRecord is one X-EXTERNAL-ID of one partner.
type IdempotencyRecord struct {
	PartnerID   string
	Key         string
	RequestHash []byte
	Done        bool
	LockedUntil time.Time
	Response    StoredResponse
	CreatedAt   time.Time
}

// IdempotencyStore keeps request keys. Keys are unique per partner.
type IdempotencyStore interface {
	// Claim inserts rec unless its key exists. It returns nil when rec was
	// inserted and the existing record otherwise.
	Claim(ctx context.Context, rec IdempotencyRecord) (*IdempotencyRecord, error)
	// Steal moves an unfinished claim whose lease is still lockedUntil to a
	// new lease; false when someone else changed it first.
	Steal(ctx context.Context, partnerID, key string, lockedUntil, newLease time.Time) (bool, error)
	// Complete stores the response of a claimed key.
	Complete(ctx context.Context, partnerID, key string, resp StoredResponse) error
	// Release forgets an unfinished claim so that a retry runs afresh.
	Release(ctx context.Context, partnerID, key string) error
}

// BeginIdempotent claims key for a request. It returns a stored response to
// replay, or nil when the caller must execute the request and then call
// FinishIdempotent. A duplicate that arrives while the first request runs
// waits for it, up to Config.IdempotencyWait.
// Errors: IdempotencyConflict, Unavailable (still processing).
func (a *App) BeginIdempotent(ctx context.Context, partnerID, key string, requestHash []byte) (*StoredResponse, error) {
	// Each step below is one statement whose effect stands on its own
	// (insert-if-absent, compare-and-set), so it needs no transaction.
	ctx = WithAutocommit(ctx)
	deadline := time.Now().Add(a.cfg.IdempotencyWait)
	backoff := 10 * time.Millisecond
	for {
		now := a.now()
		var replay *StoredResponse
		var proceed bool
		err := a.uow.Do(ctx, func(ctx context.Context, r Repos) error {
			replay, proceed = nil, false
			existing, err := r.Idempotency.Claim(ctx, IdempotencyRecord{
				PartnerID: partnerID, Key: key, RequestHash: requestHash,
				LockedUntil: now.Add(a.cfg.IdempotencyLease), CreatedAt: now,
			})
			if err != nil {
				return err
			}
			switch {
			case existing == nil:
				proceed = true
			case !bytes.Equal(existing.RequestHash, requestHash):
				return ErrIdempotencyConflict
			case existing.Done:
				resp := existing.Response
				replay = &resp
			case !existing.LockedUntil.After(now):
				// The first request's process died holding the claim.
				proceed, err = r.Idempotency.Steal(ctx, partnerID, key, existing.LockedUntil, now.Add(a.cfg.IdempotencyLease))
			}
			return err
		})
		if err != nil || proceed || replay != nil {
			return replay, err
		}
		if time.Now().After(deadline) {
			return nil, ErrStillProcessing
		}
		select {
		case <-ctx.Done():
			return nil, ErrStillProcessing
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 200*time.Millisecond)
	}
}

// FinishIdempotent records the response of a claimed request. Server-side
// failures (5xx) are not kept: the claim is released so that the partner's
// retry with the same key runs again, as SPEC code 90 promises.
func (a *App) FinishIdempotent(ctx context.Context, partnerID, key string, resp StoredResponse) error {
	return a.uow.Do(WithAutocommit(ctx), func(ctx context.Context, r Repos) error {
		if resp.Status >= 500 {
			return r.Idempotency.Release(ctx, partnerID, key)
		}
		return r.Idempotency.Complete(ctx, partnerID, key, resp)
	})
}
