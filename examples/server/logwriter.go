package main

import (
	"bytes"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// asyncWriter is the logger's output: Write queues a copy of the line and returns, and one
// goroutine writes the queue to out. A stalled stdout (a log shipper that stopped reading)
// then delays the lines, never a call or the shutdown. When size lines wait, further lines
// are dropped and counted.
type asyncWriter struct {
	out     io.Writer
	lines   chan []byte
	dropped atomic.Int64
	done    chan struct{}

	mu     sync.RWMutex
	closed bool
}

func newAsyncWriter(out io.Writer, size int) *asyncWriter {
	w := &asyncWriter{out: out, lines: make(chan []byte, size), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *asyncWriter) Write(p []byte) (int, error) {
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

func (w *asyncWriter) run() {
	defer close(w.done)
	for line := range w.lines {
		_, _ = w.out.Write(line)
	}
}

// Close writes what waits, for at most limit, and reports whether everything was written.
func (w *asyncWriter) Close(limit time.Duration) bool {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.lines)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return true
	case <-time.After(limit):
		return false
	}
}
