package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// FindChromium returns the path of the browser: $CHROMIUM if set, else ChromiumPath.
func FindChromium() (string, error) {
	path := ChromiumPath
	if p := os.Getenv("CHROMIUM"); p != "" {
		path = p
	}
	if _, err := exec.LookPath(path); err != nil {
		return "", fmt.Errorf("chromium not found at %s (install Debian's chromium package, or set CHROMIUM): %w", path, err)
	}
	return path, nil
}

// Browser is a headless Chromium with a fresh profile, and what its pages wrote to the
// console.
type Browser struct {
	// Ctx is the context of the browser's tab: run chromedp actions in it.
	Ctx       context.Context
	cancelTab context.CancelFunc
	cancel    context.CancelFunc
	collected chan struct{}

	mu      sync.Mutex
	console []string // errors and warnings: console.error, uncaught exceptions, browser log
}

// Start starts a headless Chromium at path, with a profile in userDataDir (an empty
// directory). Root needs --no-sandbox; the other flags keep a browser on a closed network
// from reaching out (updates, sync, safe browsing) and logging its failures. Close stops it.
func Start(ctx context.Context, path, userDataDir string) (*Browser, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(userDataDir),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.WindowSize(1400, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{Ctx: tabCtx, cancelTab: cancelTab, cancel: cancelAlloc, collected: make(chan struct{})}
	// Start the browser, then listen to the tab's console from before the first page.
	if err := chromedp.Do(tabCtx); err != nil {
		cancelTab()
		cancelAlloc()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	messages := chromedp.Console(tabCtx)
	go func() {
		defer close(b.collected)
		for m, err := range messages {
			if err != nil {
				return
			}
			b.onMessage(m)
		}
	}()
	return b, nil
}

// onMessage keeps the console's errors and warnings (a Content-Security-Policy violation is
// an error; a deprecation is a warning), with where they came from.
func (b *Browser) onMessage(m chromedp.ConsoleMessage) {
	switch m.Type {
	case chromedp.ConsoleError, chromedp.ConsoleException, chromedp.ConsoleWarning:
	default:
		return
	}
	msg := m.String()
	if m.Source != "" {
		msg = m.Source + " " + msg
	}
	if m.URL != "" {
		msg += " (" + m.URL + ")"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, msg)
}

// ConsoleErrors returns the errors and warnings the browser's console showed so far.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// Close stops the browser and waits for it to exit.
func (b *Browser) Close() {
	b.cancelTab()
	b.cancel()
	<-b.collected
}

// Screenshot loads url and returns a PNG of the whole page.
func (b *Browser) Screenshot(url string) ([]byte, error) {
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		return nil, err
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return nil, err
	}
	if len(png) == 0 {
		return nil, errors.New("chromium returned an empty screenshot")
	}
	return png, nil
}
