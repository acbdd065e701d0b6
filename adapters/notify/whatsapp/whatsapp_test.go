package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/notify/whatsapp"
	"github.com/dompet/wallet/app"
)

const (
	token   = "EAAG-secret-token"
	phoneID = "106540352242922"
	wamid   = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjdCQ0Y2QjM2RkM4RjE2QkI1AA=="
	otpCode = "482913"
	secret  = "Saldo Anda Rp1.250.000"
)

var accepted = `{"messaging_product":"whatsapp","contacts":[{"input":"6281234567890","wa_id":"6281234567890"}],"messages":[{"id":"` + wamid + `","message_status":"accepted"}]}`

type captured struct {
	method, path, query, auth, contentType string
	body                                   []byte
}

func server(t *testing.T, status int, body string) (*httptest.Server, <-chan captured) {
	t.Helper()
	got := make(chan captured, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- captured{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b}:
		default:
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("request body is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("request body\n got %s\nwant %s", got, want)
	}
}

func TestSendWhatsApp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      whatsapp.Config
		n        app.Notification
		path     string
		wantBody string
	}{
		{
			name: "otp uses the authentication template with defaults",
			n:    app.Notification{ID: "n1", To: "6281234567890", Text: "Kode OTP Anda 482913", OTP: otpCode},
			path: "/v21.0/" + phoneID + "/messages",
			wantBody: `{
				"messaging_product": "whatsapp",
				"recipient_type": "individual",
				"to": "6281234567890",
				"type": "template",
				"template": {
					"name": "otp",
					"language": {"code": "id"},
					"components": [
						{"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
						{"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "482913"}]}
					]
				}
			}`,
		},
		{
			name: "otp with configured template and version",
			cfg:  whatsapp.Config{APIVersion: "v22.0", TemplateName: "dompet_otp", LanguageCode: "en_US"},
			n:    app.Notification{ID: "n2", To: "6285712345678", OTP: "0042"},
			path: "/v22.0/" + phoneID + "/messages",
			wantBody: `{
				"messaging_product": "whatsapp",
				"recipient_type": "individual",
				"to": "6285712345678",
				"type": "template",
				"template": {
					"name": "dompet_otp",
					"language": {"code": "en_US"},
					"components": [
						{"type": "body", "parameters": [{"type": "text", "text": "0042"}]},
						{"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "0042"}]}
					]
				}
			}`,
		},
		{
			name: "plain text",
			n:    app.Notification{ID: "n3", To: "6281234567890", Text: "Top up Rp50.000 berhasil."},
			path: "/v21.0/" + phoneID + "/messages",
			wantBody: `{
				"messaging_product": "whatsapp",
				"recipient_type": "individual",
				"to": "6281234567890",
				"type": "text",
				"text": {"preview_url": false, "body": "Top up Rp50.000 berhasil."}
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, got := server(t, http.StatusOK, accepted)
			cfg := tt.cfg
			cfg.BaseURL = srv.URL + "/"
			cfg.PhoneNumberID = phoneID
			cfg.AccessToken = token
			id, err := whatsapp.New(cfg).SendWhatsApp(context.Background(), tt.n)
			if err != nil {
				t.Fatalf("SendWhatsApp: %v", err)
			}
			if id != wamid {
				t.Errorf("id = %q, want %q", id, wamid)
			}
			req := <-got
			if req.method != http.MethodPost {
				t.Errorf("method = %s, want POST", req.method)
			}
			if req.path != tt.path {
				t.Errorf("path = %s, want %s", req.path, tt.path)
			}
			if req.query != "" {
				t.Errorf("query = %q, want none without AppSecret", req.query)
			}
			if req.auth != "Bearer "+token {
				t.Errorf("Authorization = %q", req.auth)
			}
			if req.contentType != "application/json" {
				t.Errorf("Content-Type = %q", req.contentType)
			}
			assertJSON(t, req.body, tt.wantBody)
		})
	}
}

func TestSendWhatsAppAppSecretProof(t *testing.T) {
	t.Parallel()
	srv, got := server(t, http.StatusOK, accepted)
	s := whatsapp.New(whatsapp.Config{BaseURL: srv.URL, PhoneNumberID: phoneID, AccessToken: "token", AppSecret: "secret"})
	if _, err := s.SendWhatsApp(context.Background(), app.Notification{ID: "n", To: "6281234567890", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	// printf token | openssl dgst -sha256 -hmac secret
	const want = "appsecret_proof=e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a"
	if q := (<-got).query; q != want {
		t.Errorf("query = %q, want %q", q, want)
	}
}

func graphErr(code, subcode int, msg, details string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message":       msg,
		"type":          "OAuthException",
		"code":          code,
		"error_subcode": subcode,
		"error_data":    map[string]any{"messaging_product": "whatsapp", "details": details},
		"fbtrace_id":    "AbCdEfGhIjK",
	}})
	return string(b)
}

func TestSendWhatsAppErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		status            int
		body              string
		wantUndeliverable bool
		wantInErr         string
	}{
		{"131026 not on whatsapp", 400, graphErr(131026, 0, "(#131026) Message undeliverable", "Message Undeliverable."), true, "code 131026"},
		{"131030 not in allow list", 400, graphErr(131030, 2655007, "(#131030) Recipient phone number not in allowed list", "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."), true, "code 131030/2655007"},
		{"131021 recipient is sender", 400, graphErr(131021, 0, "(#131021) Recipient cannot be sender.", "Sender and recipient phone number is the same."), true, "131021"},
		{"100 invalid to parameter", 400, graphErr(100, 2494010, "(#100) Invalid parameter", "Invalid parameter: to"), true, "code 100"},
		{"132001 template missing", 404, graphErr(132001, 0, "(#132001) Template name does not exist in the translation", "template name (otp) does not exist in id"), true, "132001"},
		{"190 expired token falls back", 401, graphErr(190, 463, "Error validating access token: Session has expired", ""), true, "code 190/463"},
		{"4xx without graph body", 400, "<html>bad request</html>", true, "HTTP 400"},
		{"130429 throughput", 400, graphErr(130429, 0, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."), false, "130429"},
		{"131048 spam rate limit", 400, graphErr(131048, 0, "(#131048) Spam rate limit hit", ""), false, "131048"},
		{"131056 pair rate limit", 400, graphErr(131056, 0, "(#131056) (Business Account, Consumer Account) pair rate limit hit", ""), false, "131056"},
		{"80007 waba rate limit", 400, graphErr(80007, 0, "(#80007) Rate limit issues", ""), false, "80007"},
		{"is_transient flag", 400, `{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","is_transient":true,"code":2,"fbtrace_id":"Ax"}}`, false, "code 2"},
		{"131000 generic", 500, graphErr(131000, 0, "(#131000) Something went wrong", ""), false, "131000"},
		{"131016 service unavailable", 503, graphErr(131016, 0, "(#131016) Service unavailable", ""), false, "131016"},
		{"500 empty body", 500, "", false, "HTTP 500"},
		{"502 html", 502, "<html>Bad Gateway</html>", false, "HTTP 502"},
		{"429 too many requests", 429, graphErr(4, 0, "(#4) Application request limit reached", ""), false, "HTTP 429"},
		{"200 garbage", 200, "<html>captive portal</html>", false, "without a message id"},
		{"200 no messages", 200, `{"messaging_product":"whatsapp","contacts":[],"messages":[]}`, false, "without a message id"},
		{"secrets echoed back are redacted", 400, graphErr(131009, 0, "(#131009) Parameter value is not valid: "+otpCode, "bad value "+secret+" with "+token), true, "[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := server(t, tt.status, tt.body)
			s := whatsapp.New(whatsapp.Config{BaseURL: srv.URL, PhoneNumberID: phoneID, AccessToken: token, AppSecret: "app-secret"})
			for _, n := range []app.Notification{
				{ID: "n1", To: "6281234567890", Text: secret, OTP: otpCode},
				{ID: "n2", To: "6281234567890", Text: secret},
			} {
				id, err := s.SendWhatsApp(context.Background(), n)
				if err == nil {
					t.Fatalf("SendWhatsApp = %q, nil; want error", id)
				}
				if got := errors.Is(err, app.ErrUndeliverable); got != tt.wantUndeliverable {
					t.Errorf("errors.Is(%v, ErrUndeliverable) = %v, want %v", err, got, tt.wantUndeliverable)
				}
				assertNoSecrets(t, err, n)
				if !strings.Contains(err.Error(), tt.wantInErr) {
					t.Errorf("error %q does not mention %q", err, tt.wantInErr)
				}
				if !strings.Contains(err.Error(), n.ID) {
					t.Errorf("error %q does not name notification %s", err, n.ID)
				}
			}
		})
	}
}

