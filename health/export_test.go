package health

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
