package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/domain/fault"
)

// legacyInvalid is SPEC §2 code 10, given to gqlgen's own request errors
// (parse, validation, complexity), which keep their message and code.
const legacyInvalid = 10

var errInternal = fault.New(fault.Internal, "internal error")

// presenter maps every error to SPEC §2: extensions.code is the REST name
// (OTP_INVALID), extensions.legacyCode the REST int. Classified errors (the
// fault kinds) get their client-safe message in the caller's language;
// gqlgen's own request errors keep theirs; anything else is internal and
// is logged, never sent.
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gerr *gqlerror.Error
		if !errors.As(err, &gerr) {
			gerr = gqlerror.WrapPath(graphql.GetPath(ctx), err)
		}
		out := &gqlerror.Error{Path: gerr.Path, Locations: gerr.Locations}

		if f, ok := fault.As(err); ok {
			if f.Kind == fault.Invalid && f.Field == "" {
				// Scalars (Money) cannot know the field they were given for.
				f = &fault.Error{Kind: f.Kind, Field: fieldOf(gerr.Path), Detail: f.Detail}
			}
			logTo := log
			if errors.Is(err, errInternal) {
				logTo = nil // the recoverer logged the panic
			}
			describe(ctx, logTo, out, f)
			var x *extendedError
			if errors.As(err, &x) {
				for k, v := range x.extensions {
					if _, taken := out.Extensions[k]; !taken {
						out.Extensions[k] = v
					}
				}
			}
			return out
		}

		if gerr.Err == nil {
			// Made by gqlgen or gqlparser about the request itself.
			if code, ok := gerr.Extensions["code"].(string); ok && code != "" {
				out.Message = gerr.Message
				out.Extensions = map[string]any{"code": code, "legacyCode": legacyInvalid}
				return out
			}
			if len(gerr.Path) == 0 {
				// Transport errors (undecodable JSON body) echo the body and
				// decoder internals: answer in our words.
				describe(ctx, log, out, fault.Invalidf("body", "is not a valid GraphQL request"))
				return out
			}
		}
		log.ErrorContext(ctx, "graphql request failed", "err", err, "path", gerr.Path.String())
		describe(ctx, nil, out, errInternal)
		return out
	}
}

// extendedError carries extensions to add to a classified error's answer
// (code and legacyCode are never overridden), such as the reffId of a
// transfer the bank refused. The values reach the client: only what the
// caller may see.
type extendedError struct {
	err        error
	extensions map[string]any
}

func (e *extendedError) Error() string { return e.err.Error() }
func (e *extendedError) Unwrap() error { return e.err }

func withExtensions(err error, extensions map[string]any) error {
	return &extendedError{err: err, extensions: extensions}
}

// describe fills message and extensions; internal and unavailable errors
// are logged when log is set.
func describe(ctx context.Context, log *slog.Logger, out *gqlerror.Error, err error) {
	code, msg := httpapi.Describe(err, indonesian(ctx))
	if log != nil && (code.Legacy == 99 || code.Legacy == 90) {
		log.ErrorContext(ctx, "graphql request failed", "err", err, "path", out.Path.String())
	}
	out.Message = msg
	out.Extensions = map[string]any{"code": code.Name, "legacyCode": code.Legacy}
	httpapi.SetCodeIfOK(ctx, strconv.Itoa(code.Legacy))
}

// fieldOf names the innermost field of a path ("amount" in
// registerCustomer.input.amount).
func fieldOf(p ast.Path) string {
	for i := len(p) - 1; i >= 0; i-- {
		if n, ok := p[i].(ast.PathName); ok {
			return string(n)
		}
	}
	return "value"
}

// recoverer turns a panic in a resolver into an internal error; the panic
// value and stack go to the log only.
func recoverer(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in graphql resolver", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return errInternal
	}
}

// fail answers a request the middleware refused, shaped like a GraphQL
// response. status 0 means the code's own HTTP status (401 for
// Unauthenticated, 413 for a body too large).
func (d *door) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	code, msg := httpapi.Describe(err, indonesian(r.Context()))
	if code.Legacy == 99 || code.Legacy == 90 {
		d.log.ErrorContext(r.Context(), "graphql request refused", "method", r.Method, "err", err)
	}
	if status == 0 {
		status = code.HTTP
	}
	httpapi.SetCode(r.Context(), strconv.Itoa(code.Legacy))
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wallet"`)
	}
	resp := graphql.Response{Errors: gqlerror.List{{
		Message:    msg,
		Extensions: map[string]any{"code": code.Name, "legacyCode": code.Legacy},
	}}}
	b, _ := json.Marshal(resp)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// websocketInit authenticates a websocket from its connection_init
// payload: "X-PARTNER-ID" and optionally "Authorization": "Bearer <token>".
// There is no body to sign, so a websocket is never partner (signed)
// level. The error text reaches the client, so it is the described message.
func (d *door) websocketInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	c, err := authenticate(ctx, d.app, p.GetString("X-PARTNER-ID"), p.Authorization(), nil)
	if err != nil {
		code, msg := httpapi.Describe(err, indonesian(ctx))
		if code.Legacy == 99 || code.Legacy == 90 {
			d.log.ErrorContext(ctx, "graphql websocket init failed", "err", err)
		}
		return ctx, nil, errors.New(msg)
	}
	c.websocket = true
	c.source, _ = ctx.Value(sourceKey).(string)
	return withCaller(ctx, c), nil, nil
}
