// Command wallet is the wallet platform: the HTTP server and its operator
// commands, all reading the same environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/adapters/tracing"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
)

const usage = `usage: wallet <command> [flags]

commands:
  serve                                   run the HTTP server (REST, GraphQL, webhooks) and job workers
  migrate                                 apply database migrations and exit
  partner create --name N [--role R] [--bank-transfer-fee F] [--callback-url URL] [--snap-public-key FILE]
                                          create a partner (R: PARTNER or CHANNEL); prints its settings
                                          and its secret, once
  partner update --id ID [--bank-transfer-fee F] [--callback-url URL] [--snap-public-key FILE]
                                          change the partner's bank transfer fee (F < 0: platform default),
                                          webhook URL ("" turns webhooks off) or SNAP key; only what is given changes
  sign --method M --path P [--body F] [--external-id K] [--partner ID] [--secret S]
                                          print signed request headers for curl (-H @file); --body - reads
                                          stdin; --partner/--secret default to $WALLET_PARTNER_ID/_SECRET
  partner list | show --id ID             list partners or show one (never a secret)
  partner rotate-secret --id ID [--grace 24h]   new secret, printed once; the old one works for the grace period
  partner disable|enable --id ID          refuse the partner on every door (code 20), or let it in again
  snap-sign --private-key FILE            print the headers of a SNAP access-token call
  snap-sign --token T --path P [--body F] print the headers of a SNAP transactional call
  kyc approve|reject --mobile 628… [--reason R]   decide a customer's pending KYC submission
  reconcile                               prove the ledger invariants; exits 1 with a report when one fails
  webhooks list --partner ID [--status S] list a partner's webhook deliveries (S: PENDING, DELIVERED, DEAD, NO_ENDPOINT)
  webhooks replay EVENT_ID                deliver an event again
  operator create --email E --role R      create a back-office console operator (R: REVIEWER, SUPPORT or
                                          ADMIN); prints its password, once

Configuration is read from the environment; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wallet:", err)
		os.Exit(1)
	}
}

// run is main without the process globals, so tests can drive it.
func run(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cfg, err := loadConfig(environ)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log, stderr)
	case "migrate":
		c, cleanup, err := open(ctx, cfg, log, stderr)
		if err != nil {
			return err
		}
		defer cleanup()
		log.Info("migrations applied", "store", string(c.DB.Dialect))
		return nil
	case "partner":
		return partnerCommand(ctx, cfg, log, args[1:], stdout, stderr)
	case "sign":
		return signCommand(args[1:], environ, stdin, stdout, stderr)
	case "snap-sign":
		return snapSignCommand(args[1:], environ, stdin, stdout, stderr)
	case "kyc":
		return kycCommand(ctx, cfg, log, args[1:], stdout, stderr)
	case "reconcile":
		return reconcileCommand(ctx, cfg, log, stdout, stderr)
	case "webhooks":
		return webhooksCommand(ctx, cfg, log, args[1:], stdout, stderr)
	case "operator":
		return operatorCommand(ctx, cfg, log, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	// Lines logged inside a request carry its trace_id and span_id.
	return slog.New(tracing.LogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})))
}

// open builds the container and brings the schema up to date: every command
// that touches the database migrates first, so no command meets an old
// schema.
func open(ctx context.Context, cfg Config, log *slog.Logger, stderr io.Writer) (*container, func(), error) {
	c, cleanup, err := initContainer(ctx, cfg, log, consoleOut{stderr})
	if err != nil {
		return nil, nil, err
	}
	if err := c.DB.Migrate(ctx, func(ctx context.Context) error { return jobs.Migrate(ctx, c.DB) }); err != nil {
		cleanup()
		return nil, nil, err
	}
	return c, cleanup, nil
}

// serveGC is the server's garbage collector setting unless GOGC or
// GOMEMLIMIT say otherwise (ADR 0016). Go's default (GOGC=100, no limit)
// spends about 6 % of a busy server's CPU collecting a live heap of a few
// MiB, with a peak RSS far below SPEC §10's 150 MiB. Collecting a quarter
// as often costs that much less CPU; the soft memory limit makes the
// collector run sooner again before the heap could push RSS towards the
// target, so memory stays bounded whatever the load.
func serveGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(100 << 20)
	}
}

func serve(ctx context.Context, cfg Config, log *slog.Logger, stderr io.Writer) error {
	serveGC(os.Getenv)
	c, cleanup, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer cleanup()

	c.REST.SetSignatureLimiter(c.Limiter)
	c.SNAP.SetSignatureLimiter(c.Limiter)
	if err := c.Runner.Start(ctx); err != nil {
		return fmt.Errorf("start job runner: %w", err)
	}
	if c.Listener != nil {
		// Before the HTTP listener: the first subscriptions find it
		// connecting (they poll until it is).
		go c.Listener.Run(ctx)
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	srv := rest.NewHTTPServer(c.Tracing.Middleware(c.Metrics.Instrument(httpapi.Deadline(cfg.RequestTimeout, c.handler()))), rest.DefaultHTTPLimits())
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	if cfg.PprofAddr != "" {
		// Profiling on its own listener, never on the public one.
		go func() {
			mux := http.NewServeMux()
			mux.HandleFunc("/debug/pprof/", pprof.Index)
			mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
			log.Warn("pprof listener", "err", http.ListenAndServe(cfg.PprofAddr, mux))
		}()
	}
	if cfg.MetricsAddr != "" {
		// For a scraper kept off the public port.
		go func() {
			mux := http.NewServeMux()
			mux.Handle("/metrics", c.Metrics.Handler())
			log.Warn("metrics listener", "err", http.ListenAndServe(cfg.MetricsAddr, mux))
		}()
	}
	log.Info("listening", "addr", ln.Addr().String(), "store", string(c.DB.Dialect), "notifier", cfg.Notifier,
		"change_listener", c.Listener != nil)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if stopErr := c.Runner.Stop(shutdownCtx); stopErr != nil && !errors.Is(stopErr, context.Canceled) {
		log.Warn("job runner stop", "err", stopErr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// partnerUsage lists every flag of the partner commands.
const partnerUsage = `usage: wallet partner create --name NAME [--role PARTNER|CHANNEL] [--bank-transfer-fee N] [--callback-url URL] [--snap-public-key FILE] [--bank-gateway]
       wallet partner update --id ID [--bank-transfer-fee N] [--callback-url URL] [--snap-public-key FILE]
       wallet partner list | show --id ID | rotate-secret --id ID [--grace 24h] | disable --id ID | enable --id ID
  --name                display name, shown to customers as the payee (create)
  --role                PARTNER (default) or CHANNEL: a bank or retail aggregator (create)
  --bank-gateway        the CHANNEL is the bank gateway, the only one whose transfer results are taken (create)
  --id                  the partner id (update)
  --bank-transfer-fee   this partner's fee on transfers to banks, in rupiah; N < 0: the platform default
  --callback-url        where the partner receives webhooks (http(s) URL); "" turns them off (update)
  --snap-public-key     PEM file with the partner's SNAP RSA public key (PKIX, >= 2048 bits); rotates it (update)`

func partnerCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && partnerAdmin[args[0]] {
		return partnerAdminCommand(ctx, cfg, log, args, stdout, stderr)
	}
	if len(args) == 0 || (args[0] != "create" && args[0] != "update") {
		return errors.New(partnerUsage)
	}
	fs := flag.NewFlagSet("partner "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "partner display name (create)")
	role := fs.String("role", "PARTNER", "PARTNER or CHANNEL (create)")
	id := fs.String("id", "", "partner id (update)")
	fee := fs.Int64("bank-transfer-fee", -1, "this partner's fee on transfers to banks, in rupiah; negative: the platform default")
	callback := fs.String("callback-url", "", "where the partner receives webhooks (https://…)")
	keyFile := fs.String("snap-public-key", "", "PEM file with the partner's SNAP RSA public key (PKIX, ≥ 2048 bits)")
	gateway := fs.Bool("bank-gateway", false, "a CHANNEL that is the bank gateway: the only partner whose transfer results (POST /callbacks/bank-transfer/) are taken (create)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if args[0] == "update" && !set["bank-transfer-fee"] && !set["callback-url"] && !set["snap-public-key"] {
		return errors.New("partner update: nothing to change; give --bank-transfer-fee, --callback-url and/or --snap-public-key\n" + partnerUsage)
	}
	// The key is read and checked before anything is stored.
	var snapKey []byte
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("--snap-public-key: %w", err)
		}
		if _, err := partner.ParseSNAPPublicKey(b); err != nil {
			return fmt.Errorf("--snap-public-key %s: %w", *keyFile, err)
		}
		snapKey = b
	}
	c, cleanup, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	if args[0] == "update" {
		var p *partner.Partner
		// Only what was given changes: an update of the callback URL must
		// not reset the partner's fee to the platform default.
		if set["bank-transfer-fee"] {
			if p, err = c.App.UpdatePartner(ctx, app.UpdatePartner{ID: *id, BankTransferFee: *fee}); err != nil {
				return err
			}
		}
		if set["callback-url"] {
			if p, err = c.App.SetCallbackURL(ctx, *id, *callback); err != nil {
				return err
			}
		}
		if snapKey != nil {
			if p, err = c.App.SetSNAPPublicKey(ctx, *id, snapKey); err != nil {
				return err
			}
		}
		return writeJSONLine(stdout, describePartner(c.App, p, ""))
	}
	np := app.NewPartner{Name: *name, Role: *role, CallbackURL: *callback, SNAPPublicKey: snapKey, BankGateway: *gateway}
	if *fee >= 0 {
		np.BankTransferFee = fee
	}
	res, err := c.App.CreatePartner(ctx, np)
	if err != nil {
		return err
	}
	return writeJSONLine(stdout, describePartner(c.App, res.Partner, res.Secret))
}

