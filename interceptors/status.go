package interceptors

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// serverErrorCodes is the server half of the status policy: the codes that mean the server
// failed, after the OpenTelemetry RPC semantic conventions. Every other code is the caller's
// problem (a bad argument, a missing entity, a cancel) and not a server error.
var serverErrorCodes = [codes.Unauthenticated + 1]bool{
	codes.Unknown:          true,
	codes.DeadlineExceeded: true,
	codes.Unimplemented:    true,
	codes.Internal:         true,
	codes.Unavailable:      true,
	codes.DataLoss:         true,
}

// IsError is the status policy that every grpcobs signal shares: it decides span status, log
// level and the error flag of a call that ended with code. On the client every code but OK is
// an error; on the server only UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE
// and DATA_LOSS are. A code outside the known range is an error on both sides.
func IsError(isClient bool, code codes.Code) bool {
	if code == codes.OK {
		return false
	}
	if isClient {
		return true
	}
	if int(code) >= len(serverErrorCodes) {
		return true
	}
	return serverErrorCodes[code]
}

// Code is the gRPC code a call that ended with err reports, as grpc-go itself would send it:
// OK for nil, the status' code for a status error, CANCELED or DEADLINE_EXCEEDED for a context
// error, and UNKNOWN for anything else.
func Code(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	if s, ok := status.FromError(err); ok {
		return s.Code()
	}
	return status.FromContextError(err).Code()
}
