package interceptors

import (
	"fmt"

	"github.com/grpcobs/grpcobs/interceptors/internal/knownmethods"
	"google.golang.org/grpc"
)

// Stack holds what the stacks built from it share: one known-method set, which decides for
// every signal of every call whether the method is named or folded into the signal's bounded
// "other" value. A method is known when it is registered on the server a call reached, when
// generated code linked into the program declares it, when it is registered on a server given
// to metrics.ServerMetrics.InitializeMetrics, when WithKnownMethods lists it, or when it is
// among the first WithFirstSeenMethods. The package-level ServerOptions, DialOptions and
// interceptors are those of a Stack without options, each with a set of its own.
type Stack struct {
	known *knownmethods.Set
}

// StackOption configures a Stack.
type StackOption func(*stackOptions) error

type stackOptions struct {
	known     []knownmethods.Method
	firstSeen int
}

// NewStack returns a Stack. It fails when an option is given a value it cannot use, naming
// the option.
func NewStack(opts ...StackOption) (*Stack, error) {
	var o stackOptions
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return &Stack{known: knownmethods.New(o.known, o.firstSeen)}, nil
}

// WithKnownMethods makes the listed methods known, full method names as grpc-go gives them
// ("/package.Service/Method"; the leading slash is optional): for methods the server's
// registrations and the linked generated code do not cover, such as a client's calls through
// a dynamic stub. Several calls add up.
func WithKnownMethods(fullMethods ...string) StackOption {
	return func(o *stackOptions) error {
		for _, name := range fullMethods {
			m, err := knownmethods.ParseMethod(name)
			if err != nil {
				return fmt.Errorf("interceptors.WithKnownMethods: %w", err)
			}
			o.known = append(o.known, m)
		}
		return nil
	}
}

// WithFirstSeenMethods makes the first n methods the stack's calls name, of those it does not
// otherwise know, known too (0, the default: none). The first callers then choose names that
// stay for the process's life: use it only where callers are trusted. The last call wins.
func WithFirstSeenMethods(n int) StackOption {
	return func(o *stackOptions) error {
		if err := knownmethods.CheckFirstSeen(n); err != nil {
			return fmt.Errorf("interceptors.WithFirstSeenMethods: %w", err)
		}
		o.firstSeen = n
		return nil
	}
}

// set returns the stack's known-method set; a nil or zero Stack gives each stack built from
// it a set of its own, which knows what a Stack without options knows.
func (s *Stack) set() *knownmethods.Set {
	if s == nil || s.known == nil {
		return knownmethods.New(nil, 0)
	}
	return s.known
}

// ServerOptions is the package's ServerOptions, with s's known methods.
func (s *Stack) ServerOptions(reportables ...ServerReportable) []grpc.ServerOption {
	stack := newServerReportables(reportables, s.set())
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(stack.unaryInterceptor()),
		grpc.ChainStreamInterceptor(stack.streamInterceptor()),
	}
}

// DialOptions is the package's DialOptions, with s's known methods.
func (s *Stack) DialOptions(reportables ...ClientReportable) []grpc.DialOption {
	stack := newClientStack(reportables, s.set())
	return stack.dialOptions()
}

// UnaryServerInterceptor is the package's UnaryServerInterceptor, with s's known methods.
func (s *Stack) UnaryServerInterceptor(reportables ...ServerReportable) grpc.UnaryServerInterceptor {
	stack := newServerReportables(reportables, s.set())
	return stack.unaryInterceptor()
}

// StreamServerInterceptor is the package's StreamServerInterceptor, with s's known methods.
func (s *Stack) StreamServerInterceptor(reportables ...ServerReportable) grpc.StreamServerInterceptor {
	stack := newServerReportables(reportables, s.set())
	return stack.streamInterceptor()
}

// UnaryClientInterceptor is the package's UnaryClientInterceptor, with s's known methods.
func (s *Stack) UnaryClientInterceptor(reportables ...ClientReportable) grpc.UnaryClientInterceptor {
	stack := newClientStack(reportables, s.set())
	return stack.unaryInterceptor()
}

// StreamClientInterceptor is the package's StreamClientInterceptor, with s's known methods.
func (s *Stack) StreamClientInterceptor(reportables ...ClientReportable) grpc.StreamClientInterceptor {
	stack := newClientStack(reportables, s.set())
	return stack.streamInterceptor()
}
