package orchestratum

import (
	"fmt"
	"log/slog"
	"runtime/debug"
)

// guard runs fn, a callback of the user's other than a handler, and
// returns a panic in it as an error, so that one bad callback cannot end
// the process of every runner that calls it.
func guard(what string, fn func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s panicked: %v\n\n%s", what, v, debug.Stack())
		}
	}()
	fn()
	return nil
}

// logPanic logs the error of a guarded callback that panicked.
func logPanic(log *slog.Logger, err error) {
	if err != nil {
		log.Error("orchestratum: callback panicked", slog.Any("error", err))
	}
}
