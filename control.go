package orchestratum

import (
	"fmt"
	"time"
)

// Snooze returns an error that, returned by a handler, puts its task back
// to pending, due after d, without using a retry: for work that is not
// ready yet rather than failed. The attempt still counts in Attempt. A
// snooze wrapped in Permanent fails the task instead.
func Snooze(d time.Duration) error { return &snoozeError{d: d} }

type snoozeError struct{ d time.Duration }

func (e *snoozeError) Error() string { return fmt.Sprintf("snoozed for %v", e.d) }
