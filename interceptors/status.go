package interceptors

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// numCodes is the number of codes gRPC defines (OK to UNAUTHENTICATED).
const numCodes = int(codes.Unauthenticated) + 1

// StatusPolicy is the status policy: which codes are errors of a call, on each side. It
// decides span status, log level, the error ratio of the status page and error.type on
// OpenTelemetry metrics. The zero value is the default policy (DefaultStatusPolicy); change it
// with NewStatusPolicy. A StatusPolicy is a small value, safe to share, and comparable with ==:
// two policies are equal exactly when they call the same codes errors on each side.
//
// Define a policy once and give the same value to every signal (tracing.WithStatusPolicy,
// logging.WithStatusPolicy, …): the stack refuses, when it is built, signals of one side that
// were given different policies, so that a span and its log line never disagree on whether a
// call failed.
type StatusPolicy struct {
	// server[c] and client[c] are true where the policy departs from the default for code c,
	// so that the zero value is the default and == compares what two policies decide.
	server [numCodes]bool
	client [numCodes]bool
}

// DefaultStatusPolicy is the policy of the OpenTelemetry RPC semantic conventions: on the
// client every code but OK is an error of the call; on the server only the codes that mean the
// server failed are (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE,
// DATA_LOSS); every other code is the caller's problem (a bad argument, a missing entity, a
// cancel). A code outside the known range is an error on both sides. It is StatusPolicy{}.
func DefaultStatusPolicy() StatusPolicy { return StatusPolicy{} }

// defaultIsError is the default policy's answer for a code in gRPC's range.
func defaultIsError(isClient bool, code codes.Code) bool {
	if code == codes.OK {
		return false
	}
	if isClient {
		return true
	}
	switch code {
	case codes.Unknown, codes.DeadlineExceeded, codes.Unimplemented, codes.Internal, codes.Unavailable, codes.DataLoss:
		return true
	}
	return false
}

// StatusPolicyOption changes a StatusPolicy.
type StatusPolicyOption func(*StatusPolicy) error

// NewStatusPolicy returns the default policy with opts applied in order. It fails on OK, which
// is never an error, and on a code outside gRPC's range, naming the option.
func NewStatusPolicy(opts ...StatusPolicyOption) (StatusPolicy, error) {
	p := DefaultStatusPolicy()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&p); err != nil {
			return DefaultStatusPolicy(), err
		}
	}
	return p, nil
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
	cs = slices.Clone(cs)
	return func(p *StatusPolicy) error {
		for _, c := range cs {
			if c == codes.OK || int(c) >= numCodes {
				return fmt.Errorf("interceptors.%s: %v is not a code a policy can change (CANCELLED to UNAUTHENTICATED)", option, c)
			}
		}
		for _, c := range cs {
			departs := isError != defaultIsError(isClient, c)
			if isClient {
				p.client[c] = departs
			} else {
				p.server[c] = departs
			}
		}
		return nil
	}
}

// IsError reports whether a call that ended with code failed, on the client or the server.
func (p StatusPolicy) IsError(isClient bool, code codes.Code) bool {
	if code == codes.OK {
		return false
	}
	if int(code) >= numCodes {
		return true
	}
	departs := p.server[code]
	if isClient {
		departs = p.client[code]
	}
	return defaultIsError(isClient, code) != departs
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

// diff says how p and q differ, naming them a and b: each code one calls an error and the
// other does not, by side; "" when they are equal.
func (p StatusPolicy) diff(a string, q StatusPolicy, b string) string {
	var out []string
	for _, side := range []struct {
		name     string
		isClient bool
	}{{"server", false}, {"client", true}} {
		for c := codes.Code(1); int(c) < numCodes; c++ {
			pe, qe := p.IsError(side.isClient, c), q.IsError(side.isClient, c)
			switch {
			case pe && !qe:
				out = append(out, fmt.Sprintf("%s calls %v an error on the %s, %s does not", a, c, side.name, b))
			case qe && !pe:
				out = append(out, fmt.Sprintf("%s calls %v an error on the %s, %s does not", b, c, side.name, a))
			}
		}
	}
	return strings.Join(out, "; ")
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
