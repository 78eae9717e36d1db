package health

import "time"

// WatcherCount returns how many watches the registry holds, to prove that ended ones leave
// nothing behind.
func (r *Registry) WatcherCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ws := range r.watchers {
		n += len(ws)
	}
	return n
}

// FlushLogs waits for the log lines queued so far to be written, for at most timeout, and
// reports whether they were, so that real-time tests read complete logs.
func (r *Registry) FlushLogs(timeout time.Duration) bool { return r.logs.flush(timeout) }