// describePartner is what the partner commands print: every setting, so
// the operator sees what took effect; the secret only when just created.
func describePartner(a *app.App, p *partner.Partner, secret string) map[string]any {
	fee, own := a.BankTransferFee(p)
	source := "platform default"
	if own {
		source = "partner"
	}
	out := map[string]any{"partnerId": p.ID(), "name": p.Name(), "role": string(p.Role()), "callbackUrl": p.CallbackURL(),
		"bankTransferFee": rest.Amount(fee), "bankTransferFeeSource": source}
	if p.BankGateway() {
		out["bankGateway"] = true
	}
	if len(p.SNAPPublicKey()) > 0 {
		out["snapPublicKey"] = "registered"
	}
	if secret != "" {
		out["secret"] = secret
	}
	return out
}

func kycCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "approve" && args[0] != "reject") {
		return errors.New("usage: wallet kyc approve|reject --mobile 628… [--reason TEXT]")
	}
	fs := flag.NewFlagSet("kyc "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	mobile := fs.String("mobile", "", "the customer's mobile number (required)")
	reason := fs.String("reason", "", "why the submission is rejected (required for reject)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	c, cleanup, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	cust, err := c.App.DecideKYC(ctx, *mobile, args[0] == "approve", *reason)
	if err != nil {
		return err
	}
	return writeJSONLine(stdout, map[string]string{"mobileNumber": cust.Mobile().String(),
		"kycStatus": string(cust.KYCStatus()), "accountType": string(cust.AccountType())})
}

func reconcileCommand(ctx context.Context, cfg Config, log *slog.Logger, stdout, stderr io.Writer) error {
	// The audit reads the whole ledger: an operator's command, not a
	// request, so the statement timeout for requests does not apply.
	cfg.DBStatementTimeout = 0
	c, cleanup, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	rep, err := c.DB.Audit(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "entries %d, postings %d, accounts %d, ledger sum %d\n", rep.Entries, rep.Postings, rep.Accounts, rep.LedgerSum)
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "FAIL:", p)
	}
	if !rep.OK() {
		return fmt.Errorf("reconcile: %d problem(s)", len(rep.Problems))
	}
	fmt.Fprintln(stdout, "OK: every entry sums to zero, every cached balance equals its postings, the ledger sums to zero")
	return nil
}

func webhooksCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	usage := errors.New("usage: wallet webhooks list --partner ID [--status S] | wallet webhooks replay EVENT_ID")
	if len(args) == 0 {
		return usage
	}
	c, cleanup, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("webhooks list", flag.ContinueOnError)
		fs.SetOutput(stderr)
		partnerID := fs.String("partner", "", "partner id (required)")
		status := fs.String("status", "", "PENDING, DELIVERED, DEAD or NO_ENDPOINT")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		events, err := c.App.Deliveries(ctx, *partnerID, strings.ToUpper(*status), 100)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := writeJSONLine(stdout, map[string]any{"eventId": e.ID, "reffId": e.ReffID, "status": e.Status,
				"attempts": e.Attempts, "lastError": e.LastError, "createdAt": e.CreatedAt}); err != nil {
				return err
			}
		}
		return nil
	case "replay":
		if len(args) != 2 {
			return usage
		}
		e, err := c.App.ReplayEvent(ctx, args[1])
		if err != nil {
			return err
		}
		return writeJSONLine(stdout, map[string]any{"eventId": e.ID, "status": e.Status})
	}
	return usage
}
