package otelmetrics_test

import (
	"slices"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/grpcobs/grpcobs/interceptors/otelmetrics"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc/codes"
)

// wantsAttempts is what a signal tells the grpcobs stack of attempts.
func wantsAttempts(r any) bool {
	h, _ := signal.Of(r)
	return h.Traits.WantsAttempts
}

// WithAttempts asks the stack for attempts only where it records something: on an A66
// client. Elsewhere DialOptions installs no stats handler, and a call records what it did
// without the option.
func TestWithAttemptsInstallsTheHandlerOnlyForA66Clients(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options []otelmetrics.Option
		handler bool
	}{
		{"A66", []otelmetrics.Option{otelmetrics.WithA66(), otelmetrics.WithAttempts()}, true},
		{"A66 without WithAttempts", []otelmetrics.Option{otelmetrics.WithA66()}, false},
		{"semconv", []otelmetrics.Option{otelmetrics.WithAttempts()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wantsAttempts(otelmetrics.NewClient(tc.options...)); got != tc.handler {
				t.Errorf("client WantsAttempts = %v, want %v", got, tc.handler)
			}
			if got, want := len(interceptors.DialOptions(otelmetrics.NewClient(tc.options...))), 2+boolInt(tc.handler); got != want {
				t.Errorf("DialOptions returned %d options, want %d (the two interceptors%s)", got, want, map[bool]string{true: " and the stats handler"}[tc.handler])
			}
			if wantsAttempts(otelmetrics.NewServer(tc.options...)) {
				t.Error("server WantsAttempts = true; a server has no attempts")
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// In the semantic conventions' family, which defines no attempt metrics, WithAttempts changes
// nothing that is recorded.
func TestWithAttemptsRecordsNothingMoreUnderSemconv(t *testing.T) {
	t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", "")
	s := startStack(t, stackConfig{options: []otelmetrics.Option{otelmetrics.WithAttempts()}})
	echo(t, s, codes.OK)
	if got, want := names(s.collect(t)), []string{"rpc.client.call.duration", "rpc.server.call.duration"}; !slices.Equal(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
}

// An A66 client with WithAttempts records the attempt metrics beside the call's, an A66
// server nothing more, and each attempt metric carries the call's grpc.method and
// grpc.target (for a method that is not known, "other", as the call's duration).
func TestA66AttemptMetricsCarryTheCallsMethodAndTarget(t *testing.T) {
	s := startStack(t, stackConfig{options: []otelmetrics.Option{otelmetrics.WithA66(), otelmetrics.WithAttempts()}})
	echo(t, s, codes.NotFound)
	ms := s.collect(t)
	want := []string{
		"grpc.client.attempt.duration", "grpc.client.attempt.rcvd_total_compressed_message_size",
		"grpc.client.attempt.sent_total_compressed_message_size", "grpc.client.attempt.started",
		"grpc.client.call.duration", "grpc.server.call.duration", "grpc.server.call.started",
	}
	if got := names(ms); !slices.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	method, target := attribute.String("grpc.method", echoMethod), attribute.String("grpc.target", s.Conn.CanonicalTarget())
	if p := counterPoint(t, metricNamed(t, ms, "grpc.client.attempt.started"), method, target); p.Value != 1 {
		t.Errorf("grpc.client.attempt.started = %d, want 1", p.Value)
	}
	if p := histogramPoint(t, metricNamed(t, ms, "grpc.client.attempt.duration"), method, target, attribute.String("grpc.status", "NOT_FOUND")); p.Count != 1 {
		t.Errorf("grpc.client.attempt.duration count = %d, want 1", p.Count)
	}
}

// errorsSeen is an otel error handler that keeps what it is given.
type errorsSeen struct{ errs []error }

func (e *errorsSeen) Handle(err error) { e.errs = append(e.errs, err) }

// WithAttempts without WithA66, like WithAttempts on a server (both sides take the same
// options), does nothing (TestWithAttemptsInstallsTheHandlerOnlyForA66Clients): it is not a
// value the signal cannot use (see the interceptors package doc's "Options"), so nothing is
// reported, with WithA66 or without.
func TestWithAttemptsWithoutA66DoesNothing(t *testing.T) {
	seen, previous := &errorsSeen{}, otel.GetErrorHandler()
	otel.SetErrorHandler(seen)
	t.Cleanup(func() { otel.SetErrorHandler(previous) })
	for _, opts := range [][]otelmetrics.Option{
		{otelmetrics.WithA66(), otelmetrics.WithAttempts()},
		{otelmetrics.WithAttempts()},
	} {
		otelmetrics.NewServer(opts...)
		otelmetrics.NewClient(opts...)
	}
	if len(seen.errs) != 0 {
		t.Fatalf("errors reported: %v, want none", seen.errs)
	}
}
