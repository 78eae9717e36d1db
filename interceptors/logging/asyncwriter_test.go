package logging_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging"
	"github.com/sirupsen/logrus"
)

// Lines come out in order; a stalled output delays Close by its limit at most; a full queue
// drops and counts.
func TestAsyncWriterKeepsOrderAndBoundsClose(t *testing.T) {
	var out bytes.Buffer
	w := logging.NewAsyncWriter(&out, 8, 0)
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
	if w.Dropped() != 0 || w.Failed() != 0 || w.QueuedBytes() != 0 {
		t.Errorf("Dropped, Failed, QueuedBytes = %d, %d, %d after every line was written, want 0, 0, 0", w.Dropped(), w.Failed(), w.QueuedBytes())
	}

	stalled := newStalledStdout(&out)
	defer close(stalled.resume) // lets the writer's goroutine end after the test
	w = logging.NewAsyncWriter(stalled, 1, 0)
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

// failingOutput fails every write, or every other one, or writes half of each line and says
// so (a short write).
type failingOutput struct {
	out  bytes.Buffer
	mode string
	n    int
}

func (f *failingOutput) Write(p []byte) (int, error) {
	f.n++
	switch {
	case f.mode == "every write fails":
		return 0, errors.New("disk full")
	case f.mode == "every other write fails" && f.n%2 == 0:
		return 0, errors.New("disk full")
	case f.mode == "short writes":
		return f.out.Write(p[:len(p)/2])
	}
	return f.out.Write(p)
}

// An output that fails loses lines; the writer counts every one of them.
func TestAsyncWriterCountsFailedWrites(t *testing.T) {
	const lines = 2000
	for _, tc := range []struct {
		mode       string
		wantFailed int64
		wantOut    string // of the first four lines
	}{
		{"every write fails", lines, ""},
		{"every other write fails", lines / 2, "0000\n0002\n0004\n0006\n"},
		{"short writes", lines, "00000000"}, // "00" of each of "0000\n", "0001\n"…
	} {
		t.Run(tc.mode, func(t *testing.T) {
			out := &failingOutput{mode: tc.mode}
			w := logging.NewAsyncWriter(out, lines, 0)
			for i := range lines {
				_, _ = fmt.Fprintf(w, "%04d\n", i)
			}
			if !w.Close(10 * time.Second) {
				t.Fatal("Close did not finish")
			}
			if w.Failed() != tc.wantFailed || w.Dropped() != 0 {
				t.Errorf("Failed, Dropped = %d, %d, want %d, 0", w.Failed(), w.Dropped(), tc.wantFailed)
			}
			if got := out.out.String(); !strings.HasPrefix(got, tc.wantOut) {
				t.Errorf("output starts %.20q, want %q", got, tc.wantOut)
			}
		})
	}
}

// A line whose error field or payload echoes what a client sent can be huge: the queue holds at
// most its byte bound, whatever the lines' sizes, and drops and counts what does not fit.
func TestAsyncWriterBoundsTheBytesItHolds(t *testing.T) {
	const (
		lineBytes = 256 << 10
		maxBytes  = 1 << 20 // four such lines
		lines     = 512
	)
	var out bytes.Buffer
	stalled := newStalledStdout(&out)
	w := logging.NewAsyncWriter(stalled, lines, maxBytes)
	line := make([]byte, lineBytes) // reused, as logrus reuses its buffer
	for i := range lines {
		if i <= 4 {
			copy(line, bytes.Repeat([]byte{byte('a' + i)}, lineBytes))
		}
		if n, err := w.Write(line); n != lineBytes || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		if q := w.QueuedBytes(); q > maxBytes {
			t.Fatalf("after %d lines of 256 KB, %d bytes queued, want %d at most", i+1, q, maxBytes)
		}
	}
	if _, err := w.Write(make([]byte, 2*maxBytes)); err != nil { // longer than the bound: never fits
		t.Fatalf("Write = %v", err)
	}
	if q := w.QueuedBytes(); q != maxBytes {
		t.Errorf("%d bytes queued, want %d: four lines, the one being written included", q, maxBytes)
	}
	if d := w.Dropped(); d != lines-4+1 {
		t.Errorf("Dropped = %d, want %d", d, lines-4+1)
	}
	close(stalled.resume)
	if !w.Close(10 * time.Second) {
		t.Fatal("Close did not write the waiting lines")
	}
	if want := strings.Repeat("a", lineBytes) + strings.Repeat("b", lineBytes) + strings.Repeat("c", lineBytes) + strings.Repeat("d", lineBytes); out.String() != want {
		t.Errorf("output of %d bytes, want the first four lines, in order", out.Len())
	}
	if w.QueuedBytes() != 0 || w.Failed() != 0 {
		t.Errorf("QueuedBytes, Failed = %d, %d once written, want 0, 0", w.QueuedBytes(), w.Failed())
	}
}

// Writers logging while the writer closes: every line is written, dropped or failed, and
// counted; each writer's lines come out in its order.
func TestAsyncWriterAccountsForEveryLineUnderConcurrency(t *testing.T) {
	const writers, perWriter = 8, 500
	out := &countingOutput{last: map[int]int{}, twenty: make(chan struct{})}
	const maxBytes = 200 // some 30 lines of 6 to 8 bytes: fewer than the 64 lines the queue takes
	w := logging.NewAsyncWriter(out, 64, maxBytes)
	var wg sync.WaitGroup
	watching := make(chan int64)
	go func() { // reads the queued bytes while lines come and go
		var most int64
		for !out.ended() {
			most = max(most, w.QueuedBytes())
			runtime.Gosched()
		}
		watching <- most
	}()
	for g := range writers {
		wg.Go(func() {
			for i := range perWriter {
				_, _ = fmt.Fprintf(w, "%d %d\n", g, i)
			}
		})
	}
	<-out.twenty // lines are dropped only once some 25 wait: twenty of them reach the output
	if !w.Close(10 * time.Second) {
		t.Fatal("Close did not finish")
	}
	wg.Wait()
	out.end()
	if most := <-watching; most > maxBytes {
		t.Errorf("%d bytes queued at one moment, want %d at most", most, maxBytes)
	}
	written, disordered := out.result()
	if disordered != "" {
		t.Error(disordered)
	}
	if total := int64(written) + w.Dropped() + w.Failed(); total != writers*perWriter {
		t.Errorf("written %d + dropped %d + failed %d = %d, want every one of the %d lines",
			written, w.Dropped(), w.Failed(), total, writers*perWriter)
	}
	if w.Failed() == 0 {
		t.Error("Failed = 0, want the lines the output refused")
	}
}

// countingOutput counts the lines written, fails one in ten, and checks each writer's lines
// arrive in order.
type countingOutput struct {
	mu         sync.Mutex
	n, written int
	last       map[int]int
	disordered string
	twenty     chan struct{} // closed at the twentieth line
	done       bool
}

func (c *countingOutput) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = true
}

