package authzmatrix_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/adapters/snap"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/domain/qris"
	"github.com/dompet/wallet/graph"
	"github.com/dompet/wallet/graph/generated"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/logcheck"
	"github.com/dompet/wallet/internal/testdb"
)

// TestMain fails the package when a secret a test used appears in a log line.
func TestMain(m *testing.M) { os.Exit(logcheck.Main(m)) }

// Who may call a route.
const (
	public   = "PUBLIC"   // no partner scope: health, pages, the GraphQL endpoint itself (its fields have rows)
	any_     = "SIGNED"   // any signed partner, PARTNER or CHANNEL; acts on its own settings only
	ptnr     = "PARTNER"  // a signed PARTNER; a CHANNEL gets 21
	channel  = "CHANNEL"  // a signed CHANNEL; a PARTNER gets 21
	frontend = "FRONTEND" // GraphQL with X-PARTNER-ID only (registration, OTP): a CHANNEL gets 21
	cust     = "CUSTOMER" // GraphQL with a customer token; the token is valid only with its partner's X-PARTNER-ID
)

// Objects a route may name. A second partner naming another partner's
// customer gets code 21 (SPEC §4: "otherwise code 21 — even for inquiry"),
// exactly as for a number nobody registered. A second partner naming
// another partner's transaction, order or cash-out gets exactly the answer
// a reference that does not exist gets (code 30): references are the
// partner's own namespace, and SPEC §2 answers 30 for an unknown one.
const (
	objCustomer = "customer"
	objPayment  = "payment" // a wallet payment's reffId
	objOrder    = "order"   // a payment's orderId
	objCashOut  = "cashout" // a cash-out's reffId
	objBank     = "bank"    // a transfer to bank's reffId
	objQRIS     = "qris"    // a QRIS payment's reffId
	objTopUp    = "topup"   // a top-up's reffId (a channel's object)
	objVA       = "va"      // a customer's VA number (channels name customers by it)
	objCode     = "code"    // a cash-out code (channels redeem any)
)

// row is one route's line of the matrix.
type row struct {
	who   string
	names string
	// exempt says why a second caller may name the object (then the
	// cross-partner probe is not run: the route is open by design).
	exempt string
	// call sends the route as caller c naming target; it returns the
	// answer in a door-neutral shape.
	call func(f *fixture, c caller, target string) result
}

