package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
)

const operatorUsage = `usage: wallet operator create --email E --role REVIEWER|SUPPORT|ADMIN
  --email   the operator's sign-in e-mail
  --role    REVIEWER (decides KYC), SUPPORT (customers, webhooks) or ADMIN (everything, partners, operators)
The password is printed once; the console is at http://<WALLET_HTTP_ADDR>/console/.`

func operatorCommand(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(operatorUsage)
	}
	fs := flag.NewFlagSet("operator create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "sign-in e-mail (required)")
	role := fs.String("role", "", "REVIEWER, SUPPORT or ADMIN (required)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *role == "" {
		return errors.New("operator create: --email and --role are required\n" + operatorUsage)
	}
	c, cleanup, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	o, password, err := c.Backoffice.CreateOperator(ctx, nil, *email, *role)
	if err != nil {
		return err
	}
	return writeJSONLine(stdout, map[string]string{"operatorId": o.ID(), "email": o.Email(), "role": string(o.Role()),
		"password": password})
}
