package logging

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAsyncWriterBytes is the bound on the bytes an AsyncWriter holds waiting when
// NewAsyncWriter is given none: 4 MiB, some thousands of ordinary lines.
const DefaultAsyncWriterBytes = 4 << 20

// AsyncWriter is a logger output that never blocks the goroutine that logs. logrus writes a
// line under the logger's lock before the call that logged it returns, so an output that
// blocks (a log shipper that stopped reading stdout, a full pipe) would hold every call.
// Write copies the line into a queue and returns; one goroutine writes the queue to the
// output, in order.
//
// Nothing is lost silently. The queue is bounded in lines and in bytes (a line the client
// made huge counts for its size); a line that does not fit is dropped and counted (Dropped),
// as is a line written after Close, so memory stays bounded and calls keep flowing. A line
// the output fails to write (an error, or a short write) is counted too (Failed). Export both
// as counters so that the loss shows.
//
//	out := logging.NewAsyncWriter(os.Stdout, 4096, logging.DefaultAsyncWriterBytes)
//	defer out.Close(time.Second)
//	logger.SetOutput(out)
type AsyncWriter struct {
	out      io.Writer
	lines    chan []byte
	maxBytes int64
	queued   atomic.Int64 // bytes of the lines queued or being written
	dropped  atomic.Int64
	failed   atomic.Int64
	done     chan struct{}

	mu     sync.RWMutex // held for writing by Close, so no Write sends on a closed queue
	closed bool
}

// NewAsyncWriter returns an AsyncWriter to out, and starts its goroutine; Close stops it. It
// holds at most maxLines lines waiting (at least 1) besides the one being written, and at most
// maxBytes bytes in all, that one included (DefaultAsyncWriterBytes when maxBytes < 1). A line
// longer than maxBytes is always dropped.
func NewAsyncWriter(out io.Writer, maxLines, maxBytes int) *AsyncWriter {
	if maxBytes < 1 {
		maxBytes = DefaultAsyncWriterBytes
	}
	w := &AsyncWriter{
		out: out, lines: make(chan []byte, max(maxLines, 1)), maxBytes: int64(maxBytes), done: make(chan struct{}),
	}
	go w.run()
	return w
}

// Write queues a copy of p (logrus reuses p once Write returns), or drops and counts it when
// it does not fit or the writer is closed. It never blocks, and never returns an error: logrus
// would print one to stderr for every line.
func (w *AsyncWriter) Write(p []byte) (int, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if !w.closed && w.reserve(len(p)) {
		select {
		case w.lines <- bytes.Clone(p):
			return len(p), nil
		default: // the queue is full of lines
			w.queued.Add(-int64(len(p)))
		}
	}
	w.dropped.Add(1)
	return len(p), nil
}

// reserve counts size more bytes queued, if they fit under the bound. The count never goes
// over it, not even for a moment.
func (w *AsyncWriter) reserve(size int) bool {
	for {
		queued := w.queued.Load()
		if queued+int64(size) > w.maxBytes {
			return false
		}
		if w.queued.CompareAndSwap(queued, queued+int64(size)) {
			return true
		}
	}
}

func (w *AsyncWriter) run() {
	defer close(w.done)
	for line := range w.lines {
		if n, err := w.out.Write(line); err != nil || n < len(line) {
			w.failed.Add(1)
		}
		w.queued.Add(-int64(len(line)))
	}
}

// Dropped is how many lines were dropped: the queue was full (in lines or in bytes), or the
// writer was closed.
func (w *AsyncWriter) Dropped() int64 { return w.dropped.Load() }

// Failed is how many lines the output failed to write: it returned an error, or wrote less
// than the line.
func (w *AsyncWriter) Failed() int64 { return w.failed.Load() }

// QueuedBytes is how many bytes of lines wait, the line being written included: at most the
// writer's byte bound.
func (w *AsyncWriter) QueuedBytes() int64 { return w.queued.Load() }

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
