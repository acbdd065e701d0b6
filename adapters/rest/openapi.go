package rest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/dompet/wallet/adapters/apidoc"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/app"
)

// OpenAPISchema implements apidoc.Schemer: whole rupiah as digits or an
// integer.
func (Money) OpenAPISchema() map[string]any {
	return map[string]any{
		"description": "Whole rupiah: a string of digits (\"150000\") or a JSON integer. No fractions, signs or exponents.",
		"oneOf": []any{
			map[string]any{"type": "string", "pattern": "^[0-9]{1,15}$"},
			map[string]any{"type": "integer", "minimum": 0, "maximum": 999999999999999},
		},
	}
}

// Security scheme names of the SPEC §4 headers.
const (
	secPartner   = "PartnerId"
	secTimestamp = "Timestamp"
	secSignature = "Signature"
	secExternal  = "ExternalId"
)

var (
	signedGET  = []string{secPartner, secTimestamp, secSignature}
	signedPOST = []string{secPartner, secTimestamp, secSignature, secExternal}
	answers    = map[string]string{"200": "Envelope", "default": "Envelope"}
	async      = map[string]string{"200": "Envelope", "202": "Envelope", "default": "Envelope"}
)

func mobileQuery(desc string) apidoc.Param {
	return apidoc.Param{Name: "mobileNumber", Required: true, Description: desc}
}

// operations describes every route Handler serves (a test holds the two
// together). Paths carry the documented trailing slash, which is optional.
var operations = []apidoc.Operation{
	{Method: "GET", Path: "/healthz", ID: "health", Tag: "Operations", Summary: "Liveness: the process answers",
		Responses: map[string]string{"200": "Status"}},
	{Method: "GET", Path: "/readyz", ID: "ready", Tag: "Operations", Summary: "Readiness: the database answers (503 otherwise)",
		Responses: map[string]string{"200": "Status", "503": "Status"}},

	{Method: "GET", Path: "/pil-partner-get-otp/", ID: "getOtp", Tag: "Customers", Summary: "Send another OTP to a registered number",
		Query:    []apidoc.Param{mobileQuery("the customer's number"), {Name: "purpose", Enum: []string{"LOGIN", "REGISTRATION", "TRANSACTION"}}},
		Security: signedGET, Responses: answers},
	{Method: "POST", Path: "/validate-otp/", ID: "validateOtp", Tag: "Customers", Summary: "Validate an OTP (REGISTRATION activates, LOGIN binds and returns an access token)",
		Request: validateOTPRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/register-customer/", ID: "registerCustomer", Tag: "Customers", Summary: "Register a customer and send a REGISTRATION OTP",
		Request: registerRequest{}, Security: signedPOST, Responses: answers},
	{Method: "GET", Path: "/customer-account-inquiry/", ID: "customerInquiry", Tag: "Customers", Summary: "A bound customer's account and balance",
		Query: []apidoc.Param{mobileQuery("the customer's number")}, Security: signedGET, Responses: answers},
	{Method: "POST", Path: "/kyc/", ID: "submitKyc", Tag: "Customers", Summary: "Submit KYC (NIK) to upgrade to PREMIUM",
		Request: kycRequest{}, Security: signedPOST, Responses: answers},
	{Method: "GET", Path: "/virtual-accounts/", ID: "virtualAccounts", Tag: "Customers", Summary: "A customer's top-up virtual account numbers",
		Query: []apidoc.Param{mobileQuery("the customer's number")}, Security: signedGET, Responses: answers},

	{Method: "POST", Path: "/wallet-payment/", ID: "walletPayment", Tag: "Money", Summary: "Pay the calling partner from a customer's wallet",
		Request: paymentRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/wallet-payment/refund/", ID: "refundPayment", Tag: "Money", Summary: "Refund (part of) the partner's own payment",
		Request: refundRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/bank-transfer/", ID: "bankTransfer", Tag: "Money", Summary: "Transfer to a bank account (also WALLET_PAYMENT, QRIS and CASH_OUT by transactionType)",
		Description: "May answer code 1 (HTTP 202, In Process): the result then comes by webhook and /transaction-status/.",
		Request:     bankTransferRequest{}, Security: signedPOST, Responses: async},
	{Method: "POST", Path: "/p2p-transfer/", ID: "p2pTransfer", Tag: "Money", Summary: "Wallet to wallet transfer between customers",
		Request: p2pRequest{}, Security: signedPOST, Responses: answers},
	{Method: "GET", Path: "/transaction-status/", ID: "transactionStatus", Tag: "Money", Summary: "Where a transaction stands",
		Query: []apidoc.Param{{Name: "reffId", Required: true, Description: "the responseId of the answer that started it"}}, Security: signedGET, Responses: answers},
	{Method: "GET", Path: "/transaction-history/", ID: "transactionHistory", Tag: "Money", Summary: "A customer's transactions, newest first (keyset pages)",
		Query: []apidoc.Param{mobileQuery("the customer's number"), {Name: "from", Description: "RFC 3339 or YYYY-MM-DD"}, {Name: "to", Description: "RFC 3339 or YYYY-MM-DD"},
			{Name: "type"}, {Name: "cursor", Description: "nextCursor of the previous page"}, {Name: "limit"}},
		Security: signedGET, Responses: answers},
	{Method: "POST", Path: "/topup/va/inquiry/", ID: "vaInquiry", Tag: "Channels", Summary: "Bank: who a VA number belongs to and how much it may receive",
		Request: vaInquiryRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/topup/va/payment/", ID: "vaPayment", Tag: "Channels", Summary: "Bank: credit a VA top-up (idempotent on bankReference)",
		Request: vaPaymentRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/topup/retail/inquiry/", ID: "retailInquiry", Tag: "Channels", Summary: "Store: fee and total of a cash top-up",
		Request: retailInquiryRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/topup/retail/payment/", ID: "retailPayment", Tag: "Channels", Summary: "Store: credit a cash top-up (idempotent on storeReference)",
		Request: retailPaymentRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/callbacks/bank-transfer/", ID: "bankTransferCallback", Tag: "Channels", Summary: "Bank gateway: the final result of a pending transfer",
		Request: bankCallbackRequest{}, Security: signedPOST, Responses: answers},
	{Method: "GET", Path: "/banks/", ID: "banks", Tag: "Money", Summary: "Banks with their Bank Indonesia codes",
		Security: signedGET, Responses: answers},
	{Method: "POST", Path: "/cash-out/", ID: "cashOut", Tag: "Money", Summary: "Hold an amount and return a one-time code for a retail store",
		Request: cashOutRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/cash-out/redeem/", ID: "redeemCashOut", Tag: "Channels", Summary: "Store: pay out a cash-out code (idempotent on storeReference)",
		Request: redeemRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/cash-out/cancel/", ID: "cancelCashOut", Tag: "Money", Summary: "Cancel an unredeemed cash-out; the held amount returns",
		Request: cancelCashOutRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/qris/decode/", ID: "decodeQris", Tag: "Money", Summary: "Merchant, NMID, amount and fee rules of a QRIS payload",
		Request: qrisDecodeRequest{}, Security: signedPOST, Responses: answers},
	{Method: "POST", Path: "/qris-payment/", ID: "qrisPayment", Tag: "Money", Summary: "Pay a QRIS merchant (answers code 1, In Process)",
		Request: qrisPaymentRequest{}, Security: signedPOST, Responses: async},
}

