package interceptors_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestDefaultStatusPolicyIsTheOTelConvention(t *testing.T) {
	serverErrors := map[codes.Code]bool{
		codes.Unknown: true, codes.DeadlineExceeded: true, codes.Unimplemented: true,
		codes.Internal: true, codes.Unavailable: true, codes.DataLoss: true,
	}
	for name, p := range map[string]interceptors.StatusPolicy{
		"DefaultStatusPolicy()": interceptors.DefaultStatusPolicy(),
		"StatusPolicy{}":        {},
		"NewStatusPolicy()":     mustPolicy(t),
	} {
		for c := codes.OK; c <= codes.Unauthenticated; c++ {
			if got, want := p.IsError(true, c), c != codes.OK; got != want {
				t.Errorf("%s: client IsError(%v) = %v, want %v", name, c, got, want)
			}
			if got, want := p.IsError(false, c), serverErrors[c]; got != want {
				t.Errorf("%s: server IsError(%v) = %v, want %v", name, c, got, want)
			}
		}
		if !p.IsError(false, codes.Code(99)) || !p.IsError(true, codes.Code(99)) {
			t.Errorf("%s: an out-of-range code must be an error on both sides", name)
		}
	}
}

func TestCode(t *testing.T) {
	cases := []struct {
		err  error
		want codes.Code
	}{
		{nil, codes.OK},
		{status.Error(codes.NotFound, "x"), codes.NotFound},
		{fmt.Errorf("wrapped: %w", status.Error(codes.Aborted, "x")), codes.Aborted},
		{context.Canceled, codes.Canceled},
		{context.DeadlineExceeded, codes.DeadlineExceeded},
		{errors.New("plain"), codes.Unknown},
		{&interceptors.PanicError{Value: "v"}, codes.Internal},
	}
	for _, tc := range cases {
		if got := interceptors.Code(tc.err); got != tc.want {
			t.Errorf("Code(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
