package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/dompet/wallet/app"
)

// call opens a client span for an outbound call.
func (t *Tracing) call(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// Bank traces the bank gateway.
func (t *Tracing) Bank(g app.BankGateway) app.BankGateway { return bank{g, t} }

type bank struct {
	next app.BankGateway
	t    *Tracing
}

func (b bank) InquireAccount(ctx context.Context, bankCode, account string) (string, error) {
	ctx, span := b.t.call(ctx, "bank.InquireAccount", attribute.String("bank.code", bankCode))
	name, err := b.next.InquireAccount(ctx, bankCode, account)
	end(span, err)
	return name, err
}

func (b bank) Disburse(ctx context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	ctx, span := b.t.call(ctx, "bank.Disburse")
	res, err := b.next.Disburse(ctx, d)
	end(span, err)
	return res, err
}

func (b bank) Status(ctx context.Context, d app.Disbursement) (app.DisbursementResult, error) {
	ctx, span := b.t.call(ctx, "bank.Status")
	res, err := b.next.Status(ctx, d)
	end(span, err)
	return res, err
}

// QRIS traces the QRIS switch.
func (t *Tracing) QRIS(s app.QRISSwitch) app.QRISSwitch { return qrisSwitch{s, t} }

type qrisSwitch struct {
	next app.QRISSwitch
	t    *Tracing
}

func (q qrisSwitch) Pay(ctx context.Context, p app.QRISPayment) (app.DisbursementResult, error) {
	ctx, span := q.t.call(ctx, "qris.Pay")
	res, err := q.next.Pay(ctx, p)
	end(span, err)
	return res, err
}

func (q qrisSwitch) Status(ctx context.Context, p app.QRISPayment) (app.DisbursementResult, error) {
	ctx, span := q.t.call(ctx, "qris.Status")
	res, err := q.next.Status(ctx, p)
	end(span, err)
	return res, err
}

// WhatsApp traces WhatsApp sends.
func (t *Tracing) WhatsApp(s app.WhatsAppSender) app.WhatsAppSender {
	if s == nil {
		return nil
	}
	return whatsApp{s, t}
}

type whatsApp struct {
	next app.WhatsAppSender
	t    *Tracing
}

func (w whatsApp) SendWhatsApp(ctx context.Context, n app.Notification) (string, error) {
	ctx, span := w.t.call(ctx, "notify.whatsapp")
	id, err := w.next.SendWhatsApp(ctx, n)
	end(span, err)
	return id, err
}

// Text traces SMS sends.
func (t *Tracing) Text(s app.TextSender) app.TextSender {
	if s == nil {
		return nil
	}
	return text{s, t}
}

type text struct {
	next app.TextSender
	t    *Tracing
}

func (x text) SendText(ctx context.Context, n app.Notification) (string, error) {
	ctx, span := x.t.call(ctx, "notify.sms")
	id, err := x.next.SendText(ctx, n)
	end(span, err)
	return id, err
}

// Webhooks traces webhook posts; the URL is the partner's and stays out of
// the span.
func (t *Tracing) Webhooks(s app.WebhookSender) app.WebhookSender { return webhooks{s, t} }

type webhooks struct {
	next app.WebhookSender
	t    *Tracing
}

func (w webhooks) Post(ctx context.Context, url string, headers map[string]string, body []byte) (int, error) {
	ctx, span := w.t.call(ctx, "webhook.post")
	status, err := w.next.Post(ctx, url, headers, body)
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	end(span, err)
	return status, err
}

// SenderName passes the wrapped sender's name to the delivery log.
func (x whatsApp) SenderName() string { return app.SenderNameOf(x.next) }

// SenderName passes the wrapped sender's name to the delivery log.
func (x text) SenderName() string { return app.SenderNameOf(x.next) }
