package logging_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/internal/testsrv"
	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/baggage"
	"google.golang.org/grpc/metadata"
)

func TestAllowlistedMetadataIsLogged(t *testing.T) {
	opts := []logging.Option{logging.WithMetadataFields("X-Request-ID", "x-tenant", "x-absent", "bad key\n", "")}
	r := startRig(t, rigConfig{serverOpts: opts, clientOpts: opts})
	ctx := metadata.AppendToOutgoingContext(noDeadline(t), "x-request-id", "r-1", "x-tenant", "a", "x-tenant", "b", "x-other", "o")
	if err := callEcho(ctx, r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	for _, log := range []*logbook{r.serverLog, r.clientLog} {
		var got []string
		for k, v := range log.wait(t, 1)[0].Data {
			if strings.HasPrefix(k, logging.MetadataFieldPrefix) {
				got = append(got, k+"="+v.(string))
			}
		}
		slices.Sort(got)
		want := []string{"grpc.request.metadata.x-request-id=r-1", "grpc.request.metadata.x-tenant=a, b"}
		if !slices.Equal(got, want) {
			t.Errorf("metadata fields %q, want %q", got, want)
		}
	}
}

// credentials are metadata keys that carry credentials, each with a value that must never
// reach a log line.
var credentials = []string{
	"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token",
	"x-csrf-token", "x-session-id", "x-client-secret", "x-amz-security-token", "grpc-custom",
	"custom-bin", "Authorization",
}

func secretFor(key string) string { return "s3cr3t-" + strings.ToLower(key) }

func TestCredentialsNeverReachALogLineWhateverTheOptions(t *testing.T) {
	formatters := map[string]logrus.Formatter{
		"json": nil, // the logbook's jsonformat.Formatter
		"text": &logrus.TextFormatter{DisableColors: true, DisableTimestamp: true},
	}
	for name, formatter := range formatters {
		t.Run(name, func(t *testing.T) {
			opts := []logging.Option{
				logging.WithStartLine(),
				logging.WithPayloads(nil),
				logging.WithBaggageFields("tenant", "token"),
				logging.WithMetadataFields(append(slices.Clone(credentials), "baggage", "x-request-id")...),
			}
			var mu sync.Mutex
			received := metadata.MD{}
			recordMetadata := func(ctx context.Context, _, _ string) (context.Context, func(error)) {
				md, _ := metadata.FromIncomingContext(ctx)
				mu.Lock()
				for k, v := range md {
					received[k] = v
				}
				mu.Unlock()
				return ctx, func(error) {}
			}
			r := startRig(t, rigConfig{serverOpts: opts, clientOpts: opts, harness: []testsrv.Option{withHook(recordMetadata)}})
			if formatter != nil {
				r.serverLog.SetFormatter(formatter)
				r.clientLog.SetFormatter(formatter)
			}

			kv := []string{"x-request-id", "request-1"}
			for _, key := range credentials {
				kv = append(kv, key, secretFor(key))
			}
			ctx := metadata.AppendToOutgoingContext(noDeadline(t), kv...)
			// The member the allowlist names is logged; the other one carries a secret in the raw
			// baggage header, which is never logged as metadata.
			tenant, _ := baggage.NewMember("tenant", "acme")
			session, _ := baggage.NewMember("session", secretFor("baggage"))
			bag, _ := baggage.New(tenant, session)
			ctx = baggage.ContextWithBaggage(ctx, bag)
			for _, kind := range callKinds {
				if err := kind.call(ctx, r.Demo(), 0); err != nil {
					t.Fatalf("%s: %v", kind.name, err)
				}
			}

			mu.Lock()
			for _, key := range append(slices.Clone(credentials), "baggage") {
				if len(received[strings.ToLower(key)]) == 0 {
					t.Errorf("the server never received %q: the test proves nothing about it", key)
				}
			}
			mu.Unlock()
			r.clientLog.wait(t, 2*len(callKinds)+10) // start, finish and message lines of every call
			for side, out := range map[string]string{"server": r.serverLog.out.String(), "client": r.clientLog.out.String()} {
				if strings.Contains(out, "s3cr3t") {
					t.Errorf("a credential reached the %s log:\n%s", side, out)
				}
				for _, want := range []string{"request-1", "acme"} {
					if !strings.Contains(out, want) {
						t.Errorf("the %s log lacks the allowlisted %q, so the options were not on:\n%s", side, want, out)
					}
				}
			}
		})
	}
}