func assertNoSecrets(t *testing.T, err error, n app.Notification) {
	t.Helper()
	for _, s := range []string{token, n.OTP, n.Text, "appsecret_proof"} {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q leaks %q", err, s)
		}
	}
}

func TestSendWhatsAppTransport(t *testing.T) {
	t.Parallel()
	n := app.Notification{ID: "n1", To: "6281234567890", Text: secret, OTP: otpCode}

	t.Run("context deadline", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The server notices the client hanging up only once the body is read.
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}))
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		s := whatsapp.New(whatsapp.Config{BaseURL: srv.URL, PhoneNumberID: phoneID, AccessToken: token, AppSecret: "app-secret"})
		_, err := s.SendWhatsApp(ctx, n)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want DeadlineExceeded", err)
		}
		if errors.Is(err, app.ErrUndeliverable) {
			t.Errorf("timeout must be transient: %v", err)
		}
		assertNoSecrets(t, err, n)
	})

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		s := whatsapp.New(whatsapp.Config{BaseURL: srv.URL, PhoneNumberID: phoneID, AccessToken: token, AppSecret: "app-secret"})
		_, err := s.SendWhatsApp(context.Background(), n)
		if err == nil || errors.Is(err, app.ErrUndeliverable) {
			t.Errorf("err = %v, want transient error", err)
		}
		assertNoSecrets(t, err, n)
	})

	t.Run("oversized response", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"messages":[{"id":"`+strings.Repeat("x", 2<<20)+`"}]}`)
		}))
		t.Cleanup(srv.Close)
		s := whatsapp.New(whatsapp.Config{BaseURL: srv.URL, PhoneNumberID: phoneID, AccessToken: token})
		id, err := s.SendWhatsApp(context.Background(), n)
		if err == nil || errors.Is(err, app.ErrUndeliverable) {
			t.Errorf("SendWhatsApp = %.20q, %v; want transient error", id, err)
		}
	})
}
