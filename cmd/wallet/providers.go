package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/dompet/wallet/adapters/apidoc"
	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/adapters/banks"
	"github.com/dompet/wallet/adapters/bunstore"
	webconsole "github.com/dompet/wallet/adapters/console"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/metrics"
	"github.com/dompet/wallet/adapters/notify/console"
	"github.com/dompet/wallet/adapters/notify/sms"
	"github.com/dompet/wallet/adapters/notify/whatsapp"
	"github.com/dompet/wallet/adapters/pgnotify"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/adapters/secretbox"
	"github.com/dompet/wallet/adapters/snap"
	"github.com/dompet/wallet/adapters/tracing"
	"github.com/dompet/wallet/adapters/webui"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/customer"
	"github.com/dompet/wallet/domain/wallet"
	"github.com/dompet/wallet/graph"

	"github.com/go-playground/validator/v10"
)

// consoleOut is where the console notifier writes (stderr).
type consoleOut struct{ io.Writer }

// container is everything the subcommands use.
type container struct {
	DB      *bunstore.DB
	App     *app.App
	Courier *app.Courier
	Runner  *jobs.Runner
	REST    *rest.Server
	SNAP    *snap.Server
	Mounts  rest.Mounts
	// Limiter counts failed signatures for the REST, GraphQL and SNAP
	// doors together.
	Limiter *httpapi.FailLimiter
	Metrics *metrics.Metrics
	Tracing *tracing.Tracing
	// Backoffice and Console are the operators' use cases and web console.
	Backoffice *app.Backoffice
	Console    *webconsole.Server
	// Listener is the change listener; nil on SQLite or with
	// WALLET_LISTEN=off. serve runs it.
	Listener *pgnotify.Listener
}

// handler is the whole HTTP surface: the SNAP door under its fixed prefix,
// everything else (legacy REST, GraphQL, webhooks, health) on the REST
// router.
func (c *container) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/snap/", c.SNAP.Handler())
	mux.Handle("/", c.REST.Handler(c.Mounts))
	// The console's own paths: the REST stack's trailing-slash rule would
	// break them.
	mux.Handle("/console/", c.Console.Handler())
	mux.Handle("/console", http.RedirectHandler("/console/", http.StatusMovedPermanently))
	return mux
}

func provideStoreConfig(cfg Config) bunstore.Config {
	// Behind a pooler, WALLET_LISTEN_URL is the direct connection that
	// also carries the process's liveness lock (ADR 0011, 0014).
	return bunstore.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxConns: cfg.DBMaxConns, Pooler: cfg.DBPooler,
		DirectURL: cfg.Listen.URL, StatementTimeout: cfg.DBStatementTimeout}
}

func provideMasterKey(cfg Config) (secretbox.MasterKey, error) {
	return secretbox.LoadMasterKey(cfg.MasterKey, cfg.DataDir)
}

func provideAppConfig(cfg Config, key secretbox.MasterKey) (app.Config, error) {
	mode, err := app.ParseDeliveryMode(cfg.Notifier)
	if err != nil {
		return app.Config{}, err
	}
	c := app.DefaultConfig()
	c.OTPKey = key.Derive("otp")
	c.SessionTTL = cfg.SessionTTL
	c.Delivery = app.DeliveryConfig{Mode: mode, FallbackAfter: cfg.WhatsApp.FallbackAfter}
	l := cfg.Limits
	c.Money.Limits[customer.AccountBasic] = wallet.Limits{MaxBalance: l.BasicMaxBalance, MonthlyIncoming: l.BasicMonthlyIncoming}
	c.Money.Limits[customer.AccountPremium] = wallet.Limits{MaxBalance: l.PremiumMaxBalance, MonthlyIncoming: l.PremiumMonthlyIncoming, CanSendOut: true}
	c.Money.TopUp.Min = l.TopUpMin
	c.Money.RetailFee = l.RetailFee
	c.Money.SettleAfter = cfg.SimDelay
	c.Money.GatewayTimeout = cfg.GatewayTimeout
	r := cfg.Retention
	c.Retention = app.RetentionWindows{OTPs: r.OTPs, Notifications: r.Notifications, Sessions: r.Sessions, Events: r.Events,
		IdempotentAnswers: r.IdempotentAnswers, Guesses: r.OTPGuesses}
	c.Guessing = app.GuessLimits{Window: cfg.Abuse.OTPGuessWindow, PerPartner: cfg.Abuse.OTPGuessPerPartner, PerSource: cfg.Abuse.OTPGuessPerSource}
	if c.Money.Banks, err = banks.Load(); err != nil {
		return app.Config{}, err
	}
	return c, nil
}

func provideSimDelay(cfg Config) bankgw.Delay { return bankgw.Delay(cfg.SimDelay) }

func provideSimLatency(cfg Config) bankgw.Latency { return bankgw.Latency(cfg.SimLatency) }

func provideRunnerConfig(cfg Config) jobs.RunnerConfig {
	return jobs.RunnerConfig{PollInterval: cfg.JobPoll, Workers: cfg.JobWorkers, PurgeEvery: cfg.Retention.Every}
}

