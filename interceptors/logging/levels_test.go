package logging_test

import (
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// policyLevels is the default level of each code on a server, written out from the status
// policy: OK is info, server failures are error, the caller's problems are warn. On a client
// every code but OK is error (clientLevel).
var policyLevels = map[codes.Code]logrus.Level{
	codes.OK:                 logrus.InfoLevel,
	codes.Canceled:           logrus.WarnLevel,
	codes.Unknown:            logrus.ErrorLevel,
	codes.InvalidArgument:    logrus.WarnLevel,
	codes.DeadlineExceeded:   logrus.ErrorLevel,
	codes.NotFound:           logrus.WarnLevel,
	codes.AlreadyExists:      logrus.WarnLevel,
	codes.PermissionDenied:   logrus.WarnLevel,
	codes.ResourceExhausted:  logrus.WarnLevel,
	codes.FailedPrecondition: logrus.WarnLevel,
	codes.Aborted:            logrus.WarnLevel,
	codes.OutOfRange:         logrus.WarnLevel,
	codes.Unimplemented:      logrus.ErrorLevel,
	codes.Internal:           logrus.ErrorLevel,
	codes.Unavailable:        logrus.ErrorLevel,
	codes.DataLoss:           logrus.ErrorLevel,
	codes.Unauthenticated:    logrus.WarnLevel,
	codes.Code(99):           logrus.ErrorLevel,
}

// clientLevel is the default level of a client call that ended with code.
func clientLevel(code codes.Code) logrus.Level {
	if code == codes.OK {
		return logrus.InfoLevel
	}
	return logrus.ErrorLevel
}

// wantLevel is the default level of a call that ended with code, on a side.
func wantLevel(component any, code codes.Code) logrus.Level {
	if component == "client" {
		return clientLevel(code)
	}
	return policyLevels[code]
}

func TestPolicyLevel(t *testing.T) {
	policy := interceptors.DefaultStatusPolicy()
	for code, want := range policyLevels {
		if got := logging.PolicyLevel(policy, false, code); got != want {
			t.Errorf("server PolicyLevel(%v) = %v, want %v", code, got, want)
		}
		if got, want := logging.PolicyLevel(policy, true, code), clientLevel(code); got != want {
			t.Errorf("client PolicyLevel(%v) = %v, want %v", code, got, want)
		}
	}
	relaxed, err := interceptors.NewStatusPolicy(interceptors.NotErrorsOnClient(codes.NotFound), interceptors.ErrorsOnServer(codes.ResourceExhausted))
	if err != nil {
		t.Fatal(err)
	}
	if got := logging.PolicyLevel(relaxed, true, codes.NotFound); got != logrus.WarnLevel {
		t.Errorf("client NotFound under NotErrorsOnClient(NotFound) at %v, want warn", got)
	}
	if got := logging.PolicyLevel(relaxed, false, codes.ResourceExhausted); got != logrus.ErrorLevel {
		t.Errorf("server ResourceExhausted under ErrorsOnServer at %v, want error", got)
	}
}

func TestEveryCodeIsLoggedAtItsPolicyLevelOnBothSides(t *testing.T) {
	r := startRig(t, rigConfig{})
	for code := codes.OK; code <= codes.Unauthenticated; code++ {
		err := callEcho(noDeadline(t), r.Demo(), int32(code))
		if got := status.Code(err); got != code {
			t.Fatalf("Echo with fail_code %d ended with %v", code, err)
		}
	}
	n := int(codes.Unauthenticated) + 1
	for _, log := range []*logbook{r.serverLog, r.clientLog} {
		for i, e := range log.wait(t, n) {
			code := codes.Code(i)
			if got, want := e.Data["grpc.code"], code.String(); got != want {
				t.Fatalf("line %d has grpc.code %v, want %v", i, got, want)
			}
			if want := wantLevel(e.Data["grpc.component"], code); e.Level != want {
				t.Errorf("%s line of a call ending with %v at %v, want %v", e.Data["grpc.component"], code, e.Level, want)
			}
		}
	}
}

func TestLevelsAreConfigurablePerCode(t *testing.T) {
	r := startRig(t, rigConfig{serverOpts: []logging.Option{
		logging.WithLevels(func(code codes.Code) logrus.Level {
			if code == codes.OK {
				return logrus.DebugLevel
			}
			return logrus.ErrorLevel
		}),
		logging.WithCodeLevel(codes.NotFound, logrus.TraceLevel),
		logging.WithCodeLevel(codes.NotFound, logrus.InfoLevel), // the last one wins
		logging.WithLevels(nil),                                 // ignored
	}})
	for _, code := range []codes.Code{codes.OK, codes.NotFound, codes.InvalidArgument} {
		_ = callEcho(noDeadline(t), r.Demo(), int32(code))
	}
	want := []logrus.Level{logrus.DebugLevel, logrus.InfoLevel, logrus.ErrorLevel}
	for i, e := range r.serverLog.wait(t, len(want)) {
		if e.Level != want[i] {
			t.Errorf("call ending with %v logged at %v, want %v", e.Data["grpc.code"], e.Level, want[i])
		}
	}
}

func TestLinesBelowTheLoggerLevelAreNotLogged(t *testing.T) {
	r := startRig(t, rigConfig{})
	r.serverLog.SetLevel(logrus.WarnLevel)
	_ = callEcho(noDeadline(t), r.Demo(), 0)
	_ = callEcho(noDeadline(t), r.Demo(), int32(codes.NotFound))
	r.clientLog.wait(t, 2) // both calls are over
	entries := r.serverLog.all()
	if len(entries) != 1 || entries[0].Data["grpc.code"] != "NotFound" {
		t.Errorf("server logged %d lines, want only the NotFound call's:\n%s", len(entries), describe(entries))
	}
}
