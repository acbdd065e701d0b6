// Package bankgw holds the bank gateway adapters. The simulator stands in
// for a disbursement provider in local runs and tests; a real provider
// plugs in behind the same app.BankGateway port.
package bankgw

import (
	"context"
	"errors"
	"hash/fnv"
	"strings"
	"time"

	"github.com/dompet/wallet/app"
)

// Simulator decides by the destination account number (the README lists
// the rules so that a new user can try every path):
//
//	…0000  the account does not exist (code 70; nothing is debited)
//	…6666  the gateway is unavailable (code 90; nothing is debited)
//	…7777  the bank rejects the transfer at once (code 72; money returned)
//	…9999  pending, then settles successfully after Delay
//	…8888  pending, then fails after Delay (money returned)
//	other  succeeds at once
//
// It keeps no state: a transfer's outcome follows from its account number
// and submission time, so it survives restarts like a real gateway would.
type Simulator struct {
	Delay time.Duration
	// Latency is how long Disburse takes to answer (WALLET_SIM_LATENCY,
	// default none), so that a crash test can kill the server while a
	// transfer is in flight with its money held.
	Latency time.Duration
	Now     func() time.Time
}

var _ app.BankGateway = (*Simulator)(nil)

// Delay is how long the simulator keeps transfers pending
// (WALLET_SIM_DELAY).
type Delay time.Duration

// NewSimulator returns a simulator settling pending transfers after delay.
func NewSimulator(delay Delay) *Simulator {
	return &Simulator{Delay: time.Duration(delay), Now: time.Now}
}

// Latency is how long the simulator takes to answer a disbursement
// (WALLET_SIM_LATENCY).
type Latency time.Duration

// NewSlowSimulator is NewSimulator answering disbursements after latency.
func NewSlowSimulator(delay Delay, latency Latency) *Simulator {
	s := NewSimulator(delay)
	s.Latency = time.Duration(latency)
	return s
}

// ErrUnavailable is the simulated outage.
var ErrUnavailable = errors.New("bank gateway unavailable (simulated)")

var names = []string{"BUDI SANTOSO", "SITI RAHAYU", "AGUS SETIAWAN", "DEWI LESTARI", "RINA WATI", "ANDI PRATAMA", "NUR HIDAYAH", "EKO PRASETYO"}

// InquireAccount implements app.BankGateway.
func (s *Simulator) InquireAccount(_ context.Context, _, account string) (string, error) {
	switch {
	case strings.HasSuffix(account, "0000"):
		return "", app.ErrBankAccountInvalid
	case strings.HasSuffix(account, "6666"):
		return "", ErrUnavailable
	}
	h := fnv.New32a()
	h.Write([]byte(account))
	return names[h.Sum32()%uint32(len(names))], nil
}

// Disburse implements app.BankGateway.
func (s *Simulator) Disburse(ctx context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	if s.Latency > 0 {
		select {
		case <-ctx.Done():
			return app.DisbursementResult{}, ctx.Err()
		case <-time.After(s.Latency):
		}
	}
	return s.Status(ctx, d)
}

// Status implements app.BankGateway.
func (s *Simulator) Status(_ context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	settled := !s.Now().Before(d.SubmittedAt.Add(s.Delay))
	switch {
	case strings.HasSuffix(d.Account, "7777"):
		return app.DisbursementResult{Status: app.DisbursementFailed, Reason: "rejected by the destination bank"}, nil
	case strings.HasSuffix(d.Account, "9999") && !settled, strings.HasSuffix(d.Account, "8888") && !settled:
		return app.DisbursementResult{Status: app.DisbursementPending}, nil
	case strings.HasSuffix(d.Account, "8888"):
		return app.DisbursementResult{Status: app.DisbursementFailed, Reason: "destination account closed"}, nil
	}
	return app.DisbursementResult{Status: app.DisbursementSuccess}, nil
}
