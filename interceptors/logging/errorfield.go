package logging

import "github.com/grpcobs/grpcobs/interceptors/internal/safetext"

// errorField is what a finish line logs under "error": err itself when its text is valid
// UTF-8 of at most safetext.MaxMessageBytes, or else that text capped as the status page caps
// a status message (cut at a rune boundary, invalid bytes replaced, "…" after the cut). A
// client can make its request part of a server's error; it must not decide the size of the
// server's log lines, nor make them invalid UTF-8.
func errorField(err error) error {
	text := err.Error()
	if safetext.Fits(text, safetext.MaxMessageBytes) {
		return err
	}
	return &cappedError{text: safetext.Cut(text, safetext.MaxMessageBytes), err: err}
}

// cappedError is a failed call's error as its line shows it: the text capped, the error itself
// still there for hooks (errors.Is, errors.As).
type cappedError struct {
	text string
	err  error
}

func (e *cappedError) Error() string { return e.text }
func (e *cappedError) Unwrap() error { return e.err }
