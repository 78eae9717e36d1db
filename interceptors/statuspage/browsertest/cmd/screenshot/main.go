// Command screenshot saves a PNG of a web page as headless Chromium renders it: `make demo`
// uses it for the status page.
//
//	screenshot -url http://127.0.0.1:8080/debug/grpcobs?refresh=off -out .demo/statuspage.png
//
// It exits 1 when the page cannot be loaded, or when the browser's console shows an error.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/statuspage/browsertest"
)

func main() {
	url := flag.String("url", "", "the page to load (required)")
	out := flag.String("out", "screenshot.png", "where to write the PNG")
	timeout := flag.Duration("timeout", 30*time.Second, "how long loading the page may take")
	flag.Parse()
	if err := run(*url, *out, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "screenshot:", err)
		os.Exit(1)
	}
}

func run(url, out string, timeout time.Duration) error {
	if url == "" {
		return fmt.Errorf("-url is required")
	}
	path, err := browsertest.FindChromium()
	if err != nil {
		return err
	}
	profile, err := os.MkdirTemp("", "screenshot-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	browser, err := browsertest.Start(ctx, path, profile)
	if err != nil {
		return err
	}
	defer browser.Close()
	png, err := browser.Screenshot(url)
	if err != nil {
		return fmt.Errorf("load %s: %w", url, err)
	}
	if errs := browser.ConsoleErrors(); len(errs) > 0 {
		return fmt.Errorf("the browser console shows errors: %q", errs)
	}
	return os.WriteFile(out, png, 0o644)
}