// matrix has one row per route. Keys: "REST <METHOD> <pattern>",
// "SNAP <METHOD> <pattern>", "GraphQL <Type>.<field>".
func matrix() map[string]row {
	m := map[string]row{}
	for _, p := range []string{"/healthz", "/readyz", "/graphql", "/playground", "/metrics", "/openapi.json", "/docs", "/assets/*", "/webhooks/whatsapp"} {
		m["REST * "+p] = row{who: public}
	}
	get := func(path string) func(*fixture, caller, string) result {
		return func(f *fixture, c caller, target string) result {
			return f.rest(c, "GET", fmt.Sprintf(path, target), "")
		}
	}
	post := func(path, body string) func(*fixture, caller, string) result {
		return func(f *fixture, c caller, target string) result {
			return f.rest(c, "POST", path, strings.ReplaceAll(body, "$T", target))
		}
	}
	restRows := map[string]row{
		"GET /pil-partner-get-otp": {who: ptnr, names: objCustomer, exempt: "any partner may send a LOGIN OTP to a registered number: the code goes to the customer, and validating it is what binds",
			call: get("/pil-partner-get-otp/?mobileNumber=%s&purpose=LOGIN")},
		"POST /validate-otp": {who: ptnr, names: objCustomer, exempt: "the OTP proves the customer (LOGIN binds the caller); wrong codes are limited per number, partner and address",
			call: post("/validate-otp/", `{"mobileNumber":"$T","otp":"000000","purpose":"LOGIN"}`)},
		"POST /register-customer": {who: ptnr, names: objCustomer, exempt: "registering a registered number answers 31 whoever registered it (SPEC §3)",
			call: post("/register-customer/", `{"mobileNumber":"$T","firstName":"Budi"}`)},
		"GET /customer-account-inquiry": {who: ptnr, names: objCustomer, call: get("/customer-account-inquiry/?mobileNumber=%s")},
		"POST /kyc": {who: ptnr, names: objCustomer,
			call: post("/kyc/", `{"mobileNumber":"$T","nik":"3273011708900001","fullName":"Budi Santoso","birthDate":"1990-08-17"}`)},
		"GET /virtual-accounts":       {who: ptnr, names: objCustomer, call: get("/virtual-accounts/?mobileNumber=%s")},
		"POST /wallet-payment":        {who: ptnr, names: objCustomer, call: post("/wallet-payment/", `{"mobileNumber":"$T","amount":"1000","orderId":"X-ORDER"}`)},
		"POST /wallet-payment/refund": {who: ptnr, names: objOrder, call: post("/wallet-payment/refund/", `{"orderId":"$T","amount":"100"}`)},
		"POST /bank-transfer": {who: ptnr, names: objCustomer,
			call: post("/bank-transfer/", `{"mobileNumber":"$T","bankCode":"014","bankAccount":"1234567890","amount":"10000"}`)},
		"POST /p2p-transfer": {who: ptnr, names: objCustomer,
			call: func(f *fixture, c caller, target string) result {
				return f.rest(c, "POST", "/p2p-transfer/", `{"mobileNumber":"`+target+`","toMobileNumber":"`+f.mobileB+`","amount":"1000"}`)
			}},
		"GET /transaction-status":  {who: ptnr, names: objPayment, call: get("/transaction-status/?reffId=%s")},
		"GET /transaction-history": {who: ptnr, names: objCustomer, call: get("/transaction-history/?mobileNumber=%s")},
		"POST /topup/va/inquiry":   {who: channel, names: objVA, exempt: "channels top up any customer (SPEC §4)", call: post("/topup/va/inquiry/", `{"vaNumber":"$T"}`)},
		"POST /topup/va/payment": {who: channel, names: objVA, exempt: "channels top up any customer (SPEC §4)",
			call: post("/topup/va/payment/", `{"vaNumber":"$T","amount":"10000","bankReference":"X-REF"}`)},
		"POST /topup/retail/inquiry": {who: channel, names: objCustomer, exempt: "channels top up any customer (SPEC §4)",
			call: post("/topup/retail/inquiry/", `{"mobileNumber":"$T","amount":"10000"}`)},
		"POST /topup/retail/payment": {who: channel, names: objCustomer, exempt: "channels top up any customer (SPEC §4)",
			call: post("/topup/retail/payment/", `{"mobileNumber":"$T","amount":"10000","storeReference":"X-STORE"}`)},
		// Only the partner created with --bank-gateway is taken; every
		// other channel gets 21, whatever the reffId.
		"POST /callbacks/bank-transfer": {who: channel, names: objBank,
			call: post("/callbacks/bank-transfer/", `{"reffId":"$T","status":"SUCCESS"}`)},
		"GET /banks":            {who: ptnr, call: get("/banks/%s")},
		"POST /cash-out":        {who: ptnr, names: objCustomer, call: post("/cash-out/", `{"mobileNumber":"$T","amount":"50000"}`)},
		"POST /cash-out/redeem": {who: channel, names: objCode, exempt: "any store pays out a valid code: the code is the customer's proof", call: post("/cash-out/redeem/", `{"code":"$T","storeReference":"X-STORE"}`)},
		"POST /cash-out/cancel": {who: ptnr, names: objCashOut, call: post("/cash-out/cancel/", `{"reffId":"$T"}`)},
		"POST /qris/decode": {who: ptnr, call: func(f *fixture, c caller, _ string) result {
			return f.rest(c, "POST", "/qris/decode/", `{"qrContent":"`+f.qr+`"}`)
		}},
		"POST /qris-payment": {who: ptnr, names: objCustomer,
			call: func(f *fixture, c caller, target string) result {
				return f.rest(c, "POST", "/qris-payment/", `{"mobileNumber":"`+target+`","qrContent":"`+f.qr+`","amount":"1000"}`)
			}},
	}
	for k, r := range restRows {
		m["REST "+k] = r
	}

	sp := func(path, body string) func(*fixture, caller, string) result {
		return func(f *fixture, c caller, target string) result {
			b := strings.ReplaceAll(body, "$T", target)
			b = strings.ReplaceAll(b, "$N", fmt.Sprint(f.seq.Add(1)))
			return f.snap(c, path, b)
		}
	}
	amt := func(v string) string { return `{"value":"` + v + `.00","currency":"IDR"}` }
	status := `{"originalReferenceNo":"$T"}`
	snapRows := map[string]row{
		"access-token/b2b":           {who: any_},
		"balance-inquiry":            {who: ptnr, names: objCustomer, call: sp("balance-inquiry", `{"partnerReferenceNo":"$N","accountNo":"$T"}`)},
		"transaction-history-list":   {who: ptnr, names: objCustomer, call: sp("transaction-history-list", `{"customerNumber":"$T"}`)},
		"transaction-history-detail": {who: ptnr, names: objPayment, call: sp("transaction-history-detail", status)},
		"transfer-va/inquiry": {who: channel, names: objVA, exempt: "channels top up any customer (SPEC §4)",
			call: func(f *fixture, c caller, va string) result {
				return f.snap(c, "transfer-va/inquiry", fmt.Sprintf(`{"partnerServiceId":"%8s","customerNo":"%s","virtualAccountNo":"%s","inquiryRequestId":"I%d"}`,
					va[:5], va[5:], va, f.seq.Add(1)))
			}},
		"transfer-va/payment": {who: channel, names: objVA, exempt: "channels top up any customer (SPEC §4)",
			call: func(f *fixture, c caller, va string) result {
				return f.snap(c, "transfer-va/payment", fmt.Sprintf(`{"partnerServiceId":"%8s","customerNo":"%s","virtualAccountNo":"%s","paymentRequestId":"P%d","paidAmount":%s}`,
					va[:5], va[5:], va, f.seq.Add(1), amt("10000")))
			}},
		"transfer-va/status": {who: channel, names: objVA, exempt: "a bank asks about its own paymentRequestId; the VA names any customer",
			call: func(f *fixture, c caller, va string) result {
				return f.snap(c, "transfer-va/status", fmt.Sprintf(`{"partnerServiceId":"%8s","customerNo":"%s","virtualAccountNo":"%s","paymentRequestId":"NO-SUCH"}`,
					va[:5], va[5:], va))
			}},
		"transfer/status":             {who: ptnr, names: objBank, call: sp("transfer/status", status)},
		"emoney/account-inquiry":      {who: channel, names: objCustomer, exempt: "channels top up any customer (SPEC §4)", call: sp("emoney/account-inquiry", `{"customerNumber":"$T","amount":`+amt("10000")+`}`)},
		"emoney/topup":                {who: channel, names: objCustomer, exempt: "channels top up any customer (SPEC §4)", call: sp("emoney/topup", `{"partnerReferenceNo":"T$N","customerNumber":"$T","amount":`+amt("10000")+`}`)},
		"emoney/topup-status":         {who: channel, names: objTopUp, call: sp("emoney/topup-status", status)},
		"emoney/bank-account-inquiry": {who: ptnr, names: objCustomer, call: sp("emoney/bank-account-inquiry", `{"customerNumber":"$T","beneficiaryAccountNumber":"1234567890","beneficiaryBankCode":"014","amount":`+amt("10000")+`}`)},
		"emoney/transfer-bank":        {who: ptnr, names: objCustomer, call: sp("emoney/transfer-bank", `{"partnerReferenceNo":"B$N","customerNumber":"$T","beneficiaryAccountNumber":"1234567890","beneficiaryBankCode":"014","amount":`+amt("10000")+`}`)},
		"emoney/otc-cashout":          {who: ptnr, names: objCustomer, call: sp("emoney/otc-cashout", `{"partnerReferenceNo":"C$N","customerNumber":"$T","amount":`+amt("50000")+`}`)},
		"emoney/otc-status":           {who: ptnr, names: objCashOut, call: sp("emoney/otc-status", status)},
		"emoney/otc-cancel":           {who: ptnr, names: objCashOut, call: sp("emoney/otc-cancel", status)},
		"qr/qr-mpm-decode": {who: ptnr, call: func(f *fixture, c caller, _ string) result {
			return f.snap(c, "qr/qr-mpm-decode", `{"qrContent":"`+f.qr+`"}`)
		}},
		"qr/qr-mpm-payment": {who: ptnr, names: objCustomer, call: func(f *fixture, c caller, target string) result {
			return f.snap(c, "qr/qr-mpm-payment", fmt.Sprintf(`{"partnerReferenceNo":"Q%d","customerNumber":"%s","qrContent":"%s","amount":%s}`, f.seq.Add(1), target, f.qr, amt("1000")))
		}},
		"qr/qr-mpm-query":            {who: ptnr, names: objQRIS, call: sp("qr/qr-mpm-query", status)},
		"debit/payment-host-to-host": {who: ptnr, names: objCustomer, call: sp("debit/payment-host-to-host", `{"partnerReferenceNo":"D$N","customerNumber":"$T","amount":`+amt("1000")+`}`)},
		"debit/status":               {who: ptnr, names: objPayment, call: sp("debit/status", status)},
		"debit/refund":               {who: ptnr, names: objPayment, call: sp("debit/refund", `{"originalReferenceNo":"$T","partnerRefundNo":"R$N","refundAmount":`+amt("100")+`}`)},
		// Not supported (405xx00) whoever calls (ADR 0007).
		"registration-account-creation": {who: any_},
		"registration-account-binding":  {who: any_},
		"otp":                           {who: any_},
	}
	for k, r := range snapRows {
		m["SNAP POST "+snap.Prefix+"/"+k] = r
	}

	q := func(doc string) func(*fixture, caller, string) result {
		return func(f *fixture, c caller, target string) result {
			return f.gql(c, strings.ReplaceAll(strings.ReplaceAll(doc, "$T", target), "$QR", f.qr))
		}
	}
	both := ptnr + "|" + cust
	gqlRows := map[string]row{
		"Query.me":                 {who: cust, call: q(`{ me { mobileNumber } }`)},
		"Query.customer":           {who: ptnr, names: objCustomer, call: q(`{ customer(mobileNumber: "$T") { mobileNumber balance { availableBalance } } }`)},
		"Query.banks":              {who: frontend, call: q(`{ banks { code } }`)},
		"Query.bankAccountInquiry": {who: both, call: q(`{ bankAccountInquiry(bankCode: "014", accountNumber: "1234567890") { accountName } }`)},
		"Query.decodeQris":         {who: both, call: q(`{ decodeQris(payload: "$QR") { merchantName } }`)},
		"Query.virtualAccounts":    {who: ptnr, names: objCustomer, call: q(`{ virtualAccounts(mobileNumber: "$T") { vaNumber } }`)},
		"Query.transaction":        {who: both, names: objPayment, call: q(`{ transaction(reffId: "$T") { reffId amount } }`)},
		"Query.transactionHistory": {who: ptnr, names: objCustomer, call: q(`{ transactionHistory(mobileNumber: "$T") { edges { node { reffId } } } }`)},
		"Query.webhookDeliveries":  {who: any_, call: q(`{ webhookDeliveries { eventId } }`)},
		"Mutation.requestOtp": {who: frontend, names: objCustomer, exempt: "the OTP goes to the customer; validating it binds (as REST get-otp)",
			call: q(`mutation { requestOtp(input: {mobileNumber: "$T", purpose: LOGIN}) { expiresIn } }`)},
		"Mutation.validateOtp": {who: frontend, names: objCustomer, exempt: "the OTP proves the customer; wrong codes are limited",
			call: q(`mutation { validateOtp(input: {mobileNumber: "$T", otp: "000000", purpose: LOGIN}) { accessToken } }`)},
		"Mutation.logout": {who: cust, call: q(`mutation { logout }`)},
		"Mutation.registerCustomer": {who: frontend, names: objCustomer, exempt: "registering a registered number is ALREADY_REGISTERED whoever registered it",
			call: q(`mutation { registerCustomer(input: {mobileNumber: "$T", firstName: "Budi"}) { otpExpiresIn } }`)},
		"Mutation.transferToBank": {who: cust, call: q(`mutation { transferToBank(input: {bankCode: "014", bankAccount: "1234567890", amount: "10000"}) { amount } }`)},
		"Mutation.bankTransfer": {who: ptnr, names: objCustomer,
			call: q(`mutation { bankTransfer(input: {mobileNumber: "$T", bankCode: "014", bankAccount: "1234567890", amount: "10000"}) { amount } }`)},
		"Mutation.cashOut":       {who: cust, call: q(`mutation { cashOut(input: {amount: "50000"}) { amount } }`)},
		"Mutation.cashOutFor":    {who: ptnr, names: objCustomer, call: q(`mutation { cashOutFor(input: {mobileNumber: "$T", amount: "50000"}) { amount } }`)},
		"Mutation.cancelCashOut": {who: both, names: objCashOut, call: q(`mutation { cancelCashOut(reffId: "$T") { reffId status } }`)},
		"Mutation.redeemCashOut": {who: channel, names: objCode, exempt: "any store pays out a valid code (as REST)",
			call: q(`mutation { redeemCashOut(input: {code: "$T", storeReference: "X-STORE"}) { reffId } }`)},
		"Mutation.submitKyc": {who: cust, call: q(`mutation { submitKyc(input: {nik: "3273011708900001", fullName: "Budi Santoso", birthDate: "1990-08-17"}) { kycStatus } }`)},
		"Mutation.submitKycFor": {who: ptnr, names: objCustomer,
			call: q(`mutation { submitKycFor(input: {mobileNumber: "$T", nik: "3273011708900001", fullName: "Budi Santoso", birthDate: "1990-08-17"}) { kycStatus } }`)},
		"Mutation.payQris":     {who: cust, call: q(`mutation { payQris(input: {qrContent: "$QR", amount: "1000"}) { transaction { reffId } } }`)},
		"Mutation.qrisPayment": {who: ptnr, names: objCustomer, call: q(`mutation { qrisPayment(input: {mobileNumber: "$T", qrContent: "$QR", amount: "1000"}) { transaction { reffId } } }`)},
		"Mutation.vaInquiry": {who: channel, names: objVA, exempt: "channels top up any customer (SPEC §4)",
			call: q(`mutation { vaInquiry(input: {vaNumber: "$T"}) { customerName } }`)},
		"Mutation.vaPayment": {who: channel, names: objVA, exempt: "channels top up any customer (SPEC §4)",
			call: q(`mutation { vaPayment(input: {vaNumber: "$T", amount: "10000", bankReference: "X-GQL-REF"}) { transaction { reffId } } }`)},
		"Mutation.retailInquiry": {who: channel, names: objCustomer, exempt: "channels top up any customer (SPEC §4)",
			call: q(`mutation { retailInquiry(input: {mobileNumber: "$T", amount: "10000"}) { customerName } }`)},
		"Mutation.retailPayment": {who: channel, names: objCustomer, exempt: "channels top up any customer (SPEC §4)",
			call: q(`mutation { retailPayment(input: {mobileNumber: "$T", amount: "10000", storeReference: "X-GQL-STORE"}) { transaction { reffId } } }`)},
		"Mutation.pay":           {who: cust, call: q(`mutation { pay(input: {amount: "1000", orderId: "X-GQL-ORDER"}) { transaction { reffId } } }`)},
		"Mutation.p2pTransfer":   {who: cust, call: q(`mutation { p2pTransfer(input: {toMobileNumber: "081299999991", amount: "1000"}) { transaction { reffId } } }`)},
		"Mutation.walletPayment": {who: ptnr, names: objCustomer, call: q(`mutation { walletPayment(input: {mobileNumber: "$T", amount: "1000", orderId: "X-GQL-ORDER"}) { transaction { reffId } } }`)},
		"Mutation.refundPayment": {who: ptnr, names: objOrder, call: q(`mutation { refundPayment(input: {orderId: "$T", amount: "100"}) { transaction { reffId } } }`)},
		"Mutation.transferP2P": {who: ptnr, names: objCustomer,
			call: func(f *fixture, c caller, target string) result {
				return f.gql(c, `mutation { transferP2P(input: {mobileNumber: "`+target+`", toMobileNumber: "`+f.mobileB+`", amount: "1000"}) { transaction { reffId } } }`)
			}},
		"Mutation.setCallbackUrl": {who: any_, call: q(`mutation { setCallbackUrl(url: "") { partnerId } }`)},
		// Over HTTP the token is checked before the field answers that it
		// needs a websocket; graph's websocket tests check connection_init.
		"Subscription.transactionUpdated": {who: cust, call: q(`subscription { transactionUpdated { reffId } }`)},
	}
	for k, r := range gqlRows {
		m["GraphQL "+k] = r
	}
	return m
}

