package logging

import (
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
)

// DefaultLevel is the level of a call that ended with code, from grpcobs' shared status policy
// (interceptors.IsError), on servers and clients alike: OK is info; the codes that mean the
// server failed (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS,
// and any code outside the known range) are error; every other code is the caller's problem
// (INVALID_ARGUMENT, NOT_FOUND, CANCELED, PERMISSION_DENIED, …) and is warn.
func DefaultLevel(code codes.Code) logrus.Level {
	switch {
	case code == codes.OK:
		return logrus.InfoLevel
	case interceptors.IsError(false, code):
		return logrus.ErrorLevel
	default:
		return logrus.WarnLevel
	}
}

// level is the level of a line for a call that ended with code.
func (o *options) level(code codes.Code) logrus.Level {
	if l, ok := o.codeLevels[code]; ok {
		return l
	}
	return o.levels(code)
}
