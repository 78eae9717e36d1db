package docsnippets_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/demo"
	"github.com/grpcobs/grpcobs/internal/docsnippets"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

// The code of gettingstarted_test.go between its begin and end comments is, region by
// region, a ```go block of docs/getting-started.md, character for character.
func TestGettingStartedBlocksAreThisCode(t *testing.T) {
	root := moduleRoot(t)
	md, err := os.ReadFile(filepath.Join(root, "docs", "getting-started.md"))
	if err != nil {
		t.Fatal(err)
	}
	onPage := map[string]bool{}
	for _, b := range docsnippets.Blocks("docs/getting-started.md", md) {
		onPage[b.Code] = true
	}
	src, err := os.ReadFile("gettingstarted_test.go")
	if err != nil {
		t.Fatal(err)
	}
	regions := markedRegions(string(src), "docs/getting-started.md")
	if len(regions) != 2 {
		t.Fatalf("gettingstarted_test.go has %d marked regions, want 2", len(regions))
	}
	for _, r := range regions {
		if !onPage[r] {
			t.Errorf("docs/getting-started.md has no ```go block that is this code of gettingstarted_test.go:\n%s", r)
		}
	}
}

// markedRegions are the texts between "// begin: doc" and "// end: doc" lines, without the
// begin line's indentation and without trailing blank lines.
func markedRegions(src, doc string) []string {
	var regions []string
	var cur *strings.Builder
	var indent string
	for line := range strings.Lines(src) {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "// begin: "+doc:
			cur, indent = &strings.Builder{}, line[:len(line)-len(strings.TrimLeft(line, "\t"))]
		case trimmed == "// end: "+doc && cur != nil:
			regions = append(regions, strings.TrimRight(cur.String(), "\n")+"\n")
			cur = nil
		case cur != nil:
			cur.WriteString(strings.TrimPrefix(line, indent))
		}
	}
	return regions
}

// The getting-started server, served on loopback TCP: the real grpc_health_probe passes
// without credentials, and so does a reflection client, while a call to the service without
// credentials is refused with UNAUTHENTICATED (and one with them is served). The same probe
// fails against a server with auth in front of everything, the trap the page warns of.
func TestGettingStartedServerPassesProbesAndRefusesStrangers(t *testing.T) {
	probe := probeBinary(t)
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	registry := health.NewRegistry(health.WithLogger(logger))
	if err := registry.Register("database", health.CheckFunc(func(context.Context) error { return nil }), health.Every(time.Second)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	registry.Start(t.Context())
	defer registry.Stop()
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	authenticate := func(ctx context.Context) (context.Context, error) {
		token, err := auth.AuthFromMD(ctx, "bearer")
		if err != nil {
			return nil, err
		}
		if token != "secret" {
			return nil, status.Error(codes.Unauthenticated, "bad token")
		}
		return ctx, nil
	}

	srv := gettingStartedServer(tracing.NewServer(tracing.WithTracerProvider(tp)), metrics.NewServerMetrics(),
		logging.NewServer(logger), authenticate, allowAll{}, demo.NewService(), registry)
	addr := serve(t, srv)

	for _, service := range []string{"", health.Readiness} {
		if code, out := runProbe(t, probe, addr, service); code != 0 {
			t.Errorf("grpc_health_probe -service=%q: exit %d (%s), want 0 (SERVING)", service, code, out)
		}
	}

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	client := demov1.NewDemoServiceClient(conn)
	if _, err := client.Echo(ctx, &demov1.EchoRequest{Message: "hi"}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("Echo without credentials: got %v, want code Unauthenticated", err)
	}
	authorized := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer secret")
	if _, err := client.Echo(authorized, &demov1.EchoRequest{Message: "hi"}); err != nil {
		t.Errorf("Echo with credentials: %v", err)
	}
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatalf("ServerReflectionInfo: %v", err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatalf("reflection: send: %v", err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("reflection without credentials: %v", err)
	}
	var services []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		services = append(services, s.GetName())
	}
	if !strings.Contains(strings.Join(services, " "), "grpc.health.v1.Health") {
		t.Errorf("reflection lists %v, want grpc.health.v1.Health among them", services)
	}
	_ = stream.CloseSend()

	trap := serve(t, authInFront(authenticate, registry))
	if code, out := runProbe(t, probe, trap, ""); code == 0 || !strings.Contains(out, "Unauthenticated") {
		t.Errorf("grpc_health_probe against auth in front of everything: exit %d (%s), want a failure naming Unauthenticated", code, out)
	}
}

// allowAll is a ratelimit.Limiter that limits nothing.
type allowAll struct{}

func (allowAll) Limit(context.Context) error { return nil }

// serve serves srv on a loopback TCP port until the test ends, and returns its address.
func serve(t *testing.T, srv *grpc.Server) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return lis.Addr().String()
}

// probeBinary finds grpc_health_probe on PATH (make puts .bin first) or in the module's .bin
// (make tools builds it there). It fails the test when the tool is missing and
// GRPCOBS_REQUIRE_TOOLS=1, and skips otherwise.
func probeBinary(t *testing.T) string {
	t.Helper()
	if path, err := exec.LookPath("grpc_health_probe"); err == nil {
		return path
	}
	path := filepath.Join(moduleRoot(t), ".bin", "grpc_health_probe")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("GRPCOBS_REQUIRE_TOOLS") == "1" {
			t.Fatalf("grpc_health_probe is required (GRPCOBS_REQUIRE_TOOLS=1) but neither on PATH nor in .bin: %v; `make tools` builds it", err)
		}
		t.Skipf("grpc_health_probe neither on PATH nor in .bin: %v", err)
	}
	return path
}

// runProbe runs grpc_health_probe against addr for service, polling for up to 10 s while the
// registry's first check has not run; it returns the last exit code and output.
func runProbe(t *testing.T, probe, addr, service string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
		out, err := exec.CommandContext(ctx, probe, "-addr="+addr, "-service="+service, "-connect-timeout=5s", "-rpc-timeout=5s").CombinedOutput()
		cancel()
		code := 0
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatalf("run grpc_health_probe: %v", err)
		}
		if code == 0 || time.Now().After(deadline) || strings.Contains(string(out), "Unauthenticated") {
			return code, strings.TrimSpace(string(out))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
