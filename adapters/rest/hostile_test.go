package rest_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/adapters/bunstore"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// TestHostileInput: oversized, deeply nested and slow requests are refused
// with a documented answer (or the connection is cut), never a 500 and
// never a hang. The limits are shortened so the test does not wait for the
// production timeouts; the behaviour is the same.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	limits := rest.DefaultHTTPLimits()
	limits.ReadHeaderTimeout, limits.ReadTimeout = 300*time.Millisecond, 500*time.Millisecond
	testdb.Each(t, func(t *testing.T, db *bunstore.DB) {
		s := apptest.NewWith(t, db, nil, apptest.Options{HTTPLimits: &limits})
		c := newClient(s, "PARTNER")
		addr := strings.TrimPrefix(s.Server.URL, "http://")

		t.Run("10 000 distinct JSON keys exceed the body limit", func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`{"mobileNumber":"081200000001"`)
			for i := range 10_000 {
				fmt.Fprintf(&b, `,"k%d":1`, i)
			}
			b.WriteString("}")
			expect(t, c.post("/register-customer/", b.String()), 413, 12)
		})
		t.Run("10 000 repeated JSON keys under the limit", func(t *testing.T) {
			body := `{"mobileNumber":"081299000001"` + strings.Repeat(`,"a":1`, 10_000) + `}`
			expect(t, c.post("/register-customer/", body), 400, 10)
		})
		t.Run("deep nesting", func(t *testing.T) {
			for _, body := range []string{strings.Repeat("[", 30_000) + strings.Repeat("]", 30_000),
				strings.Repeat(`{"a":`, 10_000) + "1" + strings.Repeat("}", 10_000)} {
				expect(t, c.post("/validate-otp/", body), 400, 10)
			}
		})
		t.Run("1 GB declared Content-Length", func(t *testing.T) {
			conn := dial(t, addr)
			fmt.Fprintf(conn, "POST /register-customer/ HTTP/1.1\r\nHost: x\r\nX-PARTNER-ID: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"mobileNumber\":",
				c.id, 1<<30)
			res := readResponse(t, conn)
			if res == nil || res.StatusCode != 413 || !strings.Contains(body(res), `"code":12`) {
				t.Fatalf("got %v", describe(res))
			}
		})
		t.Run("slow-loris body", func(t *testing.T) {
			conn := dial(t, addr)
			fmt.Fprintf(conn, "POST /register-customer/ HTTP/1.1\r\nHost: x\r\nX-PARTNER-ID: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", c.id)
			// The rest never comes: the read timeout ends the request.
			res := readResponse(t, conn)
			if res != nil && (res.StatusCode != 400 || !strings.Contains(body(res), `"code":10`)) {
				t.Fatalf("got %v", describe(res))
			}
		})
		t.Run("slow-loris headers", func(t *testing.T) {
			conn := dial(t, addr)
			fmt.Fprint(conn, "GET /banks/ HTTP/1.1\r\nHost: x\r\nX-PARTNER-ID: ")
			if res := readResponse(t, conn); res != nil && res.StatusCode/100 != 4 {
				t.Fatalf("got %v", describe(res))
			}
		})
		t.Run("header flood", func(t *testing.T) {
			conn := dial(t, addr)
			fmt.Fprint(conn, "GET /banks/ HTTP/1.1\r\nHost: x\r\n")
			for i := range 2_000 {
				fmt.Fprintf(conn, "X-Flood-%d: %s\r\n", i, strings.Repeat("a", 64))
			}
			fmt.Fprint(conn, "\r\n")
			res := readResponse(t, conn)
			if res == nil || res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Fatalf("got %v", describe(res))
			}
		})
		// The server still serves.
		expect(t, c.get("/banks/"), 200, 0)
	})
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// A safety net, far above the server's limits: the test fails rather
	// than hangs if the server never answers.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	return conn
}

// readResponse returns the server's answer, or nil when it closed the
// connection without one. A hang fails the test.
func readResponse(t *testing.T, conn net.Conn) *http.Response {
	t.Helper()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the server neither answered nor closed the connection")
		}
		return nil
	}
	return res
}

func body(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func describe(res *http.Response) string {
	if res == nil {
		return "connection closed without an answer"
	}
	return fmt.Sprintf("HTTP %d %s", res.StatusCode, body(res))
}
