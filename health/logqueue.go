package health

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
)

// logQueueSize bounds how many log lines wait to be written. Health logs a few lines per
// transition, so the queue fills only when the writer has been stuck for a long while.
const logQueueSize = 1024

// logFlushTimeout bounds how long Stop waits for the lines already queued to be written.
const logFlushTimeout = time.Second

// fieldDroppedLines counts the lines a full queue dropped, on the line that says so.
const fieldDroppedLines = "health.dropped_lines"

// logLine is a line waiting to be written. Its entry carries the time it was queued, so the
// line shows when the change happened, not when the writer got to it.
type logLine struct {
	entry *logrus.Entry
	level logrus.Level
	msg   string
}

// logQueue writes log lines off the callers' goroutines, in the order they were pushed, so
// that a logger whose writer blocks (a stalled log shipper on stdout) never blocks a check
// run, Stop, Register, AddService, Shutdown or Resume. It holds at most size lines besides
// the batch being written; a push to a full queue drops its line and counts it, and the
// writer then logs how many it lost.
//
// A writer goroutine runs only while there are lines to write: it starts at a push to an
// empty queue and returns once the queue is empty, so a registry that is never stopped
// leaves nothing behind. A writer that blocks keeps its goroutine until the write returns.
type logQueue struct {
	logger  logrus.FieldLogger
	size    int
	dropped prometheus.Counter

	mu      sync.Mutex
	lines   []logLine
	lost    int           // lines dropped since the writer last took the queue
	drained chan struct{} // non-nil while a writer runs; closed when it has written all
}

func newLogQueue(logger logrus.FieldLogger, size int, dropped prometheus.Counter) *logQueue {
	return &logQueue{logger: logger, size: size, dropped: dropped}
}

// push queues a line for entry at level, or drops it when the queue is full. It never
// blocks on the logger. A line below the logger's level is not queued at all.
func (q *logQueue) push(entry *logrus.Entry, level logrus.Level, msg string) {
	if entry.Logger != nil && !entry.Logger.IsLevelEnabled(level) {
		return
	}
	line := logLine{entry: entry.WithTime(time.Now()), level: level, msg: msg}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.lines) >= q.size {
		q.lost++
		q.dropped.Inc()
		return
	}
	q.lines = append(q.lines, line)
	if q.drained == nil {
		q.drained = make(chan struct{})
		go q.write(q.drained)
	}
}

// write writes the queued lines until the queue is empty, then closes drained.
func (q *logQueue) write(drained chan struct{}) {
	defer close(drained)
	var batch []logLine
	for {
		q.mu.Lock()
		batch, q.lines = q.lines, batch[:0]
		lost := q.lost
		q.lost = 0
		if len(batch) == 0 && lost == 0 {
			q.drained = nil
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()

		for i, line := range batch {
			line.entry.Log(line.level, line.msg)
			batch[i] = logLine{}
		}
		// The queue was full when these were dropped, so they came after the whole batch.
		if lost > 0 {
			q.logger.WithField(fieldDroppedLines, lost).Warn("health log lines dropped: the log writer is too slow")
		}
	}
}

// flush waits until every line queued so far is written, for at most timeout, and reports
// whether they were.
func (q *logQueue) flush(timeout time.Duration) bool {
	q.mu.Lock()
	drained := q.drained
	q.mu.Unlock()
	if drained == nil {
		return true
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-drained:
		return true
	case <-timer.C:
		return false
	}
}
