package checks

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/grpcobs/grpcobs/health"
)

// TCP returns a checker that passes when a TCP connection to addr (host:port) opens. It
// closes the connection at once and sends nothing.
func TCP(addr string) health.CheckFunc {
	return func(ctx context.Context) error {
		if addr == "" {
			return errors.New("tcp: no address to dial")
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("tcp: %w", err)
		}
		return conn.Close()
	}
}
