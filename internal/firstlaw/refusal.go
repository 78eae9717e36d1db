package firstlaw

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
)

// HTTP/2 frame types, flags, setting and error code the refusal needs (RFC 9113).
const (
	frameHeaderLen       = 9
	frameHeaders         = 0x1
	frameRSTStream       = 0x3
	frameSettings        = 0x4
	flagEndStream        = 0x1
	flagSettingsAck      = 0x1
	settingMaxConcurrent = 0x3
	settingUnknown       = 0xf00d // receivers ignore settings they do not know
	errCodeRefusedStream = 0x7
	settingLen           = 6
	rstStreamPayloadLen  = 4
)

// Refusal makes a real grpc-go server refuse one stream before it reaches any handler, the way
// a server at its stream limit does (RST_STREAM with REFUSED_STREAM), so that the client
// transparently retries it. The differential suite and internal/attempts use it.
//
// The server runs with grpc.MaxConcurrentStreams(1) on TCP. The client's connection goes
// through Dial (grpc.WithContextDialer), which hides that limit from the client (it renames the setting to one the client
// ignores), so the client opens a second stream while a first one holds the server's only
// slot, and the server refuses it. The first refusal is held back until the stream holding
// the slot has ended (its trailers have passed, and grpc-go frees the slot before it sends
// them), and OnRefused is called when the refusal arrives, so that the scenario can end that
// stream. The retried stream then finds the slot free: the outcome does not depend on timing.
type Refusal struct {
	// OnRefused is called once, when the first refusal arrives (and is held back).
	OnRefused func()

	mu      sync.Mutex
	refused bool // the first refusal has arrived
}

// Dial connects to addr over TCP and returns the client's side of the connection, its reads
// going through the refusal.
func (r *Refusal) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go r.relay(conn, pw)
	return &relayedConn{Conn: conn, r: pr}, nil
}

// relay copies the server's frames to the client, with the limit hidden and the first
// refusal held back until the next end of a stream.
func (r *Refusal) relay(from net.Conn, to *io.PipeWriter) {
	var held []byte
	for {
		frame, err := readFrame(from)
		if err != nil {
			to.CloseWithError(err)
			return
		}
		typ, flags := frame[3], frame[4]
		payload := frame[frameHeaderLen:]
		switch {
		case typ == frameSettings && flags&flagSettingsAck == 0:
			hideMaxConcurrentStreams(payload)
		case typ == frameRSTStream && len(payload) == rstStreamPayloadLen &&
			binary.BigEndian.Uint32(payload) == errCodeRefusedStream && r.firstRefusal():
			held = frame
			r.OnRefused()
			continue
		}
		if _, err := to.Write(frame); err != nil {
			return
		}
		if held != nil && typ == frameHeaders && flags&flagEndStream != 0 {
			if _, err := to.Write(held); err != nil {
				return
			}
			held = nil
		}
	}
}

func (r *Refusal) firstRefusal() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := !r.refused
	r.refused = true
	return first
}

// readFrame reads one HTTP/2 frame, header and payload.
func readFrame(from io.Reader) ([]byte, error) {
	var header [frameHeaderLen]byte
	if _, err := io.ReadFull(from, header[:]); err != nil {
		return nil, err
	}
	length := int(header[0])<<16 | int(header[1])<<8 | int(header[2])
	frame := make([]byte, frameHeaderLen+length)
	copy(frame, header[:])
	if _, err := io.ReadFull(from, frame[frameHeaderLen:]); err != nil {
		return nil, err
	}
	return frame, nil
}

// hideMaxConcurrentStreams renames SETTINGS_MAX_CONCURRENT_STREAMS in a SETTINGS payload to a
// setting the client ignores.
func hideMaxConcurrentStreams(payload []byte) {
	for i := 0; i+settingLen <= len(payload); i += settingLen {
		if binary.BigEndian.Uint16(payload[i:]) == settingMaxConcurrent {
			binary.BigEndian.PutUint16(payload[i:], settingUnknown)
		}
	}
}

// relayedConn is the client's side of a connection whose reads come through the relay.
type relayedConn struct {
	net.Conn
	r *io.PipeReader
}

func (c *relayedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *relayedConn) Close() error {
	err := c.Conn.Close()
	_ = c.r.Close()
	return err
}
