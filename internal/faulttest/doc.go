// Package faulttest holds the process-level fault tests: each builds the
// real `wallet` binary, runs it as a child process (internal/walletproc)
// and drives it over HTTP while it is killed, its database is stopped or
// its outbound parties misbehave, then checks what the partners were told
// against what the ledger holds.
//
// The package has no code of its own besides the profile switch; the tests
// live in its _test files (crash*: SIGKILL under load and the takeover of a
// dead process's idempotency claim).
//
// Two profiles: `make test` runs the short one (one kill round per store,
// seconds each, fit for CI under -race on two cores); `make chaos` sets
// WALLET_CHAOS=1 and runs the long one (ten kill rounds per store at varied
// moments, more load).
package faulttest

import "os"

// Chaos reports whether the long profile was asked for (WALLET_CHAOS=1,
// what `make chaos` sets).
func Chaos() bool { return os.Getenv("WALLET_CHAOS") == "1" }
