package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
)

// partnerAdmin are the operator's partner commands beside create/update.
var partnerAdmin = map[string]bool{"list": true, "show": true, "rotate-secret": true, "disable": true, "enable": true}

const partnerAdminUsage = `usage: wallet partner list
       wallet partner show --id ID
       wallet partner rotate-secret --id ID [--grace 24h]   (prints the new secret once)
       wallet partner disable --id ID | wallet partner enable --id ID`

func partnerAdminCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("partner "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	id := fs.String("id", "", "partner id")
	grace := fs.Duration("grace", app.DefaultSecretGrace, "how long the replaced secret keeps working (rotate-secret; 0: not at all)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] != "list" && *id == "" {
		return errors.New(partnerAdminUsage)
	}
	c, cleanup, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	switch args[0] {
	case "list":
		ps, err := c.App.Partners(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := writeJSONLine(stdout, partnerView(p)); err != nil {
				return err
			}
		}
		return nil
	case "show":
		p, err := c.App.PartnerForOperator(ctx, *id)
		if err != nil {
			return err
		}
		return writeJSONLine(stdout, partnerView(p))
	case "rotate-secret":
		res, err := c.App.RotatePartnerSecret(ctx, *id, *grace)
		if err != nil {
			return err
		}
		out := partnerView(res.Partner)
		out["secret"] = res.Secret
		return writeJSONLine(stdout, out)
	default: // disable, enable
		p, err := c.App.SetPartnerDisabled(ctx, *id, args[0] == "disable")
		if err != nil {
			return err
		}
		return writeJSONLine(stdout, partnerView(p))
	}
}

// partnerView is what operators see of a partner: never a secret.
func partnerView(p *partner.Partner) map[string]any {
	out := map[string]any{"partnerId": p.ID(), "name": p.Name(), "role": string(p.Role()),
		"status": "ENABLED", "createdAt": p.CreatedAt().UTC().Format(time.RFC3339), "callbackUrl": p.CallbackURL()}
	if p.Disabled() {
		out["status"] = "DISABLED"
	}
	if p.BankGateway() {
		out["bankGateway"] = true
	}
	if f, ok := p.BankTransferFee(); ok {
		out["bankTransferFee"] = f
	}
	if sealed, until := p.RetiredSecret(); sealed != nil {
		out["previousSecretValidUntil"] = until.UTC().Format(time.RFC3339)
	}
	return out
}
