package rpcconv_test

import (
	"math"
	"testing"

	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"google.golang.org/grpc/codes"
)

func TestCodeNames(t *testing.T) {
	want := []string{
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	}
	if len(want) != rpcconv.NumCodes {
		t.Fatalf("NumCodes = %d, want %d", rpcconv.NumCodes, len(want))
	}
	for code, name := range want {
		if got := rpcconv.CodeName(codes.Code(code)); got != name {
			t.Errorf("CodeName(%d) = %q, want %q", code, got, name)
		}
	}
}

// A peer may send any number as its code: it gets a name of its own, never a panic.
func TestCodeNamesOutsideGRPC(t *testing.T) {
	for code, want := range map[codes.Code]string{
		codes.Code(rpcconv.NumCodes): "CODE(17)",
		42:                           "CODE(42)",
		math.MaxUint32:               "CODE(4294967295)",
	} {
		if got := rpcconv.CodeName(code); got != want {
			t.Errorf("CodeName(%d) = %q, want %q", uint32(code), got, want)
		}
	}
}

// Naming a gRPC code costs no allocation: spans and measurements name one per call.
func TestCodeNameAllocatesNothing(t *testing.T) {
	if got := testing.AllocsPerRun(100, func() { _ = rpcconv.CodeName(codes.Unavailable) }); got != 0 {
		t.Errorf("CodeName: %v allocations, want 0", got)
	}
}
