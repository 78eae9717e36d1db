package logging_test

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging"
)

// Lines come out in order; a stalled output delays Close by its limit at most, and a closed
// writer refuses lines.
func TestAsyncWriterKeepsOrderAndBoundsClose(t *testing.T) {
	var out bytes.Buffer
	w := logging.NewAsyncWriter(&out, 8)
	for _, line := range []string{"a\n", "b\n", "c\n"} {
		if n, err := w.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
	}
	if !w.Close(10 * time.Second) {
		t.Fatal("Close did not write the waiting lines")
	}
	if got := out.String(); got != "a\nb\nc\n" {
		t.Errorf("output %q, want the lines in order", got)
	}
	if _, err := w.Write([]byte("late\n")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close = %v, want os.ErrClosed", err)
	}

	stalled := newStalledStdout(&out)
	defer close(stalled.resume) // lets the writer's goroutine end after the test
	w = logging.NewAsyncWriter(stalled, 1)
	_, _ = w.Write([]byte("x\n"))
	<-stalled.stalled // the goroutine waits on the output; the queue is empty
	_, _ = w.Write([]byte("y\n"))
	_, _ = w.Write([]byte("z\n")) // the queue is full
	if got := w.Dropped(); got != 1 {
		t.Errorf("Dropped = %d, want 1", got)
	}
	start := time.Now()
	if w.Close(50 * time.Millisecond) {
		t.Error("Close reported every line written while the output was stalled")
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("Close waited %v on a stalled output, want about its 50ms limit", waited)
	}
}