func (c *countingOutput) ended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

func (c *countingOutput) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var g, i int
	if _, err := fmt.Sscanf(string(p), "%d %d\n", &g, &i); err != nil {
		c.disordered = fmt.Sprintf("line %q is not one that was written", p)
	}
	if last, ok := c.last[g]; ok && i <= last && c.disordered == "" {
		c.disordered = fmt.Sprintf("writer %d: line %d after line %d", g, i, last)
	}
	c.last[g] = i
	if c.n++; c.n == 20 {
		close(c.twenty)
	}
	if c.n%10 == 0 {
		return 0, errors.New("refused")
	}
	c.written++
	return len(p), nil
}

func (c *countingOutput) result() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written, c.disordered
}

// After Close, a logger's lines are dropped and counted: Write does not fail, so logrus does
// not print "Failed to write to log" on stderr for each one. A child process logs 1,000 lines
// through a closed writer; its stderr stays empty.
func TestAsyncWriterAfterCloseCountsWithoutPrinting(t *testing.T) {
	if os.Getenv("ASYNCWRITER_CHILD") == "1" {
		w := logging.NewAsyncWriter(io.Discard, 16, 0)
		w.Close(time.Second)
		logger := logrus.New()
		logger.SetOutput(w)
		for range 1000 {
			logger.Info("late line")
		}
		fmt.Println("dropped", w.Dropped())
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAsyncWriterAfterCloseCountsWithoutPrinting$")
	cmd.Env = append(os.Environ(), "ASYNCWRITER_CHILD=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "dropped 1000\n") {
		t.Errorf("child's stdout %q, want dropped 1000", stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("child's stderr has %d bytes, want none: %.200q", stderr.Len(), stderr.String())
	}
}
