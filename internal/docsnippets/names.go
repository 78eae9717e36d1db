package docsnippets

// Packages maps each package name the docs' Go blocks use to its import path: the names
// the docs write, aliases included (healthpb, sdktrace, mwlogging, …), so that the blocks
// stay as short as a reader's code and the import a reader needs is one lookup away.
var Packages = map[string]string{
	// The standard library.
	"context": "context",
	"http":    "net/http",
	"os":      "os",
	"slog":    "log/slog",
	"sql":     "database/sql",
	"time":    "time",

	// grpcobs.
	"checks":       "github.com/grpcobs/grpcobs/health/checks",
	"filter":       "github.com/grpcobs/grpcobs/interceptors/filter",
	"health":       "github.com/grpcobs/grpcobs/health",
	"interceptors": "github.com/grpcobs/grpcobs/interceptors",
	"jsonformat":   "github.com/grpcobs/grpcobs/interceptors/logging/jsonformat",
	"logging":      "github.com/grpcobs/grpcobs/interceptors/logging",
	"metrics":      "github.com/grpcobs/grpcobs/interceptors/metrics",
	"otelmetrics":  "github.com/grpcobs/grpcobs/interceptors/otelmetrics",
	"statuspage":   "github.com/grpcobs/grpcobs/interceptors/statuspage",
	"tracing":      "github.com/grpcobs/grpcobs/interceptors/tracing",
	"demov1":       "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1",
	// pb is the reader's own generated code; see package pb.
	"pb": "github.com/grpcobs/grpcobs/internal/docsnippets/pb",

	// grpc-go.
	"codes":       "google.golang.org/grpc/codes",
	"credentials": "google.golang.org/grpc/credentials",
	"grpc":        "google.golang.org/grpc",
	"grpcotel":    "google.golang.org/grpc/stats/opentelemetry",
	"healthpb":    "google.golang.org/grpc/health/grpc_health_v1",
	"metadata":    "google.golang.org/grpc/metadata",
	"reflection":  "google.golang.org/grpc/reflection",
	"stats":       "google.golang.org/grpc/stats",
	"status":      "google.golang.org/grpc/status",

	// go-grpc-middleware v2.
	"auth":      "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth",
	"mwlogging": "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging",
	"ratelimit": "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/ratelimit",
	"recovery":  "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery",
	"selector":  "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector",

	// Prometheus, logrus, OpenTelemetry.
	"autoexport":     "go.opentelemetry.io/contrib/exporters/autoexport",
	"logrus":         "github.com/sirupsen/logrus",
	"otellogrus":     "go.opentelemetry.io/contrib/bridges/otellogrus",
	"otelslog":       "go.opentelemetry.io/contrib/bridges/otelslog",
	"otlpmetricgrpc": "go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc",
	"prometheus":     "github.com/prometheus/client_golang/prometheus",
	"promhttp":       "github.com/prometheus/client_golang/prometheus/promhttp",
	"resource":       "go.opentelemetry.io/otel/sdk/resource",
	"sdklog":         "go.opentelemetry.io/otel/sdk/log",
	"sdkmetric":      "go.opentelemetry.io/otel/sdk/metric",
	"sdktrace":       "go.opentelemetry.io/otel/sdk/trace",
	"trace":          "go.opentelemetry.io/otel/trace",
}
