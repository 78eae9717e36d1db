package interceptors

import (
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// numCodes is the number of codes gRPC defines (OK to UNAUTHENTICATED).
const numCodes = int(codes.Unauthenticated) + 1

// StatusPolicy is the status policy: which codes are errors of a call, on each side. It
// decides span status, log level, the error ratio of the status page and error.type on
// OpenTelemetry metrics. The zero value is not a policy: start from DefaultStatusPolicy or
// NewStatusPolicy. A StatusPolicy is a small value, comparable with ==, and safe to share.
//
// Define a policy once and give the same value to every signal (tracing.WithStatusPolicy,
// logging.WithStatusPolicy, …): the stack refuses, when it is built, signals of one side that
// were given different policies, so that a span and its log line never disagree on whether a
// call failed.
type StatusPolicy struct {
	set    bool
	server [numCodes]bool
	client [numCodes]bool
}

// DefaultStatusPolicy is the policy of the OpenTelemetry RPC semantic conventions: on the
// client every code but OK is an error of the call; on the server only the codes that mean the
// server failed are (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE,
// DATA_LOSS); every other code is the caller's problem (a bad argument, a missing entity, a
// cancel). A code outside the known range is an error on both sides.
func DefaultStatusPolicy() StatusPolicy {
	p := StatusPolicy{set: true}
	for c := 1; c < numCodes; c++ {
		p.client[c] = true
	}
	for _, c := range []codes.Code{codes.Unknown, codes.DeadlineExceeded, codes.Unimplemented, codes.Internal, codes.Unavailable, codes.DataLoss} {
		p.server[c] = true
	}
	return p
}

// StatusPolicyOption changes a StatusPolicy.
type StatusPolicyOption func(*StatusPolicy)

// NewStatusPolicy returns the default policy with opts applied in order. It panics on OK,
// which is never an error, and on a code outside gRPC's range, naming the option.
func NewStatusPolicy(opts ...StatusPolicyOption) StatusPolicy {
	p := DefaultStatusPolicy()
	for _, o := range opts {
		if o != nil {
			o(&p)
		}
	}
	return p
}

// NotErrorsOnServer makes codes not errors on the server, for example codes.Unimplemented on a
// server that many clients probe for optional methods.
func NotErrorsOnServer(cs ...codes.Code) StatusPolicyOption {
	return setCodes("NotErrorsOnServer", cs, false, false)
}

// ErrorsOnServer makes codes errors on the server, for example codes.ResourceExhausted on a
// server whose quota exhaustion is its own failure.
func ErrorsOnServer(cs ...codes.Code) StatusPolicyOption {
	return setCodes("ErrorsOnServer", cs, false, true)
}

// NotErrorsOnClient makes codes not errors on the client, for example codes.NotFound for a
// client whose lookups miss as a matter of course.
func NotErrorsOnClient(cs ...codes.Code) StatusPolicyOption {
	return setCodes("NotErrorsOnClient", cs, true, false)
}

func setCodes(option string, cs []codes.Code, isClient, isError bool) StatusPolicyOption {
	for _, c := range cs {
		if c == codes.OK || int(c) >= numCodes {
			panic(fmt.Sprintf("interceptors.%s: %v is not a code a policy can change (CANCELLED to UNAUTHENTICATED)", option, c))
		}
	}
	return func(p *StatusPolicy) {
		for _, c := range cs {
			if isClient {
				p.client[c] = isError
			} else {
				p.server[c] = isError
			}
		}
	}
}

// IsError reports whether a call that ended with code failed, on the client or the server. A
// zero StatusPolicy answers as the default one.
func (p StatusPolicy) IsError(isClient bool, code codes.Code) bool {
	if code == codes.OK {
		return false
	}
	if int(code) >= numCodes {
		return true
	}
	if !p.set {
		return defaultPolicy.IsError(isClient, code)
	}
	if isClient {
		return p.client[code]
	}
	return p.server[code]
}

// String lists the codes the policy calls errors on each side.
func (p StatusPolicy) String() string {
	var server, client []codes.Code
	for c := 1; c < numCodes; c++ {
		if p.IsError(false, codes.Code(c)) {
			server = append(server, codes.Code(c))
		}
		if p.IsError(true, codes.Code(c)) {
			client = append(client, codes.Code(c))
		}
	}
	return fmt.Sprintf("server errors %v, client errors %v", server, client)
}

var defaultPolicy = DefaultStatusPolicy()

// IsError is the default status policy (DefaultStatusPolicy) that every grpcobs signal follows
// unless given another: on the client every code but OK is an error; on the server only
// UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS are. A code
// outside the known range is an error on both sides.
func IsError(isClient bool, code codes.Code) bool {
	return defaultPolicy.IsError(isClient, code)
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
