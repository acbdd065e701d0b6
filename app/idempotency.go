package app

import (
	"bytes"
	"context"
	"errors"
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
	// Holder names the process that holds an unfinished claim; the store
	// stamps it on Claim and Steal. "" on claims written before holders
	// existed, which keep the LockedUntil lease rule.
	Holder    string
	Response  StoredResponse
	CreatedAt time.Time
}

// IdempotencyStore keeps request keys. Keys are unique per partner.
type IdempotencyStore interface {
	// Claim inserts rec, held by this process, unless its key exists. It
	// returns nil when rec was inserted and the existing record otherwise.
	Claim(ctx context.Context, rec IdempotencyRecord) (*IdempotencyRecord, error)
	// HolderAlive reports whether the process named by a claim's Holder
	// still runs; a claim of a dead process is taken over at once
	// (ADR 0011). It is asked only when a request meets an unfinished claim.
	HolderAlive(ctx context.Context, holder string) (bool, error)
	// Steal moves an unfinished claim still held by holder with lease
	// lockedUntil to this process with a new lease; false when someone
	// else changed it first.
	Steal(ctx context.Context, partnerID, key, holder string, lockedUntil, newLease time.Time) (bool, error)
	// Complete stores the response of a claimed key.
	Complete(ctx context.Context, partnerID, key string, resp StoredResponse) error
	// Release forgets an unfinished claim so that a retry runs afresh.
	Release(ctx context.Context, partnerID, key string) error
	// Put inserts a finished record (rec.Done, rec.Response) in the
	// caller's transaction. When the key exists it fails with
	// ErrIdempotencyKeyTaken, possibly only when the transaction commits
	// (stores may send their writes in one batch at commit), so that the
	// transaction never commits beside someone else's record.
	Put(ctx context.Context, rec IdempotencyRecord) error
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
			default:
				// Unfinished: its holder runs it (wait for the answer) or
				// died holding it (take it over at once, ADR 0011).
				// Claims from before holders existed keep the lease.
				dead := existing.Holder == "" && !existing.LockedUntil.After(now)
				if existing.Holder != "" {
					alive, err := r.Idempotency.HolderAlive(ctx, existing.Holder)
					if err != nil {
						return err
					}
					dead = !alive
				}
				if dead {
					proceed, err = r.Idempotency.Steal(ctx, partnerID, key, existing.Holder, existing.LockedUntil, now.Add(a.cfg.IdempotencyLease))
				}
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

// ErrIdempotencyKeyTaken is returned by IdempotencyStore.Put, at the latest
// when the transaction commits, when the key already has a record.
var ErrIdempotencyKeyTaken = fault.New(fault.IdempotencyConflict, "X-EXTERNAL-ID is already recorded")

// Answer is the X-EXTERNAL-ID of a request whose money movement stores its
// answer in the movement's own transaction (ADR 0009): the key is claimed,
// the money moved, the event written and the answer kept by one commit. The
// door puts it in the context (WithAnswer) and sets Render before it calls
// the use case; use cases that cannot answer from their movement alone
// leave it unused, and the door then stores the answer with
// SettleIdempotent.
type Answer struct {
	PartnerID   string
	Key         string
	RequestHash []byte
	// Render turns a movement into the bytes the door will send.
	Render func(Moved) StoredResponse

	stored *StoredResponse
}

// Stored returns the answer committed with the movement.
func (a *Answer) Stored() (StoredResponse, bool) {
	if a == nil || a.stored == nil {
		return StoredResponse{}, false
	}
	return *a.stored, true
}

type answerKey struct{}

// WithAnswer hands a request's key to the money movement it starts.
func WithAnswer(ctx context.Context, a *Answer) context.Context {
	return context.WithValue(ctx, answerKey{}, a)
}

// AnswerFrom returns the key handed over by WithAnswer, or nil.
func AnswerFrom(ctx context.Context) *Answer {
	a, _ := ctx.Value(answerKey{}).(*Answer)
	return a
}

// answerFor returns the context's Answer when it belongs to this movement.
func answerFor(ctx context.Context, partnerID, externalID string) *Answer {
	a := AnswerFrom(ctx)
	if a == nil || a.Render == nil || externalID == "" || a.PartnerID != partnerID || a.Key != externalID || a.stored != nil {
		return nil
	}
	return a
}

// SettleIdempotent keeps the answer of a request that ran without claiming
// its key first (ADR 0009) and whose answer did not commit with a movement:
// the use case failed before moving money, or the key was already used. It
// returns the answer to send: resp when it was stored, the key's earlier
// answer when there is one (replayed is then true). 5xx answers are not
// kept, so that the retry runs afresh.
// Errors: IdempotencyConflict (the key belongs to another request),
// Unavailable (its first request is still running).
func (a *App) SettleIdempotent(ctx context.Context, partnerID, key string, requestHash []byte, resp StoredResponse) (out StoredResponse, replayed bool, err error) {
	if resp.Status >= 500 {
		return resp, false, nil
	}
	now := a.now()
	err = a.uow.Do(WithAutocommit(ctx), func(ctx context.Context, r Repos) error {
		return r.Idempotency.Put(ctx, IdempotencyRecord{PartnerID: partnerID, Key: key, RequestHash: requestHash,
			Done: true, LockedUntil: now, Response: resp, CreatedAt: now})
	})
	if !errors.Is(err, ErrIdempotencyKeyTaken) {
		return resp, false, err
	}
	prev, err := a.BeginIdempotent(ctx, partnerID, key, requestHash)
	if err != nil {
		return StoredResponse{}, false, err
	}
	if prev != nil {
		return *prev, true, nil
	}
	// The key was free again (its holder failed with a 5xx): ours stands.
	return resp, false, a.FinishIdempotent(ctx, partnerID, key, resp)
}
