package oidc_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/admit-project/admit/oidc/oidctest"
)

// TestSignInInChromium signs in through the real provider's login form in
// headless Chromium: the state cookie must survive the provider's
// cross-site redirect back (SameSite=Lax), as it does for people.
func TestSignInInChromium(t *testing.T) {
	path := os.Getenv("ADMIT_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no Chromium: install Debian's chromium package or set ADMIT_CHROMIUM")
		}
		t.Skip("no Chromium: install Debian's chromium package or set ADMIT_CHROMIUM")
	}
	a, _ := realProvider(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	_, err := chromedp.RunResponse(ctx, chromedp.Navigate(a.URL+"/login/web?return_to=/dashboard"))
	if err == nil {
		err = chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`#username`)),
			chromedp.SendKeys(chromedp.CSS(`#username`), "alice", chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.CSS(`#password`), oidctest.Password, chromedp.NodeVisible))
	}
	if err == nil {
		// The click loads the provider's redirects and then our callback.
		_, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type=submit]`), chromedp.NodeVisible))
	}
	location, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`), chromedp.NodeReady))
	if err != nil {
		t.Fatalf("Chromium sign-in: %v (at %s, page %q)", err, location, body)
	}
	if !strings.Contains(body, `"email":"alice@example.com"`) || !strings.Contains(body, `"email_verified":true`) ||
		!strings.Contains(body, `"ReturnTo":"/dashboard"`) {
		t.Errorf("callback answered %q, want Alice's verified identity and the return path", body)
	}
}
