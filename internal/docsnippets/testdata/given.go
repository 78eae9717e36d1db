// Package given declares what the docs' Go blocks use without declaring it: the reader's
// program around each block. The test compiles this file into the package of every block that
// is not a whole file (package docsnippets' documentation has the convention).
package given

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/ratelimit"
	"github.com/grpcobs/grpcobs/health"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/grpcobs/grpcobs/interceptors/metrics"
	"github.com/grpcobs/grpcobs/interceptors/tracing"
	"github.com/grpcobs/grpcobs/internal/docsnippets/pb"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// The program's context, providers and registries.
var (
	ctx          context.Context
	tp           *sdktrace.TracerProvider
	mp           *sdkmetric.MeterProvider
	exporter     sdktrace.SpanExporter
	res          *resource.Resource
	logger       *logrus.Logger
	reg          *prometheus.Registry
	promRegistry *prometheus.Registry
)

// Its connections, servers and the way it dials.
var (
	target       string
	creds        credentials.TransportCredentials
	db           *sql.DB
	paymentsConn *grpc.ClientConn
	grpcServer   *grpc.Server
	mux          *http.ServeMux
	adminMux     *http.ServeMux
)

// grpcobs' signals and health, as earlier blocks of the same page build them.
var (
	srvMetrics     *metrics.ServerMetrics
	serverMetrics  *metrics.ServerMetrics
	cliMetrics     *metrics.ClientMetrics
	clientMetrics  *metrics.ClientMetrics
	tracingServer  *tracing.Server
	loggingServer  *logging.Server
	registry       *health.Registry
	healthRegistry *health.Registry
	healthServer   *health.Server
)

// Its own code: services, auth, rate limits, shutdown.
var (
	impl         pb.YourServiceServer
	svc          demov1.DemoServiceServer
	authenticate auth.AuthFunc
	limiter      ratelimit.Limiter
	tenantOf     func(context.Context) string
	sigterm      chan os.Signal
	drain        time.Duration
)

// server is the type of the reader's service implementation.
type server struct{}

// lookUp stands for the reader's own work in a handler.
func (*server) lookUp(context.Context, string) (*pb.User, error) { return &pb.User{}, nil }
