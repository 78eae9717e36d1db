package knownmethods

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Method is a method as a server registers it and a call names it: the full service name
// ("grpcobs.demo.v1.DemoService") and the method's name ("Echo").
type Method struct {
	Service, Method string
}

// maxNameBytes bounds the "service/method" of a method the Set learns from a call (the first
// seen). Longer names stay unknown: a caller can send kilobytes, and a span name or a label
// value of that size is a cost, not a name. Listed and registered methods have no such bound;
// the program chose them.
const maxNameBytes = 256

// ParseMethod reads a full method name, "package.Service/Method" or "/package.Service/Method"
// (as grpc.Method and info.FullMethod give it). The service and the method must be non-empty,
// contain no '/', and be valid UTF-8.
func ParseMethod(fullMethod string) (Method, error) {
	name := strings.TrimPrefix(fullMethod, "/")
	service, method, ok := strings.Cut(name, "/")
	switch {
	case !ok || service == "" || method == "" || strings.Contains(method, "/"):
		return Method{}, fmt.Errorf("%q is not a full method name (package.Service/Method)", fullMethod)
	case !utf8.ValidString(name):
		return Method{}, fmt.Errorf("%q is not valid UTF-8", fullMethod)
	}
	return Method{Service: service, Method: method}, nil
}

// errNegativeFirstSeen is the reason a negative number of first-seen methods is refused.
var errNegativeFirstSeen = errors.New("the number of first-seen methods must not be negative")

// CheckFirstSeen reports why n cannot be New's firstSeen, or nil.
func CheckFirstSeen(n int) error {
	if n < 0 {
		return fmt.Errorf("%w: %d", errNegativeFirstSeen, n)
	}
	return nil
}

// valid reports whether a name can be known at all: label values and span names must be
// valid UTF-8.
func (m Method) valid() bool {
	return utf8.ValidString(m.Service) && utf8.ValidString(m.Method)
}

// clone copies the names, which may point into a larger buffer of the call's.
func (m Method) clone() Method {
	return Method{Service: strings.Clone(m.Service), Method: strings.Clone(m.Method)}
}
