package logging

import (
	"bytes"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// AsyncWriter is a logger output that never blocks the goroutine that logs. logrus writes a
// line under the logger's lock before the call that logged it returns, so an output that
// blocks (a log shipper that stopped reading stdout, a full pipe) would hold every call.
// Write copies the line into a bounded queue and returns; one goroutine writes the queue to
// the output, in order. When the queue is full, lines are dropped and counted (Dropped), so
// memory stays bounded and calls keep flowing.
//
//	out := logging.NewAsyncWriter(os.Stdout, 4096)
//	defer out.Close(time.Second)
//	logger.SetOutput(out)
type AsyncWriter struct {
	out     io.Writer
	lines   chan []byte
	dropped atomic.Int64
	done    chan struct{}

	mu     sync.RWMutex // held for writing by Close, so no Write sends on a closed queue
	closed bool
}

// NewAsyncWriter returns an AsyncWriter to out that holds at most size lines waiting (at
// least 1), and starts its goroutine; Close stops it.
func NewAsyncWriter(out io.Writer, size int) *AsyncWriter {
	w := &AsyncWriter{out: out, lines: make(chan []byte, max(size, 1)), done: make(chan struct{})}
	go w.run()
	return w
}

// Write queues a copy of p (logrus reuses p once Write returns), or drops it when the queue
// is full. It never blocks, and fails only after Close (os.ErrClosed).
func (w *AsyncWriter) Write(p []byte) (int, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return 0, os.ErrClosed
	}
	select {
	case w.lines <- bytes.Clone(p):
	default:
		w.dropped.Add(1)
	}
	return len(p), nil
}

func (w *AsyncWriter) run() {
	defer close(w.done)
	for line := range w.lines {
		_, _ = w.out.Write(line) // nowhere to report a failure but the output itself
	}
}

// Dropped is how many lines were dropped because the queue was full. Export it (as a
// counter) so that the loss shows.
func (w *AsyncWriter) Dropped() int64 { return w.dropped.Load() }

// Close refuses further lines and writes those that wait, for at most limit; it reports
// whether they were all written. A stalled output thus delays a shutdown by limit at most.
func (w *AsyncWriter) Close(limit time.Duration) bool {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.lines)
	}
	w.mu.Unlock()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-w.done:
		return true
	case <-timer.C:
		return false
	}
}
