package interceptors

import (
	"errors"
	"strings"
	"testing"
)

// The machine's transitions, one line of inputs each, as docs/DESIGN.md's table gives them.
// Inputs: c+ / c! (created / creation failed), b (an operation begins), p / n / o / x (it ends
// with a message, neutrally, observing OK, observing an error), t / f (a tentative / final
// finish), d (the caller's context ends), g (the grace for an unread finish ends); s (it
// ends: SendMsg failed).
func TestClientCallTransitions(t *testing.T) {
	errFinish, errOp, errCtx, errSend := errors.New("finish"), errors.New("op"), errors.New("ctx"), errors.New("send")
	for _, tc := range []struct {
		inputs string
		end    int   // the input after which the call ends, -1 for never
		want   error // the outcome it ends with
		watch  int   // the input after which the context is watched, -1 for never
	}{
		{"c+ b o", 2, nil, -1},             // the common path: no watch, no grace
		{"c+ b t x", 3, errOp, -1},         // finish inside RecvMsg, which returns it
		{"c+ b f p g", 4, errFinish, -1},   // defect 1: a buffered message after a final finish, then nothing
		{"c+ b f p b x", 5, errOp, -1},     // ... or the caller reads on, and gets another status
		{"t c+ b p b o", 5, nil, 1},        // defect 2: a failed creation re-created by a retry
		{"t c!", 1, errOp, -1},             // the creation's error, not the finish's
		{"f c+ g", 2, errFinish, -1},       // a final finish during a creation that returned a stream
		{"c+ f g", 2, errFinish, -1},       // an abandoned stream cancelled
		{"c+ f b x", 3, errOp, -1},         // a cancelled stream whose status had come in: the caller's read wins
		{"c+ f b g n g", 5, errFinish, -1}, // a grace that ends during an operation waits for it
		{"c+ f g b x", 2, errFinish, -1},   // a read after the grace is not reported
		{"c+ b t n d g", 5, errFinish, 3},  // Header on trailers-only, then the caller walks away
		{"c+ b t n b x", 5, errOp, 3},      // ... or reads the status
		{"c+ b t p d g", 5, errCtx, 3},     // superseded finish: ends with the context's status
		{"c+ b t p f g", 5, errFinish, 3},  // ... or the live stream's final finish, whichever first
		{"c+ b b f o p", 5, nil, -1},       // two operations: the end waits for both
		{"c+ b x b o", 2, errOp, -1},       // the first observed status wins; later ops unreported
		{"c+ b t d n g", 5, errFinish, -1}, // the context ends while an operation runs
		{"c+ b o t f d", 2, nil, -1},       // inputs after the end are ignored
		{"c+ b p b p", -1, nil, -1},        // a live stream with nothing pending: no end, no watch
		{"c+ b s g", 3, errSend, -1},       // a failed send whose caller reads nothing more
		{"c+ b s b x", 4, errOp, -1},       // ... or reads another status: that one is the call's
		{"c+ f b s b x", 5, errOp, -1},     // ... also after a finish
		{"c+ f b s g", 4, errSend, -1},     // the send's status, not the finish's, when nothing is read
	} {
		t.Run(tc.inputs, func(t *testing.T) {
			var c clientCall
			end, watch := -1, -1
			for i, in := range strings.Fields(tc.inputs) {
				var act callAction
				switch in {
				case "c+":
					act = c.created(nil)
				case "c!":
					act = c.created(errOp)
				case "b":
					if !c.begin() {
						continue
					}
				case "p":
					act = c.end(opProgress, nil)
				case "n":
					act = c.end(opNeutral, nil)
				case "o":
					act = c.end(opObserved, nil)
				case "x":
					act = c.end(opObserved, errOp)
				case "s":
					act = c.end(opSendFailed, errSend)
				case "t":
					act = c.finish(errFinish, false)
				case "f":
					act = c.finish(errFinish, true)
				case "d":
					act = c.contextDone(errCtx)
				case "g":
					act = c.graceOver()
				}
				switch act {
				case actEnd:
					if end != -1 {
						t.Fatalf("ended twice, after inputs %d and %d", end, i)
					}
					end = i
					if c.err != tc.want {
						t.Errorf("ended with %v, want %v", c.err, tc.want)
					}
				case actWatch:
					watch = i
				}
			}
			if end != tc.end || watch != tc.watch {
				t.Errorf("ended after input %d and watched after %d, want %d and %d", end, watch, tc.end, tc.watch)
			}
		})
	}
}
