package checks

import (
	"context"
	"errors"
	"fmt"

	"github.com/grpcobs/grpcobs/health"
)

// Pinger is what SQL needs: *sql.DB, *sql.Conn and most database clients have it.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// SQL returns a checker that passes when db.PingContext does. With a *sql.DB the ping takes
// a connection from the pool, opening one if needed, so it fails when the database cannot
// be reached.
func SQL(db Pinger) health.CheckFunc {
	return func(ctx context.Context) error {
		if isNil(db) {
			return errors.New("sql: no database to ping")
		}
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("sql ping: %w", err)
		}
		return nil
	}
}
