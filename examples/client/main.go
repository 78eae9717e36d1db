package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/baggage"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is the client's command line.
type config struct {
	addr    string
	calls   int
	baggage baggage.Baggage
	timeout time.Duration
	// logBackend is the logging signal's backend: "logrus" or "slog".
	logBackend string
	// loop repeats the calls until interrupted or duration has passed, rate calls a second.
	loop     bool
	rate     float64
	duration time.Duration
}

var errUsage = errors.New("usage")

func parseConfig(args []string, usage io.Writer) (config, error) {
	var (
		cfg        config
		rawBaggage string
	)
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&cfg.addr, "addr", "localhost:50051", "server address")
	fs.IntVar(&cfg.calls, "n", 1, "calls of each kind")
	fs.StringVar(&rawBaggage, "baggage", "", `W3C baggage for every call, e.g. "user=alice,tenant=acme"`)
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Second, "deadline of each call")
	fs.StringVar(&cfg.logBackend, "log-backend", "logrus", "logging backend of the call logs: logrus or slog (log/slog)")
	fs.BoolVar(&cfg.loop, "loop", false, "repeat the calls, plus one failing with a server error, until interrupted (or -duration)")
	fs.Float64Var(&cfg.rate, "rate", 5, "calls a second with -loop")
	fs.DurationVar(&cfg.duration, "duration", 0, "with -loop, stop after this long (0: at SIGINT or SIGTERM)")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: unexpected argument %q: the client takes flags only", errUsage, fs.Arg(0))
	}
	if cfg.logBackend != "logrus" && cfg.logBackend != "slog" {
		return cfg, fmt.Errorf("%w: -log-backend must be logrus or slog, got %q", errUsage, cfg.logBackend)
	}
	if cfg.calls < 1 {
		return cfg, fmt.Errorf("%w: -n must be at least 1, got %d", errUsage, cfg.calls)
	}
	if cfg.timeout <= 0 {
		return cfg, fmt.Errorf("%w: -timeout must be positive, got %v", errUsage, cfg.timeout)
	}
	if cfg.rate <= 0 {
		return cfg, fmt.Errorf("%w: -rate must be positive, got %g", errUsage, cfg.rate)
	}
	if cfg.duration < 0 {
		return cfg, fmt.Errorf("%w: -duration must not be negative, got %v", errUsage, cfg.duration)
	}
	bag, err := baggage.Parse(rawBaggage)
	if err != nil {
		return cfg, fmt.Errorf("%w: -baggage: %w", errUsage, err)
	}
	cfg.baggage = bag
	return cfg, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "client:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := callAll(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "client:", err)
		return 1
	}
	return 0
}
