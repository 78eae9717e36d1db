package logging

import (
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
)

// PolicyLevel is the default level of a call that ended with code, on the client or the
// server, from a status policy: OK is info; a code the policy calls an error on that side is
// error; any other code is warn. Under the default policy a server logs the codes that mean it
// failed (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS) at error
// and the caller's problems (INVALID_ARGUMENT, NOT_FOUND, CANCELED, …) at warn, and a client
// logs every code but OK at error: whatever the reason, its call failed.
func PolicyLevel(policy interceptors.StatusPolicy, isClient bool, code codes.Code) logrus.Level {
	switch {
	case code == codes.OK:
		return logrus.InfoLevel
	case policy.IsError(isClient, code):
		return logrus.ErrorLevel
	default:
		return logrus.WarnLevel
	}
}

// level is the level of a line for a call that ended with code.
func (o *options) level(isClient bool, code codes.Code) logrus.Level {
	if l, ok := o.codeLevels[code]; ok {
		return l
	}
	if o.levels != nil {
		return o.levels(code)
	}
	return PolicyLevel(o.policy, isClient, code)
}