func provideWhatsApp(cfg Config, out consoleOut, mx *metrics.Metrics, tr *tracing.Tracing) (app.WhatsAppSender, error) {
	switch cfg.Notifier {
	case string(app.ModeWhatsApp), string(app.ModeWhatsAppAndSMS):
		w := cfg.WhatsApp
		if w.PhoneNumberID == "" || w.AccessToken == "" {
			return nil, errors.New("WALLET_NOTIFIER uses WhatsApp: set WALLET_WA_PHONE_NUMBER_ID and WALLET_WA_ACCESS_TOKEN")
		}
		return tr.WhatsApp(mx.WhatsApp(whatsapp.New(whatsapp.Config{BaseURL: w.BaseURL, APIVersion: w.APIVersion, PhoneNumberID: w.PhoneNumberID,
			AccessToken: w.AccessToken, TemplateName: w.Template, LanguageCode: w.Language, AppSecret: w.AppSecret}))), nil
	}
	return tr.WhatsApp(mx.WhatsApp(console.New(out))), nil
}

func provideTextSender(cfg Config, out consoleOut, mx *metrics.Metrics, tr *tracing.Tracing) (app.TextSender, error) {
	switch cfg.Notifier {
	case string(app.ModeSMS), string(app.ModeWhatsAppAndSMS):
		if cfg.SMS.URL == "" {
			return nil, errors.New("WALLET_NOTIFIER uses SMS: set WALLET_SMS_URL")
		}
		return tr.Text(mx.Text(sms.New(sms.Config{URL: cfg.SMS.URL, APIKey: cfg.SMS.APIKey, SenderID: cfg.SMS.SenderID}))), nil
	}
	return tr.Text(mx.Text(console.New(out))), nil
}

// provideListener returns the change listener on PostgreSQL unless
// WALLET_LISTEN=off: changed partners leave the cache of every process,
// and after a reconnection every cached partner does.
func provideListener(cfg Config, db *bunstore.DB, a *app.App, log *slog.Logger) *pgnotify.Listener {
	if db.Dialect != bunstore.Postgres || cfg.Listen.Enabled == "off" {
		return nil
	}
	url := cfg.Listen.URL
	if url == "" {
		if db.Pooled() {
			// A LISTEN through a transaction pool would sit on a server
			// connection other clients then borrow.
			log.Warn("change listener off: WALLET_DB_POOLER is set and WALLET_LISTEN_URL (a direct connection) is not; subscriptions poll and partner changes follow the cache TTL")
			return nil
		}
		url = cfg.DatabaseURL
	}
	l := pgnotify.New(pgnotify.Config{URL: url, Poll: cfg.Listen.Poll, Recheck: graph.DefaultSessionRecheck}, log)
	l.OnPartner(a.ForgetPartner)
	l.OnResync(a.ForgetPartners)
	return l
}

// provideSignatureLimiter is the one failed-signature limiter of the
// process (WALLET_ABUSE_SIGNATURE_*), shared by every signed door so that a
// forger gains no tries by switching doors.
func provideSignatureLimiter(cfg Config) *httpapi.FailLimiter {
	return httpapi.NewFailLimiter(httpapi.SignatureLimit{Window: cfg.Abuse.SignatureWindow, Failures: cfg.Abuse.SignatureFailures})
}

func provideMounts(cfg Config, a *app.App, courier *app.Courier, v *validator.Validate, log *slog.Logger, mx *metrics.Metrics, doc apiDocument,
	listener *pgnotify.Listener, lim *httpapi.FailLimiter) rest.Mounts {
	opts := []graph.Option{graph.WithExtension(mx.GraphQL()), graph.WithSignatureLimiter(lim)}
	if listener != nil {
		opts = append(opts, graph.WithWakeups(listener))
	}
	m := rest.Mounts{
		GraphQL:           graph.NewHandler(a, v, log, opts...),
		GraphQLPlayground: webui.Playground(),
		Metrics:           mx.Handler(),
		OpenAPI:           apidoc.Handler(doc),
		Docs:              webui.Docs(),
		Assets:            webui.Assets(),
	}
	if cfg.WhatsApp.AppSecret != "" {
		m.WhatsAppWebhook = whatsapp.NewWebhook(cfg.WhatsApp.AppSecret, cfg.WhatsApp.VerifyToken, courier, log)
	} else {
		m.WhatsAppWebhook = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "WhatsApp webhook not configured (WALLET_WA_APP_SECRET)", http.StatusNotFound)
		})
	}
	return m
}

// readUoW is the unit of work of history and status reads: a
// bunstore.ReadRouter when DATABASE_READ_URL is set, nil (the primary)
// otherwise.
type readUoW app.UnitOfWork

// provideReads opens the streaming replica of DATABASE_READ_URL (no
// migrations: it follows the primary's).
func provideReads(ctx context.Context, cfg Config, db *bunstore.DB, box app.SecretBox) (readUoW, func(), error) {
	if cfg.ReadURL == "" {
		return nil, func() {}, nil
	}
	if db.Dialect != bunstore.Postgres {
		return nil, nil, errors.New("DATABASE_READ_URL needs DATABASE_URL to be PostgreSQL")
	}
	replica, cleanup, err := bunstore.Open(ctx, bunstore.Config{URL: cfg.ReadURL, MaxConns: cfg.DBMaxConns, Pooler: cfg.DBPooler})
	if err != nil {
		return nil, nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
	}
	return bunstore.NewReadRouter(db, replica, box, cfg.ReadWait), cleanup, nil
}
