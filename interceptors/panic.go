package interceptors

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// PanicError is how a handler panic reaches the signals: the call ends with code INTERNAL, and
// the signals can tell it apart (errors.As) to record the panic value and stack.
type PanicError struct {
	// Value is what the handler panicked with.
	Value any
	// Stack is the stack of the panicking goroutine.
	Stack []byte
}

// Error includes the panic value, for logs and spans. Callers see only GRPCStatus' message.
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %v", e.Value)
}

// GRPCStatus is what the caller receives: INTERNAL, without the panic value, which may hold
// internal details.
func (e *PanicError) GRPCStatus() *status.Status {
	return status.New(codes.Internal, "internal error: the handler panicked")
}

// RecoverPanic turns a recovered panic value into a *PanicError. It fits go-grpc-middleware's
// recovery.WithRecoveryHandlerContext, so that a recovery interceptor placed inside the stack
// still lets the signals see the panic:
//
//	grpc.ChainUnaryInterceptor(recovery.UnaryServerInterceptor(
//		recovery.WithRecoveryHandlerContext(interceptors.RecoverPanic)))
func RecoverPanic(_ context.Context, value any) error {
	return &PanicError{Value: value, Stack: debug.Stack()}
}

// PanicOf returns the handler panic that err reports, if it reports one: a *PanicError of
// grpcobs' own (an unrecovered panic, or RecoverPanic as the recovery handler), or the
// *recovery.PanicError that go-grpc-middleware's recovery interceptor returns with its default
// handler, given as a *PanicError with the same value and stack. Signals use it to record the
// panic (an exception event, a stack field) whichever recovery produced it. It does not change
// the call's code: with the default recovery handler the caller gets UNKNOWN, and so do the
// signals.
func PanicOf(err error) (*PanicError, bool) {
	if err == nil {
		return nil, false
	}
	var own *PanicError
	if errors.As(err, &own) {
		return own, true
	}
	var recovered *recovery.PanicError
	if errors.As(err, &recovered) {
		return &PanicError{Value: recovered.Panic, Stack: recovered.Stack}, true
	}
	return nil, false
}
