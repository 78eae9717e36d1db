package logging_test

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/grpcobs/grpcobs/interceptors/logging"
)

// The case of issue 21 with the default byte bound (maxBytes 0): 512 lines of 256 KB each,
// written while the output is stalled, once held 131 MB. The writer now holds
// DefaultAsyncWriterBytes at most: 16 such lines (the one being written included), and drops
// and counts the rest; the heap grows by about that much, not by the 128 MB written.
func TestAsyncWriterDefaultBoundHoldsFourMiBOfHugeLines(t *testing.T) {
	const (
		lineBytes = 256 << 10
		lines     = 512
		fit       = logging.DefaultAsyncWriterBytes / lineBytes
	)
	var out bytes.Buffer
	stalled := newStalledStdout(&out)
	w := logging.NewAsyncWriter(stalled, lines, 0)
	line := bytes.Repeat([]byte{'x'}, lineBytes) // reused, as logrus reuses its buffer
	before := liveHeap()
	for range lines {
		if n, err := w.Write(line); n != lineBytes || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	held := liveHeap() - before
	if q := w.QueuedBytes(); q != logging.DefaultAsyncWriterBytes {
		t.Errorf("%d bytes queued, want DefaultAsyncWriterBytes (%d)", q, logging.DefaultAsyncWriterBytes)
	}
	if d := w.Dropped(); d != lines-fit {
		t.Errorf("Dropped = %d, want %d", d, lines-fit)
	}
	// The queued copies, and no more than as much again for everything else the test holds;
	// 128 MB were written.
	if limit := int64(2 * logging.DefaultAsyncWriterBytes); held > limit {
		t.Errorf("the live heap grew by %d bytes while the writer held its lines, want %d at most", held, limit)
	}
	close(stalled.resume)
	if !w.Close(10 * time.Second) {
		t.Fatal("Close did not write the waiting lines")
	}
	if out.Len() != fit*lineBytes || w.QueuedBytes() != 0 || w.Failed() != 0 {
		t.Errorf("wrote %d bytes, QueuedBytes %d, Failed %d; want %d, 0, 0", out.Len(), w.QueuedBytes(), w.Failed(), fit*lineBytes)
	}
}

// liveHeap is the live heap after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
