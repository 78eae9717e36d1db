package checks_test

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/grpcobs/grpcobs/health/checks"
	"github.com/grpcobs/grpcobs/health/internal/loopback"
)

// The database of these tests is a real database/sql *sql.DB whose driver connections are
// TCP connections to a loopback peer that answers "ping" with "pong": kill the peer and
// PingContext fails as it would with a database that went away.

// pingServer answers each "ping" line with "pong".
func pingServer(conn net.Conn) {
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		if lines.Text() != "ping" {
			return
		}
		if _, err := conn.Write([]byte("pong\n")); err != nil {
			return
		}
	}
}

// pingConnector opens driver connections to the ping server at addr.
type pingConnector struct{ addr string }

func (c pingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	return &pingConn{conn: conn, lines: bufio.NewReader(conn)}, nil
}

func (c pingConnector) Driver() driver.Driver { return pingDriver{} }

type pingDriver struct{}

func (pingDriver) Open(addr string) (driver.Conn, error) {
	return pingConnector{addr: addr}.Connect(context.Background())
}

// pingConn is a driver connection that can only ping.
type pingConn struct {
	conn  net.Conn
	lines *bufio.Reader
}

var _ driver.Pinger = (*pingConn)(nil)

func (c *pingConn) Ping(ctx context.Context) error {
	if deadline, ok := ctx.Deadline(); ok {
		_ = c.conn.SetDeadline(deadline)
	}
	if _, err := c.conn.Write([]byte("ping\n")); err != nil {
		return driver.ErrBadConn
	}
	line, err := c.lines.ReadString('\n')
	if err != nil {
		return driver.ErrBadConn // database/sql retries on a new connection
	}
	if line != "pong\n" {
		return errors.New("unexpected answer " + strings.TrimSpace(line))
	}
	return nil
}

func (c *pingConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("ping only") }
func (c *pingConn) Close() error                        { return c.conn.Close() }
func (c *pingConn) Begin() (driver.Tx, error)           { return nil, errors.New("ping only") }

func TestSQLPingsARealDatabaseSQLPool(t *testing.T) {
	peer := loopback.Start(t, pingServer)
	db := sql.OpenDB(pingConnector{addr: peer.Addr()})
	t.Cleanup(func() { _ = db.Close() })
	check := checks.SQL(db)

	if err := check(checkContext(t)); err != nil {
		t.Fatalf("while the database answers: %v", err)
	}
	if got := db.Stats().OpenConnections; got != 1 {
		t.Fatalf("open connections = %d, want 1 (the ping goes over a real pooled connection)", got)
	}

	peer.Stop() // closes the pooled connection too
	// The first ping goes over the pooled connection, which the peer closed; database/sql
	// drops it. The next one has to dial, and finds nobody.
	wantError(t, "first ping once the database died", check(checkContext(t)), "sql ping: driver: bad connection")
	err := check(checkContext(t))
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("once the database died: error %v, want connection refused", err)
	}
	wantError(t, "once the database died", err, "sql ping: dial tcp "+peer.Addr()+": connect: connection refused")

	peer.Restart()
	if err := check(checkContext(t)); err != nil {
		t.Fatalf("once the database is back: %v", err)
	}
}

func TestSQLWithoutADatabase(t *testing.T) {
	const want = "sql: no database to ping"
	wantError(t, "nil interface", checks.SQL(nil)(checkContext(t)), want)
	var db *sql.DB
	wantError(t, "nil *sql.DB", checks.SQL(db)(checkContext(t)), want)
}
