package bench

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// BenchmarkJSONHandlerFloat writes the slog line of a finished server call through slog's
// JSONHandler, with grpc.time_ms as the float grpcobs gives it and, for comparison, as an
// integer, with warm caches and with the caches evicted before each line (a line logged next
// to a real transport finds them cold). JSONHandler writes a float through encoding/json and
// an integer with strconv: warm, the two cost the same; cold, the float costs more than a
// microsecond more, which is the end-to-end difference between grpcobs-full-slog and
// grpcobs-full (docs/BENCHMARKS.md, "Issues 24 and 25, third pass").
func BenchmarkJSONHandlerFloat(b *testing.B) {
	evict := make([]byte, 8<<20)
	for _, cache := range []string{"warm", "cold"} {
		for _, tc := range []struct {
			name  string
			value slog.Value
		}{
			{"float", slog.Float64Value(0.734211)},
			{"int", slog.Int64Value(734)},
		} {
			b.Run("cache="+cache+"/time_ms="+tc.name, func(b *testing.B) {
				handler := slog.NewJSONHandler(io.Discard, nil).WithAttrs([]slog.Attr{
					slog.String("grpc.component", "server"), slog.String("grpc.service", "grpcobs.demo.v1.DemoService"),
					slog.String("grpc.method", "Echo"), slog.String("grpc.method_type", "unary"),
				})
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if cache == "cold" {
						b.StopTimer()
						for i := 0; i < len(evict); i += 64 {
							evict[i]++
						}
						b.StartTimer()
					}
					r := slog.NewRecord(time.Now(), slog.LevelInfo, "finished call", 0)
					r.AddAttrs(slog.String("peer.address", "127.0.0.1:40000"),
						slog.String("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"), slog.String("span_id", "00f067aa0ba902b7"),
						slog.String("grpc.code", "OK"), slog.Attr{Key: "grpc.time_ms", Value: tc.value})
					if err := handler.Handle(ctx, r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