// routes lists every route the doors serve: chi.Walk over the real REST
// and SNAP routers, and the root fields of the GraphQL schema.
func routes(t *testing.T) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mounts := rest.Mounts{GraphQL: h, WhatsAppWebhook: h, GraphQLPlayground: h, Metrics: h, OpenAPI: h, Docs: h, Assets: h}
	restRouter, ok := rest.NewServer(nil, nil, nil, nil, slog.Default()).Handler(mounts).(chi.Routes)
	if !ok {
		t.Fatal("the REST handler is not a chi router")
	}
	walk := func(door string, r chi.Routes) {
		err := chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			// Handle (every method) mounts show as each method: one row.
			if door == "REST" && !signedRESTMethod(method) {
				method = "*"
			}
			if door == "REST" && (route == "/graphql" || route == "/healthz" || route == "/readyz") {
				method = "*"
			}
			add(door + " " + method + " " + route)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	walk("REST", restRouter)
	snapRouter, ok := snap.NewServer(nil, nil, nil, slog.Default()).Handler().(chi.Routes)
	if !ok {
		t.Fatal("the SNAP handler is not a chi router")
	}
	walk("SNAP", snapRouter)
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	for _, root := range []string{"Query", "Mutation", "Subscription"} {
		def := schema.Types[root]
		if def == nil {
			continue
		}
		for _, fd := range def.Fields {
			if !strings.HasPrefix(fd.Name, "__") {
				add("GraphQL " + root + "." + fd.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// signedRESTMethod: the signed REST paths are registered per method; a
// mount (Handle) shows up under every method.
func signedRESTMethod(m string) bool { return m == "GET" || m == "POST" }

// TestMatrixCoversEveryRoute: a route or GraphQL field added without a row
// fails here, and so does a row for a route that no longer exists.
func TestMatrixCoversEveryRoute(t *testing.T) {
	t.Parallel()
	m := matrix()
	got := routes(t)
	if len(got) < 60 {
		t.Fatalf("only %d routes found: the walk is broken: %v", len(got), got)
	}
	live := map[string]bool{}
	for _, k := range got {
		// Mounts registered for every method collapse into one "*" row.
		if strings.HasPrefix(k, "REST ") {
			parts := strings.SplitN(k, " ", 3)
			if _, ok := m[k]; !ok {
				if _, star := m["REST * "+parts[2]]; star {
					k = "REST * " + parts[2]
				}
			}
		}
		live[k] = true
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no row in the authorization matrix (internal/authzmatrix): say who may call it and what a second partner gets", k)
		}
	}
	for k := range m {
		if !live[k] {
			t.Errorf("matrix row %q names no route", k)
		}
	}
}

// TestAuthorizationMatrix runs every row: the wrong role is refused with
// 21, a second partner naming the first one's object gets exactly what a
// non-existent object gets (21 for customers, 30 for references), and a
// customer token works only with its own partner's X-PARTNER-ID.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		f := newFixture(t, db)
		m := matrix()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r := m[k]
			if r.call == nil {
				continue
			}
			door := strings.SplitN(k, " ", 2)[0]
			t.Run(k, func(t *testing.T) {
				// Sequential: the rows share one fixture whose money they
				// must not move (every probe is refused before it could).
				f.checkRow(t, door, r)
			})
		}
	})
}