// Routes lists "METHOD /path" of every documented operation, trailing
// slash removed, as the router registers them.
func Routes() []string {
	out := make([]string, len(operations))
	for i, op := range operations {
		p := op.Path
		if len(p) > 1 {
			p = strings.TrimSuffix(p, "/")
		}
		out[i] = op.Method + " " + p
	}
	sort.Strings(out)
	return out
}

// OpenAPI is the REST door's part of the OpenAPI document: its operations,
// the partner webhook, the SPEC §2 envelope and codes and the SPEC §4
// headers.
func OpenAPI() apidoc.Part {
	return apidoc.Part{
		Operations: operations,
		Webhooks: []apidoc.Webhook{{Name: "transactionUpdated", Payload: app.EventPayload{},
			Summary: "A transaction of the partner was created or changed",
			Description: "POSTed to the partner's callback URL, signed like a request (X-PARTNER-ID, X-TIMESTAMP, X-SIGNATURE over " +
				"the callback URL's path and the body) with X-EVENT-ID. In order per transaction; retried with backoff for 24 h.",
			Security: []string{secPartner, secTimestamp, secSignature}}},
		Schemas: map[string]any{
			"Envelope": map[string]any{
				"type": "object", "required": []string{"responseId", "code", "message"},
				"properties": map[string]any{
					"responseId": map[string]any{"type": "string", "description": "Unique per answer; for a transaction it is its reffId."},
					"code":       map[string]any{"$ref": "#/components/schemas/Code"},
					"message":    map[string]any{"type": "string", "description": "Indonesian with Accept-Language: id, English otherwise."},
					"data":       map[string]any{"type": "object"},
				},
			},
			"Code":   codeSchema(),
			"Status": map[string]any{"type": "object", "required": []string{"status"}, "properties": map[string]any{"status": map[string]any{"type": "string"}}},
		},
		SecuritySchemes: map[string]any{
			secPartner:   header("X-PARTNER-ID", "The partner id printed by `wallet partner create`."),
			secTimestamp: header("X-TIMESTAMP", "RFC 3339, within ±300 s of the server's clock."),
			secSignature: header("X-SIGNATURE", "base64(HMAC-SHA512(secret, METHOD:PATH_WITH_QUERY:hex(SHA-256(body)):X-TIMESTAMP))."),
			secExternal:  header("X-EXTERNAL-ID", "Idempotency key on every POST (1 to 64 printable characters): a repeat replays the first answer."),
		},
		Tags: []map[string]any{
			{"name": "Customers", "description": "Registration, OTP, inquiry, KYC."},
			{"name": "Money", "description": "Payments, transfers, cash-out, QRIS, status and history."},
			{"name": "Channels", "description": "Called by CHANNEL partners (banks, stores, the bank gateway)."},
			{"name": "Operations", "description": "Health and readiness."},
		},
	}
}

func header(name, desc string) map[string]any {
	return map[string]any{"type": "apiKey", "in": "header", "name": name, "description": desc}
}

// codeSchema lists every SPEC §2 code with its HTTP status.
func codeSchema() map[string]any {
	codes := []any{
		map[string]any{"const": 0, "title": "Success", "description": "HTTP 200"},
		map[string]any{"const": 1, "title": "In Process", "description": "HTTP 202"},
	}
	seen := map[int]bool{}
	var all []httpapi.Code
	for _, c := range httpapi.Codes {
		if !seen[c.Legacy] {
			seen[c.Legacy] = true
			all = append(all, c)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Legacy < all[j].Legacy })
	for _, c := range all {
		codes = append(codes, map[string]any{"const": c.Legacy, "title": c.EN,
			"description": fmt.Sprintf("HTTP %d %s; GraphQL extensions.code %s", c.HTTP, http.StatusText(c.HTTP), c.Name)})
	}
	return map[string]any{"type": "integer", "oneOf": codes}
}
