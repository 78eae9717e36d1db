package rpcconv

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// ServerAttributes are server.address and server.port of a client's target, as the semantic
// conventions require of a client span and measurement, from target, as the client was
// created with it, and canonical, the same with gRPC's default scheme added when it had none
// (grpc.ClientConn.Target and CanonicalTarget); none for an empty target:
//
//	example.com:443           server.address example.com, server.port 443
//	dns:///example.com:443    server.address example.com, server.port 443
//	passthrough:///bufnet     server.address bufnet
//	dns:///[::1]:50051        server.address ::1, server.port 50051
//	unix:///run/app.sock      server.address /run/app.sock
//	unix:relative.sock        server.address relative.sock
//	unix-abstract:name        server.address name
//
// The address is the name the client dialled, not the resolved peer: network.peer.* are for
// that. A port outside 0-65535 is left out.
func ServerAttributes(target, canonical string) []attribute.KeyValue {
	if target == "" {
		return nil
	}
	scheme, endpoint := targetEndpoint(target, canonical)
	if endpoint == "" {
		endpoint = target
	}
	if scheme == "unix" || scheme == "unix-abstract" {
		return []attribute.KeyValue{semconv.ServerAddress(endpoint)}
	}
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		if unbracketed, ok := strings.CutPrefix(endpoint, "["); ok && strings.HasSuffix(unbracketed, "]") {
			endpoint = strings.TrimSuffix(unbracketed, "]") // an IPv6 address without a port
		}
		return []attribute.KeyValue{semconv.ServerAddress(endpoint)}
	}
	attrs := []attribute.KeyValue{semconv.ServerAddress(host)}
	if n, err := strconv.Atoi(port); err == nil && n >= 0 && n <= 65535 {
		attrs = append(attrs, semconv.ServerPort(n))
	}
	return attrs
}

// targetEndpoint splits a target into its scheme, as gRPC resolved it (canonical's), and its
// endpoint: the path of "scheme://authority/endpoint" (a Unix socket's keeps its leading
// slash), the rest of "scheme:endpoint", or all of a target written without a scheme. The
// endpoint is unescaped as gRPC unescapes it.
func targetEndpoint(target, canonical string) (scheme, endpoint string) {
	scheme, _, _ = strings.Cut(canonical, ":")
	if len(target) <= len(scheme) || !strings.EqualFold(target[:len(scheme)+1], scheme+":") {
		return scheme, target
	}
	endpoint = target[len(scheme)+1:]
	if authorityAndPath, ok := strings.CutPrefix(endpoint, "//"); ok {
		_, path, _ := strings.Cut(authorityAndPath, "/")
		endpoint = path
		if scheme == "unix" {
			endpoint = "/" + path
		}
	}
	if unescaped, err := url.PathUnescape(endpoint); err == nil {
		endpoint = unescaped
	}
	return scheme, endpoint
}