func (f *fixture) checkRow(t *testing.T, door string, r row) {
	t.Helper()
	who := map[string]bool{}
	for _, w := range strings.Split(r.who, "|") {
		who[w] = true
	}
	own := f.own[r.names]
	// The wrong role.
	if who[ptnr] || who[frontend] {
		as := f.ch.signedAs()
		if door == "GraphQL" && !who[ptnr] {
			as = f.ch.frontendAs()
		}
		res := r.call(f, as, own)
		wantForbidden(t, "a CHANNEL", door, res)
	}
	if who[channel] {
		res := r.call(f, f.a.signedAs(), f.ownChannel(r.names))
		wantForbidden(t, "a PARTNER", door, res)
	}
	// GraphQL: a frontend (X-PARTNER-ID only, no signature, no token) gets
	// nothing from a field that needs a signature or a customer.
	if door == "GraphQL" && !who[frontend] {
		res := r.call(f, f.a.frontendAs(), own)
		wantCode(t, "an unsigned frontend without a token", door, res, map[string]string{"GraphQL": "UNAUTHENTICATED"})
	}
	// A customer token is valid only with its partner's X-PARTNER-ID.
	if who[cust] {
		res := r.call(f, caller{partner: f.b, token: f.tokenA}, own)
		wantCode(t, "partner B with partner A's customer token", door, res, map[string]string{"GraphQL": "UNAUTHENTICATED"})
		if r.names != "" {
			// A customer of B naming A's object: what an unknown one gets.
			mine := r.call(f, caller{partner: f.b, token: f.tokenB}, own)
			none := r.call(f, caller{partner: f.b, token: f.tokenB}, f.unknown[r.names])
			wantSame(t, "B's customer", r.names, mine, none, false)
		}
	}
	if door == "SNAP" && (who[ptnr] || who[channel]) {
		// Partner A's B2B token presented by partner B (signed with B's
		// secret) is an invalid token, never A's data.
		c := f.b.signedAs()
		c.snapToken = f.a.snapToken
		if who[channel] {
			c = f.ch2.signedAs()
			c.snapToken = f.ch.snapToken
		}
		res := r.call(f, c, own)
		if !strings.HasPrefix(res.code, "401") || !strings.HasSuffix(res.code, "01") {
			t.Errorf("another partner's B2B token: got %s, want 401xx01", res)
		}
	}
	// A second partner naming the first one's object.
	if r.names == "" || r.exempt != "" {
		return
	}
	if who[ptnr] || who[any_] {
		second := f.b.signedAs()
		mine := r.call(f, second, own)
		none := r.call(f, second, f.unknown[r.names])
		wantSame(t, "partner B", r.names, mine, none, r.names == objCustomer)
	}
	if who[channel] {
		second := f.ch2.signedAs()
		mine := r.call(f, second, f.ownChannel(r.names))
		none := r.call(f, second, f.unknown[r.names])
		wantSame(t, "channel 2", r.names, mine, none, false)
	}
}

