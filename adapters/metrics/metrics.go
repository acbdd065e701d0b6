// Package metrics exposes the service to Prometheus: HTTP requests by route
// pattern, GraphQL operations, ledger movements, job queues, webhook
// deliveries, notification sends and the database pool, beside the Go
// runtime and process series. It observes; it decides nothing. Labels are
// bounded sets and never carry customer data.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/transfer"
)

// QueueStat is the backlog of one job kind in one state.
type QueueStat struct {
	Kind, State string
	Count       int64
	// OldestAge is how long the oldest job of the kind has been due
	// (available jobs only; zero otherwise).
	OldestAge time.Duration
}

// QueueStats reads the job queue at scrape time.
type QueueStats func(ctx context.Context) ([]QueueStat, error)

// Metrics is the process's registry and its instruments.
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	graphql       *prometheus.CounterVec
	movements     *prometheus.CounterVec
	amounts       *prometheus.CounterVec
	webhooks      *prometheus.CounterVec
	notifications *prometheus.CounterVec
	fallbacks     *prometheus.CounterVec
}

var _ app.Observer = (*Metrics)(nil)

// New registers every instrument. db and queue may be nil (no pool or
// queue series).
func New(db *sql.DB, queue QueueStats) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wallet_http_requests_total",
			Help: "HTTP requests by route pattern, method and the door's answer code (legacy code, or SNAP responseCode; none for pages without one).",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wallet_http_request_duration_seconds",
			Help:    "HTTP request duration by route pattern, method and answer code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "code"}),
		graphql: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wallet_graphql_operations_total",
			Help: "GraphQL operations by root field (schema names only), operation type and outcome (ok or error).",
		}, []string{"field", "type", "outcome"}),
		movements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wallet_ledger_movements_total",
			Help: "Committed transaction creations and changes by type and status.",
		}, []string{"type", "outcome"}),
		amounts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wallet_ledger_amount_rupiah_total",
			Help: "Total rupiah of committed transaction creations and changes by type and status.",
		}, []string{"type", "outcome"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wallet_webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome (DELIVERED, FAILED, DEAD) and attempt number (10+ beyond nine).",
		}, []string{"outcome", "attempt"}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wallet_notification_sends_total",
			Help: "Notification sends by channel (whatsapp, sms) and outcome (sent, undeliverable, error).",
		}, []string{"channel", "outcome"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wallet_notification_fallbacks_total",
			Help: "Messages handed from one channel to another (WhatsApp to SMS).",
		}, []string{"from", "to"}),
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.graphql, m.movements, m.amounts, m.webhooks, m.notifications, m.fallbacks)
	if db != nil {
		reg.MustRegister(collectors.NewDBStatsCollector(db, "wallet"))
	}
	if queue != nil {
		reg.MustRegister(queueCollector{stats: queue})
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Instrument counts and times every request by its route pattern, never
// its raw path (which carries ids and phone numbers). It must wrap the
// router: the pattern is read from the chi routing context it creates.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, out := httpapi.WithOutcome(r.Context())
		rctx := chi.RouteContext(ctx)
		if rctx == nil {
			rctx = chi.NewRouteContext()
			ctx = context.WithValue(ctx, chi.RouteCtxKey, rctx)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
		route := rctx.RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		code := out.Code()
		if code == "" {
			code = "none"
		}
		method := knownMethod(r.Method)
		m.requests.WithLabelValues(route, method, code).Inc()
		m.duration.WithLabelValues(route, method, code).Observe(time.Since(start).Seconds())
	})
}

func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// Moved implements app.Observer.
func (m *Metrics) Moved(typ transfer.Type, status transfer.Status, total int64) {
	m.movements.WithLabelValues(string(typ), string(status)).Inc()
	m.amounts.WithLabelValues(string(typ), string(status)).Add(float64(total))
}

// FellBack implements app.Observer.
func (m *Metrics) FellBack(from, to app.Channel) {
	m.fallbacks.WithLabelValues(string(from), string(to)).Inc()
}

// WebhookAttempt implements app.Observer.
func (m *Metrics) WebhookAttempt(outcome string, attempt int) {
	a := strconv.Itoa(attempt)
	if attempt >= 10 {
		a = "10+"
	}
	m.webhooks.WithLabelValues(outcome, a).Inc()
}

// queueCollector reads the job backlog when Prometheus scrapes.
type queueCollector struct{ stats QueueStats }

var (
	queueDepth = prometheus.NewDesc("wallet_job_queue_depth", "Jobs waiting by kind and state (available, scheduled, retryable).", []string{"kind", "state"}, nil)
	queueAge   = prometheus.NewDesc("wallet_job_queue_oldest_age_seconds", "How long the oldest available job of a kind has been due.", []string{"kind"}, nil)
	queueUp    = prometheus.NewDesc("wallet_job_queue_up", "1 when the job queue could be read at this scrape.", nil, nil)
)

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepth
	ch <- queueAge
	ch <- queueUp
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 1)
	oldest := map[string]time.Duration{}
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(s.Count), s.Kind, s.State)
		if s.State == "available" {
			oldest[s.Kind] = max(oldest[s.Kind], s.OldestAge)
		}
	}
	for kind, age := range oldest {
		ch <- prometheus.MustNewConstMetric(queueAge, prometheus.GaugeValue, age.Seconds(), kind)
	}
}

// Reads exports how many history and status reads each server answered
// (DATABASE_READ_URL, ADR 0014): a rising primary count means the replica
// lags more than WALLET_READ_WAIT or is down.
func (m *Metrics) Reads(count func() (replica, primary int64)) {
	for _, server := range []string{"replica", "primary"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "wallet_db_reads_total", Help: "History and status reads by the server that answered them.",
			ConstLabels: prometheus.Labels{"server": server},
		}, func() float64 {
			r, p := count()
			if server == "replica" {
				return float64(r)
			}
			return float64(p)
		}))
	}
}
