//go:build wireinject

package main

import (
	"context"
	"log/slog"

	"github.com/google/wire"

	"github.com/dompet/wallet/adapters/bankgw"
	"github.com/dompet/wallet/adapters/bunstore"
	webconsole "github.com/dompet/wallet/adapters/console"
	"github.com/dompet/wallet/adapters/ekyc"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/jobs"
	"github.com/dompet/wallet/adapters/metrics"
	"github.com/dompet/wallet/adapters/password"
	"github.com/dompet/wallet/adapters/phone"
	"github.com/dompet/wallet/adapters/qrisswitch"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/adapters/secretbox"
	"github.com/dompet/wallet/adapters/snap"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/adapters/webhook"
	"github.com/dompet/wallet/app"
)

// initContainer is the binary's one injector: every subcommand uses the
// parts it needs, all sharing one database pool.
func initContainer(ctx context.Context, cfg Config, log *slog.Logger, out consoleOut) (*container, func(), error) {
	wire.Build(
		bunstore.ProviderSet,
		jobs.ProviderSet,
		system.ProviderSet,
		phone.ProviderSet,
		secretbox.ProviderSet,
		ekyc.ProviderSet,
		bankgw.ProviderSet,
		qrisswitch.ProviderSet,
		webhook.NewSender,
		provideWebhookSender,
		provideGateways,
		httpapi.ProviderSet,
		rest.ProviderSet,
		snap.ProviderSet,
		webconsole.ProviderSet,
		password.ProviderSet,
		wire.Bind(new(app.Auditor), new(*bunstore.DB)),
		app.ProviderSet,
		wire.Bind(new(rest.Pinger), new(*bunstore.DB)),
		provideStoreConfig,
		provideReads,
		provideMasterKey,
		provideAppConfig,
		provideRunnerConfig,
		provideSimDelay,
		provideSimLatency,
		provideWhatsApp,
		provideTextSender,
		provideMounts,
		provideListener,
		provideSignatureLimiter,
		provideMetrics,
		provideTracing,
		provideAPIDocument,
		wire.Bind(new(app.Observer), new(*metrics.Metrics)),
		wire.Struct(new(container), "*"),
	)
	return nil, nil, nil
}
