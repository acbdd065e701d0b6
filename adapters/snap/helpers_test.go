package snap_test

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
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/snap"
	"github.com/dompet/wallet/adapters/system"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/partner"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/logcheck"
)

// Keys are slow to make under -race: one per role of a test, for the
// whole process.
var (
	keysOnce sync.Once
	keys     [2]*rsa.PrivateKey
)

func testKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keysOnce.Do(func() {
		for n := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[n] = k
		}
	})
	return keys[i]
}

func publicPEM(t testing.TB, k *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func jsonValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// stack is the real application with the SNAP door and the legacy door
// (apptest) over one database.
type stack struct {
	*apptest.Stack
	snap *httptest.Server
	door *snap.Server
	n    atomic.Int64
}

func newStack(t testing.TB, db *bunstore.DB) *stack {
	t.Helper()
	s := apptest.New(t, db, nil)
	door := snap.NewServer(s.App, jsonValidator(), system.NewULIDs(), apptest.Logger(t))
	srv := httptest.NewServer(door.Handler())
	t.Cleanup(srv.Close)
	return &stack{Stack: s, snap: srv, door: door}
}

// seq returns a number unique in the stack (mobile numbers, references).
func (s *stack) seq() int64 { return s.n.Add(1) }

// client is a SNAP partner with its RSA key, secret and a live token.
type client struct {
	s       *stack
	t       testing.TB
	p       *partner.Partner
	secret  string
	key     *rsa.PrivateKey
	token   string
	channel string
}

func (s *stack) client(t testing.TB, role string) *client {
	t.Helper()
	key := testKey(t, 0)
	res, err := s.App.CreatePartner(context.Background(), app.NewPartner{Name: "SNAP " + role, Role: role, SNAPPublicKey: publicPEM(t, key)})
	if err != nil {
		t.Fatal(err)
	}
	logcheck.Secret("partner secret", res.Secret)
	c := &client{s: s, t: t, p: res.Partner, secret: res.Secret, key: key, channel: "95221"}
	r := c.tokenCall(time.Now(), c.p.ID(), key)
	if r.Status != 200 || r.str("responseCode") != "2007300" {
		t.Fatalf("token: %d %s", r.Status, r.Raw)
	}
	c.token = r.str("accessToken")
	logcheck.Secret("SNAP token", c.token)
	return c
}

func stamp(ts time.Time) string { return ts.In(time.FixedZone("WIB", 7*3600)).Format(time.RFC3339) }

// rsaSign is SHA256withRSA, base64.
func rsaSign(t testing.TB, key *rsa.PrivateKey, msg string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func (c *client) tokenCall(ts time.Time, clientID string, key *rsa.PrivateKey) resp {
	st := stamp(ts)
	return c.s.send("POST", "/snap/v1.0/access-token/b2b", `{"grantType":"client_credentials"}`, map[string]string{
		"X-TIMESTAMP": st, "X-CLIENT-KEY": clientID, "X-SIGNATURE": rsaSign(c.t, key, clientID+"|"+st),
	})
}

// req is one transactional call; zero fields take the client's values.
type req struct {
	path, body string
	externalID string
	ts         time.Time
	token      string
	partnerID  string
	secret     string
	drop       string // a header to leave out
}

func (c *client) do(r req) resp {
	c.t.Helper()
	if r.externalID == "" {
		r.externalID = fmt.Sprintf("%d%d", time.Now().UnixNano(), c.s.seq())
	}
	if r.ts.IsZero() {
		r.ts = time.Now()
	}
	if r.token == "" {
		r.token = c.token
	}
	if r.partnerID == "" {
		r.partnerID = c.p.ID()
	}
	if r.secret == "" {
		r.secret = c.secret
	}
	path := "/snap/v1.0/" + r.path
	st := stamp(r.ts)
	h := map[string]string{
		"Authorization": "Bearer " + r.token, "X-TIMESTAMP": st, "X-PARTNER-ID": r.partnerID,
		"X-EXTERNAL-ID": r.externalID, "CHANNEL-ID": c.channel,
		"X-SIGNATURE": partner.SNAPSign([]byte(r.secret), "POST", path, r.token, []byte(r.body), st),
	}
	delete(h, r.drop)
	return c.s.send("POST", path, r.body, h)
}

func (c *client) call(path, body string) resp {
	c.t.Helper()
	return c.do(req{path: path, body: body})
}

type resp struct {
	Status int
	Raw    []byte
	M      map[string]any
	header http.Header
}

// Header is a response header.
func (r resp) Header(k string) string { return r.header.Get(k) }

func (r resp) str(k string) string {
	v, _ := r.M[k].(string)
	return v
}

// at walks a dotted path of objects.
func (r resp) at(path string) any {
	var v any = r.M
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (s *stack) send(method, path, body string, h map[string]string) resp {
	logcheck.Request([]byte(body))
	req, err := http.NewRequest(method, s.snap.URL+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := s.snap.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var out resp
	out.Status = res.StatusCode
	out.header = res.Header
	out.Raw, _ = io.ReadAll(res.Body)
	_ = json.Unmarshal(out.Raw, &out.M)
	logcheck.JSON(out.Raw)
	return out
}

// expect checks the responseCode and that the HTTP status is its first
// three digits.
func expect(t testing.TB, r resp, code string) {
	t.Helper()
	if r.str("responseCode") != code || fmt.Sprint(r.Status) != code[:3] || r.str("responseMessage") == "" {
		t.Fatalf("got HTTP %d %s, want %s", r.Status, r.Raw, code)
	}
}

// customer registers and activates a customer through partner p; it
// returns the number as dialled (08…).
func (s *stack) customer(t testing.TB, p *partner.Partner) string {
	t.Helper()
	mobile := fmt.Sprintf("0812%08d", s.seq()+int64(time.Now().UnixNano()%1e7))
	ctx := context.Background()
	if _, err := s.App.RegisterCustomer(ctx, app.RegisterCustomer{Partner: p, MobileNumber: mobile, FirstName: "Budi", LastName: "Santoso"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.ValidateOTP(ctx, app.ValidateOTP{Partner: p, MobileNumber: mobile, Code: s.LastOTP("62" + mobile[1:])}); err != nil {
		t.Fatal(err)
	}
	return mobile
}

// verify makes the customer PREMIUM (needed to send money out).
func (s *stack) verify(t testing.TB, p *partner.Partner, mobile string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.App.SubmitKYC(ctx, app.SubmitKYC{Partner: p, MobileNumber: mobile, NIK: "3273011708900001",
		FullName: "Budi Santoso", BirthDate: "1990-08-17"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.DecideKYC(ctx, mobile, true, ""); err != nil {
		t.Fatal(err)
	}
}

// topUp credits a customer through a SNAP channel (service 38).
func (s *stack) topUp(t testing.TB, ch *client, mobile string, amount int64) resp {
	t.Helper()
	r := ch.call("emoney/topup", fmt.Sprintf(`{"partnerReferenceNo":"TU%d","customerNumber":"%s","amount":{"value":"%d.00","currency":"IDR"}}`,
		s.seq(), mobile, amount))
	expect(t, r, "2003800")
	return r
}

// apptestReq signs a legacy GET as the client's partner.
func apptestReq(c *client, path string) apptest.Request {
	return apptest.Request{Method: "GET", Path: path, PartnerID: c.p.ID(), Secret: c.secret}
}
