package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/sirupsen/logrus"
)

// config is the server's command line, as the demo contract in docs/DESIGN.md states it.
type config struct {
	grpcAddr       string
	httpAddr       string
	adminAddr      string
	dependencyAddr string
	checkInterval  time.Duration
	drain          time.Duration
	logFormat      string
	logBackend     string
	logLevel       logrus.Level
	observability  bool
}

// errUsage marks a command-line problem: the process exits 2.
var errUsage = errors.New("usage")

// parseConfig reads the flags. Problems come back wrapped in errUsage, with the flag named.
func parseConfig(args []string, usage io.Writer) (config, error) {
	var (
		cfg      config
		logLevel string
	)
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&cfg.grpcAddr, "grpc-addr", ":50051", "gRPC listen address")
	fs.StringVar(&cfg.httpAddr, "http-addr", ":8080", "HTTP listen address for /metrics, /healthz and /readyz (the status alone)")
	fs.StringVar(&cfg.adminAddr, "admin-addr", "localhost:8081", "admin HTTP listen address for the status page /debug/grpcobs and /healthz, /readyz with the checks' details; empty: no admin listener")
	fs.StringVar(&cfg.dependencyAddr, "dependency-addr", "", "host:port of a TCP dependency; its checker gates readiness and the overall status")
	fs.DurationVar(&cfg.checkInterval, "check-interval", 5*time.Second, "how often health checks run")
	fs.DurationVar(&cfg.drain, "drain", 5*time.Second, "how long to serve NOT_SERVING after SIGTERM before stopping")
	fs.StringVar(&cfg.logFormat, "log-format", "json", "log format: json or text")
	fs.StringVar(&cfg.logBackend, "log-backend", "logrus", "logging backend: logrus or slog (log/slog)")
	fs.StringVar(&logLevel, "log-level", "info", "log level: trace, debug, info, warn, error")
	fs.BoolVar(&cfg.observability, "observability", true, "trace, count and log every call (false: a bare server, for load-test comparisons)")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("%w: unexpected-argument %q: the server takes flags only", errUsage, fs.Arg(0))
	}
	if cfg.logFormat != "json" && cfg.logFormat != "text" {
		return cfg, fmt.Errorf("%w: -log-format must be json or text, got %q", errUsage, cfg.logFormat)
	}
	if cfg.logBackend != "logrus" && cfg.logBackend != "slog" {
		return cfg, fmt.Errorf("%w: -log-backend must be logrus or slog, got %q", errUsage, cfg.logBackend)
	}
	level, err := logrus.ParseLevel(logLevel)
	if err != nil {
		return cfg, fmt.Errorf("%w: -log-level: %w", errUsage, err)
	}
	cfg.logLevel = level
	if cfg.checkInterval <= 0 {
		return cfg, fmt.Errorf("%w: -check-interval must be positive, got %v", errUsage, cfg.checkInterval)
	}
	if cfg.drain < 0 {
		return cfg, fmt.Errorf("%w: -drain must not be negative, got %v", errUsage, cfg.drain)
	}
	if cfg.dependencyAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.dependencyAddr); err != nil {
			return cfg, fmt.Errorf("%w: -dependency-addr must be host:port: %w", errUsage, err)
		}
	}
	return cfg, nil
}
