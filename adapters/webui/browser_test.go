package webui_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dompet/wallet/adapters/apidoc"
	"github.com/dompet/wallet/adapters/httpapi"
	"github.com/dompet/wallet/adapters/rest"
	"github.com/dompet/wallet/adapters/webui"
	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/graph"
	"github.com/dompet/wallet/internal/apptest"
	"github.com/dompet/wallet/internal/testdb"
)

// chromium finds the browser; without one the test may skip only outside
// CI (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "" {
		t.Skip("no chromium on PATH (apt-get install -y chromium chromium-driver)")
	}
	t.Fatal("CI is set but chromium is not installed")
	return ""
}

// browse starts a fresh headless Chromium that cannot reach the internet
// on its own (no background networking, no component updates).
func browse(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

func pagesStack(t *testing.T) *apptest.Stack {
	doc, err := apidoc.Build(apidoc.Info{Title: "Wallet", Version: "1"}, rest.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	return apptest.New(t, testdb.SQLite(t), func(a *app.App, log *slog.Logger) rest.Mounts {
		return rest.Mounts{GraphQL: graph.NewHandler(a, httpapi.NewValidator(), log),
			GraphQLPlayground: webui.Playground(), Docs: webui.Docs(), Assets: webui.Assets(),
			OpenAPI: apidoc.Handler(doc)}
	})
}

// TestPlaygroundRunsAQueryOffline opens the playground in headless
// Chromium, runs the banks query and reads the answer in the result pane.
func TestPlaygroundRunsAQueryOffline(t *testing.T) {
	t.Parallel()
	ctx := browse(t)
	s := pagesStack(t)
	partnerID, _ := s.Partner("PARTNER")
	q := url.Values{"query": {"{ banks { code name } }"},
		"headers": {`{"X-PARTNER-ID": "` + partnerID + `"}`}}
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.Server.URL+"/playground?"+q.Encode()),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-execute-button`)),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	if err != nil {
		t.Fatalf("playground: %v", err)
	}
	result, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const el = document.querySelector('.result-window');
		const text = el ? el.innerText : '';
		return text.includes('Bank Central Asia') ? text : false;
	})()`, chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		t.Fatalf("no answer in the result pane: %v", err)
	}
	if path := os.Getenv("WALLET_SCREENSHOT"); path != "" {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(path, shot, 0o644)
	}
	if !strings.Contains(result, `"code"`) || !strings.Contains(result, "014") {
		t.Fatalf("result pane: %s", result)
	}
}

// TestDocsRenderOffline opens /docs and waits for an operation of the
// document to be rendered.
func TestDocsRenderOffline(t *testing.T) {
	t.Parallel()
	ctx := browse(t)
	s := pagesStack(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.Server.URL+"/docs"),
		chromedp.WaitVisible(chromedp.CSS(`#operations-Money-walletPayment`)),
	)
	if err != nil {
		t.Fatalf("docs: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#swagger-ui`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "/wallet-payment/") {
		t.Fatalf("docs page: %.500s", text)
	}
}