func wantForbidden(t *testing.T, who, door string, res result) {
	t.Helper()
	wantCode(t, who, door, res, map[string]string{"REST": "21", "GraphQL": "FORBIDDEN", "SNAP": "403xx01"})
}

func wantCode(t *testing.T, who, door string, res result, want map[string]string) {
	t.Helper()
	w := want[door]
	ok := res.code == w
	if w == "403xx01" {
		ok = len(res.code) == 7 && strings.HasPrefix(res.code, "403") && strings.HasSuffix(res.code, "01")
	}
	if w == "21" {
		ok = ok && res.status == 403
	}
	if !ok || res.data {
		t.Errorf("%s: got %s, want %s and no data", who, res, w)
	}
}

// wantSame: naming another partner's object answers exactly as naming one
// that does not exist, never with its data. forbidden: both must be 21.
func wantSame(t *testing.T, who, obj string, mine, none result, forbidden bool) {
	t.Helper()
	if mine.data || none.data {
		t.Errorf("%s got data for another partner's %s: %s / %s", who, obj, mine, none)
	}
	if mine.status != none.status || mine.code != none.code || mine.message != none.message {
		t.Errorf("%s tells another partner's %s from a missing one:\n  theirs:  %s\n  missing: %s", who, obj, mine, none)
	}
	if forbidden && mine.code != "21" && mine.code != "FORBIDDEN" && !(len(mine.code) == 7 && strings.HasPrefix(mine.code, "403") && strings.HasSuffix(mine.code, "01")) {
		t.Errorf("%s naming another partner's %s: got %s, want 21 / FORBIDDEN / 403xx01", who, obj, mine)
	}
	if mine.code == "0" || strings.HasPrefix(mine.code, "200") || strings.HasPrefix(mine.code, "202") {
		t.Errorf("%s succeeded on another partner's %s: %s", who, obj, mine)
	}
}

