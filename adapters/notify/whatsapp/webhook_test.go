package whatsapp_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/notify/whatsapp"
)

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	// printf '%s' "$body" | openssl dgst -sha256 -hmac app-secret
	const sig = "sha256=d3e4f9da0ce6c71ab3dba55929b8eeeee2455349e534924ead19f98d143e904f"
	tests := []struct {
		name   string
		secret string
		body   []byte
		header string
		want   bool
	}{
		{"valid", "app-secret", body, sig, true},
		{"valid upper-case hex", "app-secret", body, "sha256=" + upper(sig[len("sha256="):]), true},
		{"wrong secret", "other-secret", body, sig, false},
		{"tampered body", "app-secret", append([]byte(" "), body...), sig, false},
		{"missing prefix", "app-secret", body, sig[len("sha256="):], false},
		{"sha1 prefix", "app-secret", body, "sha1=" + sig[len("sha256="):], false},
		{"not hex", "app-secret", body, "sha256=zz", false},
		{"truncated", "app-secret", body, sig[:len(sig)-2], false},
		{"empty header", "app-secret", body, "", false},
		{"empty secret", "", body, sig, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := whatsapp.VerifySignature(tt.secret, tt.body, tt.header); got != tt.want {
				t.Errorf("VerifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func TestVerifyChallenge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		token string
		want  string
		ok    bool
	}{
		{"ok", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock", "meatyhamhock", "1158201444", true},
		{"wrong token", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess", "meatyhamhock", "", false},
		{"missing token", "hub.mode=subscribe&hub.challenge=1158201444", "meatyhamhock", "", false},
		{"wrong mode", "hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock", "meatyhamhock", "", false},
		{"missing challenge", "hub.mode=subscribe&hub.verify_token=meatyhamhock", "meatyhamhock", "", false},
		{"unconfigured token", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := whatsapp.VerifyChallenge(q, tt.token)
			if got != tt.want || ok != tt.ok {
				t.Errorf("VerifyChallenge = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file              string
		want              []whatsapp.Status
		wantUndeliverable []bool
		wantNotOnWhatsApp []bool
	}{
		{
			file: "delivered.json",
			want: []whatsapp.Status{{
				MessageID:   "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjdCQ0Y2QjM2RkM4RjE2QkI1AA==",
				Status:      "delivered",
				RecipientID: "6281234567890",
				Timestamp:   time.Unix(1732547000, 0).UTC(),
			}},
			wantUndeliverable: []bool{false},
			wantNotOnWhatsApp: []bool{false},
		},
		{
			file: "read.json",
			want: []whatsapp.Status{{
				MessageID:   "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjdCQ0Y2QjM2RkM4RjE2QkI1AA==",
				Status:      "read",
				RecipientID: "6281234567890",
				Timestamp:   time.Unix(1732547012, 0).UTC(),
			}},
			wantUndeliverable: []bool{false},
			wantNotOnWhatsApp: []bool{false},
		},
		{
			file: "failed_131026.json",
			want: []whatsapp.Status{{
				MessageID:   "wamid.HBgNNjI4OTk5ODg4Nzc3NhUCABEYEjQxQjg3QkE0RjZBRjQ2RjBGQwA=",
				Status:      "failed",
				RecipientID: "6289998887776",
				Timestamp:   time.Unix(1732547100, 0).UTC(),
				ErrorCodes:  []int{131026},
			}},
			wantUndeliverable: []bool{true},
			wantNotOnWhatsApp: []bool{true},
		},
		{
			file: "inbound_message.json",
		},
		{
			file: "batch.json",
			want: []whatsapp.Status{
				{MessageID: "wamid.A", Status: "sent", RecipientID: "6281234567890", Timestamp: time.Unix(1732547300, 0).UTC()},
				{MessageID: "wamid.B", Status: "failed", RecipientID: "6281298765432", Timestamp: time.Unix(1732547301, 0).UTC(), ErrorCodes: []int{131047}},
				{MessageID: "wamid.C", Status: "failed", RecipientID: "6281311112222", Timestamp: time.Unix(1732547302, 0).UTC(), ErrorCodes: []int{131030}},
			},
			wantUndeliverable: []bool{false, true, true},
			wantNotOnWhatsApp: []bool{false, false, true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := whatsapp.ParseStatuses(body)
			if err != nil {
				t.Fatalf("ParseStatuses: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseStatuses =\n%+v\nwant\n%+v", got, tt.want)
			}
			for i, s := range got {
				if s.Undeliverable() != tt.wantUndeliverable[i] {
					t.Errorf("%s: Undeliverable = %v", s.MessageID, s.Undeliverable())
				}
				if s.NotOnWhatsApp() != tt.wantNotOnWhatsApp[i] {
					t.Errorf("%s: NotOnWhatsApp = %v", s.MessageID, s.NotOnWhatsApp())
				}
			}
		})
	}
}

func TestParseStatusesRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"not json", `<xml/>`},
		{"empty", ``},
		{"other object", `{"object":"page","entry":[]}`},
		{"missing object", `{"entry":[]}`},
		{"timestamp not a number", `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.A","status":"sent","timestamp":"yesterday"}]}}]}]}`},
		{"statuses not a list", `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":{}}}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, err := whatsapp.ParseStatuses([]byte(tt.body)); err == nil {
				t.Errorf("ParseStatuses = %+v, nil; want error", got)
			}
		})
	}
}

func FuzzParseStatuses(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := whatsapp.ParseStatuses(body)
		if err != nil {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		again, _ := whatsapp.ParseStatuses(body)
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("not deterministic: %+v vs %+v", got, again)
		}
		for _, s := range got {
			if s.Undeliverable() != (s.Status == "failed") {
				t.Errorf("Undeliverable = %v for status %q", s.Undeliverable(), s.Status)
			}
			if s.NotOnWhatsApp() && !s.Undeliverable() {
				t.Errorf("NotOnWhatsApp without Undeliverable: %+v", s)
			}
		}
	})
}
