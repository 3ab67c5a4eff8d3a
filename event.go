package orchestratum

import (
	"fmt"
	"time"
)

// EventKind says how a run of a task ended.
type EventKind string

// The kinds of Event.
const (
	// EventCompleted: the handler succeeded and the task is completed.
	EventCompleted EventKind = "completed"
	// EventRetrying: the attempt failed and the task will run again.
	EventRetrying EventKind = "retrying"
	// EventFailed: the attempt failed and the task failed for good.
	EventFailed EventKind = "failed"
	// EventReleased: the runner stopped before the handler finished; the
	// task is pending again with its retries untouched.
	EventReleased EventKind = "released"
	// EventDiscarded: the lease was lost before the outcome was recorded,
	// so the outcome was dropped; whoever holds the task now decides.
	EventDiscarded EventKind = "discarded"
	// EventCancelled: the task was cancelled while it ran.
	EventCancelled EventKind = "cancelled"
	// EventSnoozed: the handler returned Snooze; the task is pending again,
	// due after Delay, with its retries untouched.
	EventSnoozed EventKind = "snoozed"
)

// Event reports the recorded outcome of one run of a task.
type Event struct {
	Kind EventKind

	// Task is the task as it was claimed for this run.
	Task Record

	// Err is the attempt's error; nil for a completion.
	Err error

	// Duration is how long the handler ran.
	Duration time.Duration

	// Delay is how long a retrying task waits before it is due again.
	Delay time.Duration
}

// PanicError is the error of an attempt whose handler panicked. The runner
// recovers the panic, records this error with its stack as the attempt's
// error, and goes on serving other tasks.
type PanicError struct {
	Value any
	Stack []byte
}

// Error holds the panic's value and the stack of the handler.
func (e *PanicError) Error() string {
	return fmt.Sprintf("handler panicked: %v\n\n%s", e.Value, e.Stack)
}