// result is an answer in a door-neutral shape: status, the code (REST
// code, SNAP responseCode, GraphQL extensions.code; "0" or "" for a GraphQL
// answer without errors), the message, and whether data came back.
type result struct {
	status  int
	code    string
	message string
	data    bool
	raw     string
}

func (r result) String() string {
	raw := r.raw
	if len(raw) > 300 {
		raw = raw[:300] + "…"
	}
	return fmt.Sprintf("HTTP %d code %s %q (data %v) %s", r.status, r.code, r.message, r.data, raw)
}

// ---- fixture ----

type member struct {
	id, secret string
	snapToken  string
	p          *partner.Partner
}

// caller is who sends a probe.
type caller struct {
	partner   member
	sign      bool   // sign the request (REST always signs)
	token     string // GraphQL customer bearer token
	snapToken string // SNAP B2B token; empty: the partner's own
}

func (m member) signedAs() caller   { return caller{partner: m, sign: true} }
func (m member) frontendAs() caller { return caller{partner: m} }

type fixture struct {
	t              testing.TB
	stack          *apptest.Stack
	srv            *httptest.Server
	key            *rsa.PrivateKey
	a, b, ch, ch2  member
	mobileA        string // bound to A only
	mobileB        string // bound to B only
	tokenA, tokenB string // customer tokens through A and B
	qr             string
	own            map[string]string // A's objects (and the channel's top-up)
	unknown        map[string]string // the same kinds, existing nowhere
	seq            atomic.Int64
}

