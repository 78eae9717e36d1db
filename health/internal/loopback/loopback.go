package loopback

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Handler serves one accepted connection. The peer closes the connection when the handler
// returns, and when the peer stops.
type Handler func(conn net.Conn)

// Discard is a Handler that reads and drops what the client sends until it goes away.
func Discard(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) }

// Peer is a TCP server on a loopback port.
type Peer struct {
	t      testing.TB
	handle Handler
	addr   string

	mu    sync.Mutex
	lis   net.Listener // nil while stopped
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Start listens on 127.0.0.1 on a free port and serves every connection with handle, until
// Stop or the end of the test.
func Start(t testing.TB, handle Handler) *Peer {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	p := &Peer{t: t, handle: handle, addr: lis.Addr().String(), conns: make(map[net.Conn]struct{})}
	p.serve(lis)
	t.Cleanup(p.Stop)
	return p
}

// Addr is the peer's host:port. It stays the same across Stop and Restart.
func (p *Peer) Addr() string { return p.addr }

// Stop closes the listener and every open connection, and waits for the handlers. New
// connections are refused until Restart. Stopping a stopped peer does nothing.
func (p *Peer) Stop() {
	p.mu.Lock()
	if p.lis != nil {
		_ = p.lis.Close()
		p.lis = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Restart listens again on the same address.
func (p *Peer) Restart() {
	p.t.Helper()
	lis, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("listen again on %s: %v", p.addr, err)
	}
	p.serve(lis)
}

func (p *Peer) serve(lis net.Listener) {
	p.mu.Lock()
	p.lis = lis
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			conn, err := lis.Accept()
			if err != nil {
				return // closed by Stop
			}
			if !p.track(conn) {
				_ = conn.Close()
				return
			}
			p.wg.Go(func() {
				defer p.untrack(conn)
				p.handle(conn)
			})
		}
	})
}

// track adds conn to the open connections, unless the peer has stopped meanwhile.
func (p *Peer) track(conn net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lis == nil {
		return false
	}
	p.conns[conn] = struct{}{}
	return true
}

func (p *Peer) untrack(conn net.Conn) {
	_ = conn.Close()
	p.mu.Lock()
	delete(p.conns, conn)
	p.mu.Unlock()
}
