package logging

import (
	"net"
	"sync"
	"sync/atomic"
)

// maxCachedPeers bounds a peerAddresses: past it, the cache starts over.
const maxCachedPeers = 4096

// peerAddresses caches the text of TCP peer addresses. grpc-go gives every call of a
// connection the same *net.TCPAddr, and formatting it costs more than all the other fields of
// the line together; the cache holds each address' text, boxed for a logrus.Fields value.
type peerAddresses struct {
	texts sync.Map // *net.TCPAddr → any holding its String()
	size  atomic.Int64
}

// text returns addr.String(), as a field value.
func (p *peerAddresses) text(addr net.Addr) any {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp == nil {
		return addr.String()
	}
	if v, ok := p.texts.Load(tcp); ok {
		return v
	}
	var text any = tcp.String()
	if p.size.Add(1) > maxCachedPeers {
		p.texts.Clear()
		p.size.Store(1)
	}
	p.texts.Store(tcp, text)
	return text
}