func newFixture(t *testing.T, db *bunstore.DB) *fixture {
	t.Helper()
	var door http.Handler
	// The probes fail signatures on purpose (another partner's SNAP
	// token): the limiter is off here, TestSignatureFailuresAreLimited and
	// TestGraphQLAbuseLimits test it.
	lim := httpapi.NewFailLimiter(httpapi.SignatureLimit{})
	s := apptest.New(t, db, func(a *app.App, log *slog.Logger) rest.Mounts {
		sd := snap.NewServer(a, httpapi.NewValidator(), system.NewULIDs(), log)
		sd.SetSignatureLimiter(lim)
		door = sd.Handler()
		return rest.Mounts{GraphQL: graph.NewHandler(a, httpapi.NewValidator(), log, graph.WithSignatureLimiter(lim))}
	}, apptest.WithSignatureLimiter(lim), apptest.WithMiddleware(func(h http.Handler) http.Handler {
		// The binary's mux (cmd/wallet): SNAP beside the legacy door.
		mux := http.NewServeMux()
		mux.Handle("/snap/", door)
		mux.Handle("/", h)
		return mux
	}))
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, stack: s, srv: s.Server, key: key, own: map[string]string{}}
	f.a, f.b = f.member("PARTNER"), f.member("PARTNER")
	f.ch, f.ch2 = f.member("CHANNEL"), f.member("CHANNEL")
	f.qr = buildQR(t)
	n := time.Now().UnixNano() % 1e6
	f.mobileA, f.mobileB = fmt.Sprintf("0812%08d", n), fmt.Sprintf("0813%08d", n)
	f.tokenA = f.customer(f.a, f.mobileA)
	f.tokenB = f.customer(f.b, f.mobileB)
	ctx := context.Background()
	for _, m := range []string{f.mobileA, f.mobileB} {
		if _, err := s.App.DecideKYC(ctx, m, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	va := "39358" + f.mobileA
	// Money for A's customer, through the channel: the top-up is the
	// channel's object.
	topUp := f.mustOK(f.rest(f.ch.signedAs(), "POST", "/topup/va/payment/", `{"vaNumber":"`+va+`","amount":"1000000","bankReference":"AZ-TOPUP-1"}`))
	pay := f.mustOK(f.rest(f.a.signedAs(), "POST", "/wallet-payment/", `{"mobileNumber":"`+f.mobileA+`","amount":"20000","orderId":"AZ-ORDER-1"}`))
	cash := f.rest(f.a.signedAs(), "POST", "/cash-out/", `{"mobileNumber":"`+f.mobileA+`","amount":"50000"}`)
	f.mustOK(cash)
	bank := f.mustOK(f.rest(f.a.signedAs(), "POST", "/bank-transfer/", `{"mobileNumber":"`+f.mobileA+`","bankCode":"014","bankAccount":"1234567890","amount":"10000"}`))
	qr := f.rest(f.a.signedAs(), "POST", "/qris-payment/", `{"mobileNumber":"`+f.mobileA+`","qrContent":"`+f.qr+`","amount":"1000"}`)
	var qrEnv struct {
		Data struct {
			ReffID string `json:"reffId"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(qr.raw), &qrEnv)
	if qrEnv.Data.ReffID == "" {
		t.Fatalf("QRIS payment: %s", qr)
	}
	var cashEnv struct {
		ResponseID string `json:"responseId"`
		Data       struct {
			CashOutCode string `json:"cashOutCode"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(cash.raw), &cashEnv)
	logcheck.Secret("cash-out code", cashEnv.Data.CashOutCode)
	f.own = map[string]string{
		"": "", objCustomer: f.mobileA, objPayment: pay, objOrder: "AZ-ORDER-1", objCashOut: cashEnv.ResponseID,
		objBank: bank, objQRIS: qrEnv.Data.ReffID, objTopUp: topUp, objVA: va, objCode: cashEnv.Data.CashOutCode,
	}
	f.unknown = map[string]string{
		"": "", objCustomer: "081299999990", objPayment: "01KZZZZZZZZZZZZZZZZZZZZZZZ", objOrder: "NO-SUCH-ORDER",
		objCashOut: "01KZZZZZZZZZZZZZZZZZZZZZZY", objBank: "01KZZZZZZZZZZZZZZZZZZZZZZX", objQRIS: "01KZZZZZZZZZZZZZZZZZZZZZZW",
		objTopUp: "01KZZZZZZZZZZZZZZZZZZZZZZV", objVA: "39358081299999990", objCode: "000000000000",
	}
	return f
}

// ownChannel is the object a channel row names: channels name customers
// (by number or VA) and their own top-ups.
func (f *fixture) ownChannel(kind string) string { return f.own[kind] }

func (f *fixture) mustOK(r result) string {
	f.t.Helper()
	if r.code != "0" && r.code != "1" {
		f.t.Fatalf("fixture call failed: %s", r)
	}
	var env struct {
		ResponseID string `json:"responseId"`
	}
	_ = json.Unmarshal([]byte(r.raw), &env)
	return env.ResponseID
}

func (f *fixture) member(role string) member {
	f.t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&f.key.PublicKey)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := f.stack.App.CreatePartner(context.Background(), app.NewPartner{Name: "Matrix " + role, Role: role,
		SNAPPublicKey: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})})
	if err != nil {
		f.t.Fatal(err)
	}
	logcheck.Secret("partner secret", res.Secret)
	m := member{id: res.Partner.ID(), secret: res.Secret, p: res.Partner}
	st := stamp(time.Now())
	sum := sha256.Sum256([]byte(m.id + "|" + st))
	sig, err := rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, sum[:])
	if err != nil {
		f.t.Fatal(err)
	}
	raw := f.send("POST", snap.Prefix+"/access-token/b2b", `{"grantType":"client_credentials"}`, map[string]string{
		"X-TIMESTAMP": st, "X-CLIENT-KEY": m.id, "X-SIGNATURE": base64.StdEncoding.EncodeToString(sig), "Content-Type": "application/json"})
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal([]byte(raw.raw), &tok); err != nil || tok.AccessToken == "" {
		f.t.Fatalf("SNAP token: %s", raw)
	}
	logcheck.Secret("SNAP token", tok.AccessToken)
	m.snapToken = tok.AccessToken
	return m
}

