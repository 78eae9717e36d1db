package tracing

import (
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// appendPeerAttributes adds the server span's view of the connection: the caller's address
// (network.peer.address, network.peer.port) and the server's own (server.address,
// server.port, as otelgrpc sets them).
func (c *core) appendPeerAttributes(attrs []attribute.KeyValue, remote, local net.Addr) []attribute.KeyValue {
	if tcp, ok := remote.(*net.TCPAddr); ok && tcp != nil {
		attrs = append(attrs, semconv.NetworkPeerAddress(c.peerHosts.host(tcp.AddrPort().Addr())))
		if tcp.Port > 0 {
			attrs = append(attrs, semconv.NetworkPeerPort(tcp.Port))
		}
	} else if host, port, ok := splitAddr(remote); ok {
		attrs = append(attrs, semconv.NetworkPeerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.NetworkPeerPort(port))
		}
	}
	return c.localAddrs.appendAttributes(attrs, local)
}

// maxCachedPeerHosts bounds the cache of callers' IP addresses: past it, an address is
// spelled anew for each call.
const maxCachedPeerHosts = 1024

// peerHostCache keeps the spelling of the callers' IP addresses (network.peer.address), so
// that a call from a known caller does not format its address again. It is keyed by IP alone,
// not by port: callers are far fewer than their connections.
type peerHostCache struct {
	hosts sync.Map // netip.Addr -> string
	size  atomic.Int32
}

func (c *peerHostCache) host(ip netip.Addr) string {
	if cached, ok := c.hosts.Load(ip); ok {
		return cached.(string)
	}
	host := addrString(ip)
	if c.size.Load() < maxCachedPeerHosts {
		if _, loaded := c.hosts.LoadOrStore(ip, host); !loaded {
			c.size.Add(1)
		}
	}
	return host
}

// maxCachedLocalAddrs bounds the cache of the server's own addresses: a server listens on
// few, but nothing must grow without bound.
const maxCachedLocalAddrs = 64

// localAddrCache keeps the server.* attributes of the server's own TCP addresses: every call
// on every connection to the same listener has the same ones.
type localAddrCache struct {
	attrs sync.Map // netip.AddrPort -> []attribute.KeyValue
	size  atomic.Int32
}

// appendAttributes appends the server.* attributes of local to attrs.
func (c *localAddrCache) appendAttributes(attrs []attribute.KeyValue, local net.Addr) []attribute.KeyValue {
	tcp, isTCP := local.(*net.TCPAddr)
	if isTCP && tcp != nil {
		if cached, ok := c.attrs.Load(tcp.AddrPort()); ok {
			return append(attrs, cached.([]attribute.KeyValue)...)
		}
	}
	host, port, ok := splitAddr(local)
	if !ok {
		return attrs
	}
	n := len(attrs)
	attrs = append(attrs, semconv.ServerAddress(host))
	if port > 0 {
		attrs = append(attrs, semconv.ServerPort(port))
	}
	if isTCP && tcp != nil && c.size.Load() < maxCachedLocalAddrs {
		if _, loaded := c.attrs.LoadOrStore(tcp.AddrPort(), slices.Clone(attrs[n:])); !loaded {
			c.size.Add(1)
		}
	}
	return attrs
}

// splitAddr returns an address' host and port (0 when it has none).
func splitAddr(addr net.Addr) (host string, port int, ok bool) {
	switch a := addr.(type) {
	case nil:
		return "", 0, false
	case *net.TCPAddr:
		if a == nil {
			return "", 0, false
		}
		return addrString(a.AddrPort().Addr()), a.Port, true
	case *net.UnixAddr:
		if a == nil {
			return "", 0, false
		}
		return a.Name, 0, a.Name != ""
	}
	s := addr.String()
	if !strings.Contains(s, ":") {
		return s, 0, s != "" // a name without a port, such as bufconn's
	}
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return s, 0, true
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 65535 {
		n = 0
	}
	return h, n, true
}

// addrString spells an IP address as semconv asks: IPv4 in dotted form also when it came as
// an IPv4-mapped IPv6 address, IPv6 with its zone.
func addrString(a netip.Addr) string {
	return a.Unmap().String()
}
