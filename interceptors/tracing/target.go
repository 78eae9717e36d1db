package tracing

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// appendServerAttributes appends server.address and server.port of a client's target, as the
// semantic conventions require of a client span, to attrs. target is the connection's
// canonical target (grpc.ClientConn.CanonicalTarget), "scheme://authority/endpoint":
//
//	dns:///example.com:443    server.address example.com, server.port 443
//	passthrough:///10.0.0.1:7 server.address 10.0.0.1, server.port 7
//	passthrough:///bufnet     server.address bufnet
//	unix:///run/app.sock      server.address /run/app.sock
//
// An empty target (a server, or a call made without the grpcobs interceptors) adds nothing.
func appendServerAttributes(attrs []attribute.KeyValue, target string) []attribute.KeyValue {
	if target == "" {
		return attrs
	}
	endpoint := targetEndpoint(target)
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return append(attrs, semconv.ServerAddress(endpoint))
	}
	attrs = append(attrs, semconv.ServerAddress(host))
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, semconv.ServerPort(n))
	}
	return attrs
}

// targetEndpoint is the endpoint of a gRPC target: the path of "scheme://authority/endpoint"
// (a Unix socket keeps its leading slash), the opaque part of "scheme:endpoint", or the target
// itself when it is a bare host:port or cannot be parsed.
func targetEndpoint(target string) string {
	if _, port, err := net.SplitHostPort(target); err == nil {
		if _, err := strconv.Atoi(port); err == nil {
			return target
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" {
		return target
	}
	endpoint := u.Path
	if u.Scheme != "unix" && u.Scheme != "unix-abstract" {
		endpoint = strings.TrimPrefix(endpoint, "/")
	}
	if endpoint == "" {
		endpoint = u.Opaque
	}
	if endpoint == "" {
		return target
	}
	return endpoint
}