// customer registers and activates a customer through p; it returns the
// customer's access token.
func (f *fixture) customer(p member, mobile string) string {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.stack.App.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p.p, MobileNumber: mobile, FirstName: "Budi", LastName: "Santoso"}); err != nil {
		f.t.Fatal(err)
	}
	v, err := f.stack.App.ValidateOTP(ctx, app.ValidateOTP{Partner: p.p, MobileNumber: mobile, Code: f.stack.LastOTP("62" + mobile[1:])})
	if err != nil {
		f.t.Fatal(err)
	}
	logcheck.Secret("access token", v.Token)
	if _, err := f.stack.App.SubmitKYC(ctx, app.SubmitKYC{Partner: p.p, MobileNumber: mobile, NIK: "3273011708900001",
		FullName: "Budi Santoso", BirthDate: "1990-08-17"}); err != nil {
		f.t.Fatal(err)
	}
	return v.Token
}

func stamp(ts time.Time) string { return ts.In(time.FixedZone("WIB", 7*3600)).Format(time.RFC3339) }

func buildQR(t testing.TB) string {
	t.Helper()
	acq, err := qris.NewAcquirer(51, qris.QRISGlobalID, "", "ID1020012345678", "UMI")
	if err != nil {
		t.Fatal(err)
	}
	s, err := qris.NewBuilder().Acquirer(acq).MCC("5812").MerchantName("WARUNG BU SRI").MerchantCity("JAKARTA").Initiation(qris.Static).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ---- the three doors ----

func (f *fixture) rest(c caller, method, path, body string) result {
	f.t.Helper()
	req := apptest.Request{Method: method, Path: path, Body: body, PartnerID: c.partner.id, Secret: c.partner.secret}
	if method == "POST" {
		req.ExternalID = fmt.Sprintf("matrix-%d-%d", time.Now().UnixNano(), f.seq.Add(1))
	}
	r := f.stack.Do(req)
	out := result{status: r.Status, code: fmt.Sprint(r.Env.Code), message: r.Env.Message, data: r.Env.Data != nil, raw: string(r.Raw)}
	if r.Env.Code == 0 && r.Status != 200 {
		out.code = "?"
	}
	return out
}

func (f *fixture) gql(c caller, query string) result {
	f.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	h := map[string]string{"Content-Type": "application/json", "X-PARTNER-ID": c.partner.id,
		"X-EXTERNAL-ID": fmt.Sprintf("matrix-%d", f.seq.Add(1))}
	if c.token != "" {
		h["Authorization"] = "Bearer " + c.token
	}
	if c.sign {
		st := stamp(time.Now())
		h["X-TIMESTAMP"] = st
		h["X-SIGNATURE"] = partner.Sign([]byte(c.partner.secret), "POST", "/graphql", body, st)
	}
	raw := f.send("POST", "/graphql", string(body), h)
	var resp struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal([]byte(raw.raw), &resp)
	out := result{status: raw.status, raw: raw.raw, code: "0"}
	for _, v := range resp.Data {
		if v != nil {
			out.data = true
		}
	}
	if len(resp.Errors) > 0 {
		out.code, out.message = resp.Errors[0].Extensions.Code, resp.Errors[0].Message
	}
	return out
}

func (f *fixture) snap(c caller, service, body string) result {
	f.t.Helper()
	tok := c.snapToken
	if tok == "" {
		tok = c.partner.snapToken
	}
	path := snap.Prefix + "/" + service
	st := stamp(time.Now())
	h := map[string]string{
		"Content-Type": "application/json", "Authorization": "Bearer " + tok, "X-TIMESTAMP": st,
		"X-PARTNER-ID": c.partner.id, "X-EXTERNAL-ID": fmt.Sprintf("%d%d", time.Now().UnixNano(), f.seq.Add(1)),
		"CHANNEL-ID": "95221", "X-SIGNATURE": partner.SNAPSign([]byte(c.partner.secret), "POST", path, tok, []byte(body), st),
	}
	raw := f.send("POST", path, body, h)
	var head map[string]any
	_ = json.Unmarshal([]byte(raw.raw), &head)
	code, _ := head["responseCode"].(string)
	msg, _ := head["responseMessage"].(string)
	return result{status: raw.status, code: code, message: msg, data: len(head) > 2, raw: raw.raw}
}

func (f *fixture) send(method, path, body string, h map[string]string) result {
	f.t.Helper()
	logcheck.Request([]byte(body))
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	logcheck.JSON(b)
	return result{status: res.StatusCode, raw: string(b)}
}
