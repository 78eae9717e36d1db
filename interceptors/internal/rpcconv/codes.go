package rpcconv

import (
	"strconv"

	"google.golang.org/grpc/codes"
)

// NumCodes is the number of gRPC codes (OK to UNAUTHENTICATED).
const NumCodes = int(codes.Unauthenticated) + 1

// codeNames are the canonical names of the gRPC codes, as the gRPC specification, the
// semantic conventions and grpc-go's OpenTelemetry plugin spell them (codes.Code's String
// method does not).
var codeNames = [NumCodes]string{
	codes.OK:                 "OK",
	codes.Canceled:           "CANCELLED",
	codes.Unknown:            "UNKNOWN",
	codes.InvalidArgument:    "INVALID_ARGUMENT",
	codes.DeadlineExceeded:   "DEADLINE_EXCEEDED",
	codes.NotFound:           "NOT_FOUND",
	codes.AlreadyExists:      "ALREADY_EXISTS",
	codes.PermissionDenied:   "PERMISSION_DENIED",
	codes.ResourceExhausted:  "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION",
	codes.Aborted:            "ABORTED",
	codes.OutOfRange:         "OUT_OF_RANGE",
	codes.Unimplemented:      "UNIMPLEMENTED",
	codes.Internal:           "INTERNAL",
	codes.Unavailable:        "UNAVAILABLE",
	codes.DataLoss:           "DATA_LOSS",
	codes.Unauthenticated:    "UNAUTHENTICATED",
}

// CodeName is the canonical name of code ("CANCELLED"), or "CODE(n)" for a code outside the
// NumCodes of gRPC, which a peer may send.
func CodeName(code codes.Code) string {
	if int(code) < NumCodes {
		return codeNames[code]
	}
	return "CODE(" + strconv.FormatUint(uint64(code), 10) + ")"
}
