package graph

import (
	"context"
	"strings"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/partner"
)

type ctxKey int

const (
	callerKey ctxKey = iota
	indonesianKey
	sourceKey
)

// withSource keeps the caller's address for a websocket's connection_init.
func withSource(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, sourceKey, addr)
}

// caller is who is calling, as established by the HTTP middleware or the
// websocket connection_init. Every caller has a partner; the levels add to
// it:
//   - frontend: X-PARTNER-ID only (a frontend cannot hold the secret);
//   - signed: the request is signed with the partner secret (SPEC §4);
//   - customer: a bearer token from an OTP login, valid for that partner.
//
// A signed request may also carry a bearer token; it then has both levels.
type caller struct {
	partner *partner.Partner
	signed  bool
	session *app.CustomerSession
	token   string
	// externalID is the optional X-EXTERNAL-ID header: money mutations
	// carry it so that a retried request finds its movement instead of
	// repeating it (ADR 0002).
	externalID string
	// websocket is set by connection_init: subscriptions need one.
	websocket bool
	// source is the caller's address, for the per-address OTP guessing
	// limit.
	source string
}

func withCaller(ctx context.Context, c *caller) context.Context {
	return context.WithValue(ctx, callerKey, c)
}

func withIndonesian(ctx context.Context, id bool) context.Context {
	return context.WithValue(ctx, indonesianKey, id)
}

func indonesian(ctx context.Context) bool {
	id, _ := ctx.Value(indonesianKey).(bool)
	return id
}

var (
	errNoPartner = &fault.Error{Kind: fault.Unauthenticated, Field: "X-PARTNER-ID", Detail: "header is required"}
	errNotSigned = &fault.Error{Kind: fault.Unauthenticated, Field: "X-SIGNATURE",
		Detail: "is required for this field (a request signed with the partner secret)"}
	errNoCustomer = &fault.Error{Kind: fault.Unauthenticated, Field: "Authorization",
		Detail: "is required for this field (Bearer <customer access token>)"}
	errBadAuthorization = &fault.Error{Kind: fault.Unauthenticated, Field: "Authorization",
		Detail: "must be Bearer <token>"}
	errNeedsWebsocket = fault.Invalidf("transactionUpdated", "is a subscription: open a websocket (graphql-transport-ws or graphql-ws) to %s", Endpoint)
	errNoReader       = &fault.Error{Kind: fault.Unauthenticated, Field: "Authorization",
		Detail: "is required for this field (Bearer <customer access token>), unless the request is signed with the partner secret"}
)

// partnerLevel returns any authenticated caller: every level acts for a
// partner. The middleware refuses requests without one, so a miss here
// means the handler was mounted without it.
func partnerLevel(ctx context.Context) (*caller, error) {
	c, _ := ctx.Value(callerKey).(*caller)
	if c == nil || c.partner == nil {
		return nil, errNoPartner
	}
	return c, nil
}

// signedLevel is the partner-server level (customer inquiry).
func signedLevel(ctx context.Context) (*caller, error) {
	c, err := partnerLevel(ctx)
	if err != nil {
		return nil, err
	}
	if !c.signed {
		return nil, errNotSigned
	}
	return c, nil
}

// customerLevel is a customer acting through a partner frontend.
func customerLevel(ctx context.Context) (*caller, error) {
	c, err := partnerLevel(ctx)
	if err != nil {
		return nil, err
	}
	if c.session == nil {
		return nil, errNoCustomer
	}
	return c, nil
}

// sessionMobile is the mobile number of the session's customer: the
// partner-level use cases (payment, P2P) take the customer by number.
func sessionMobile(ctx context.Context, a *app.App, c *caller) (string, error) {
	v, err := a.Me(ctx, *c.session)
	if err != nil {
		return "", err
	}
	return v.Customer.Mobile().String(), nil
}

// authenticate establishes the caller. signed is nil unless the request
// carries X-SIGNATURE. A bad signature, an unknown partner or a bad token is
// Unauthenticated; nothing falls back to a lower level.
func authenticate(ctx context.Context, a *app.App, partnerID, authorization string, signed *app.SignedRequest) (*caller, error) {
	if partnerID == "" {
		return nil, errNoPartner
	}
	c := &caller{}
	var err error
	if signed != nil {
		c.partner, err = a.AuthenticatePartner(ctx, *signed)
		c.signed = true
	} else {
		c.partner, err = a.Partner(ctx, partnerID)
	}
	if err != nil {
		return nil, err
	}
	if authorization == "" {
		return c, nil
	}
	token, ok := bearer(authorization)
	if !ok {
		return nil, errBadAuthorization
	}
	s, err := a.AuthenticateCustomer(ctx, c.partner.ID(), token)
	if err != nil {
		return nil, err
	}
	c.session, c.token = &s, token
	return c, nil
}

func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
