package metrics

import (
	"context"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
)

// A call's Reporter (a methodSeries, or a sampledReporter embedding one) reports its attempts
// too, with WithAttempts: counting an attempt needs nothing but the method's series, so the
// series is also the attempt's AttemptEnder and an attempt allocates nothing here.
var (
	_ signal.AttemptReporter = (*methodSeries)(nil)
	_ signal.AttemptEnder    = (*methodSeries)(nil)
)

// StartAttempt returns the series, which counts the attempt when it ends; ctx is returned
// as it is.
func (s *methodSeries) StartAttempt(ctx context.Context, _ time.Time) (signal.AttemptEnder, context.Context) {
	return s, ctx
}

// AttemptMade does nothing: an attempt is counted when it ends, with its code.
func (*methodSeries) AttemptMade(int, bool) {}

// AttemptAbandoned does nothing: grpc-go never made the attempt.
func (*methodSeries) AttemptAbandoned(time.Time) {}

// AttemptEnded counts the attempt under its code in grpc_client_attempts_total.
func (s *methodSeries) AttemptEnded(err error, _ time.Time) {
	if s.attemptsVec != nil {
		s.codeCounter(s.attemptsVec, &s.attempts, codeIndex(interceptors.Code(err))).Inc()
	}
}
