package main

import (
	"fmt"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is the whole process configuration, read from the environment
// (README "Configuration" lists every variable).
type Config struct {
	HTTPAddr    string        `env:"WALLET_HTTP_ADDR" envDefault:":8080"`
	DatabaseURL string        `env:"DATABASE_URL"`
	DataDir     string        `env:"WALLET_DATA_DIR" envDefault:"./var"`
	DBMaxConns  int           `env:"WALLET_DB_MAX_CONNS"` // 0: bunstore.DefaultMaxConns (2 × cores + 1)
	DBPooler    string        `env:"WALLET_DB_POOLER"`    // "pgbouncer": a transaction pooler is in between (ADR 0014)
	ReadURL     string        `env:"DATABASE_READ_URL"`   // a streaming replica for history and status reads
	ReadWait    time.Duration `env:"WALLET_READ_WAIT" envDefault:"200ms"`
	MasterKey   string        `env:"WALLET_MASTER_KEY"`
	LogLevel    string        `env:"WALLET_LOG_LEVEL" envDefault:"info"`
	SessionTTL  time.Duration `env:"WALLET_SESSION_TTL" envDefault:"24h"`
	Notifier    string        `env:"WALLET_NOTIFIER" envDefault:"console"`
	JobPoll     time.Duration `env:"WALLET_JOB_POLL_INTERVAL" envDefault:"200ms"`
	JobWorkers  int           `env:"WALLET_JOB_WORKERS" envDefault:"50"`
	PprofAddr   string        `env:"WALLET_PPROF_ADDR"`
	MetricsAddr string        `env:"WALLET_METRICS_ADDR"` // a second listener serving only /metrics
	SimDelay    time.Duration `env:"WALLET_SIM_DELAY" envDefault:"3s"`
	SimLatency  time.Duration `env:"WALLET_SIM_LATENCY" envDefault:"0s"` // the bank simulator's answer time (crash tests)

	// A slow database is answered 90 after DBStatementTimeout instead of
	// holding the request; every API request (waiting for a pooled
	// connection included) gives up after RequestTimeout, answered 90
	// (README "Reliability: outages and faults"). 0: no bound.
	DBStatementTimeout time.Duration `env:"WALLET_DB_STATEMENT_TIMEOUT" envDefault:"5s"`
	RequestTimeout     time.Duration `env:"WALLET_REQUEST_TIMEOUT" envDefault:"10s"`
	GatewayTimeout     time.Duration `env:"WALLET_GATEWAY_TIMEOUT" envDefault:"5s"` // each bank gateway / QRIS switch call

	// The change listener (ADR 0013, PostgreSQL only): partner settings
	// reach every process and subscriptions wake on commit.
	Listen struct {
		// Enabled "off" falls back to polling subscriptions and the
		// partner cache TTL.
		Enabled string `env:"LISTEN" envDefault:"on"`
		// URL must reach PostgreSQL with session semantics (not a
		// PgBouncer transaction pool); empty: DATABASE_URL.
		URL string `env:"LISTEN_URL"`
		// Poll is how often subscriptions read while the listener is
		// disconnected.
		Poll time.Duration `env:"LISTEN_POLL" envDefault:"1s"`
	} `envPrefix:"WALLET_"`

	// e-money rules (SPEC §6 defaults).
	Limits struct {
		BasicMaxBalance        int64 `env:"BASIC_MAX_BALANCE" envDefault:"2000000"`
		BasicMonthlyIncoming   int64 `env:"BASIC_MONTHLY_INCOMING" envDefault:"20000000"`
		PremiumMaxBalance      int64 `env:"PREMIUM_MAX_BALANCE" envDefault:"20000000"`
		PremiumMonthlyIncoming int64 `env:"PREMIUM_MONTHLY_INCOMING" envDefault:"40000000"`
		TopUpMin               int64 `env:"TOPUP_MIN" envDefault:"10000"`
		RetailFee              int64 `env:"RETAIL_FEE" envDefault:"2500"`
	} `envPrefix:"WALLET_LIMIT_"`

	WhatsApp struct {
		BaseURL       string        `env:"BASE_URL" envDefault:"https://graph.facebook.com"`
		APIVersion    string        `env:"API_VERSION" envDefault:"v21.0"`
		PhoneNumberID string        `env:"PHONE_NUMBER_ID"`
		AccessToken   string        `env:"ACCESS_TOKEN"`
		Template      string        `env:"TEMPLATE" envDefault:"otp"`
		Language      string        `env:"LANGUAGE" envDefault:"id"`
		AppSecret     string        `env:"APP_SECRET"`
		VerifyToken   string        `env:"VERIFY_TOKEN"`
		FallbackAfter time.Duration `env:"FALLBACK_AFTER" envDefault:"30s"`
	} `envPrefix:"WALLET_WA_"`

	// OpenTelemetry: spans are exported only when an endpoint is set; the
	// exporter reads the other OTEL_EXPORTER_OTLP_* variables itself.
	OTel struct {
		Endpoint       string `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
		TracesEndpoint string `env:"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"`
		ServiceName    string `env:"OTEL_SERVICE_NAME"`
	}

	// Brute force and abuse limits (README "Reliability").
	Abuse struct {
		OTPGuessWindow     time.Duration `env:"OTP_GUESS_WINDOW" envDefault:"15m"`
		OTPGuessPerPartner int           `env:"OTP_GUESS_PER_PARTNER" envDefault:"200"`
		OTPGuessPerSource  int           `env:"OTP_GUESS_PER_SOURCE" envDefault:"20"`
		SignatureWindow    time.Duration `env:"SIGNATURE_WINDOW" envDefault:"1m"`
		SignatureFailures  int           `env:"SIGNATURE_FAILURES" envDefault:"10"`
	} `envPrefix:"WALLET_ABUSE_"`

	// How long finished bookkeeping is kept (README "Reliability"); 0 keeps it.
	Retention struct {
		Every             time.Duration `env:"EVERY" envDefault:"1h"`
		OTPs              time.Duration `env:"OTPS" envDefault:"24h"`
		Notifications     time.Duration `env:"NOTIFICATIONS" envDefault:"168h"`
		Sessions          time.Duration `env:"SESSIONS" envDefault:"168h"`
		Events            time.Duration `env:"EVENTS" envDefault:"720h"`
		IdempotentAnswers time.Duration `env:"IDEMPOTENT_ANSWERS" envDefault:"168h"`
		OTPGuesses        time.Duration `env:"OTP_GUESSES" envDefault:"24h"`
	} `envPrefix:"WALLET_RETENTION_"`

	SMS struct {
		URL      string `env:"URL"`
		APIKey   string `env:"API_KEY"`
		SenderID string `env:"SENDER" envDefault:"WALLET"`
	} `envPrefix:"WALLET_SMS_"`
}

func loadConfig(environ []string) (Config, error) {
	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: envMap(environ)}); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	if cfg.Listen.Enabled != "on" && cfg.Listen.Enabled != "off" {
		return Config{}, fmt.Errorf("configuration: WALLET_LISTEN must be on or off, not %q", cfg.Listen.Enabled)
	}
	return cfg, nil
}
