package orchestratum

import (
	"time"
)

// State is where a task is in its lifecycle:
//
//	pending → running → completed
//	   ↓         ↓  ↘
//	cancelled pending  failed, cancelled
//
// A running task goes back to pending when it is to run again (a retry, a
// snooze, or its runner stopped before it finished), to failed when its
// retries are used up or its handler returned a permanent error, and to
// cancelled when its cancellation was requested. Completed, failed and
// cancelled are final; Queue.Retry makes a failed or cancelled task
// pending again.
type State string

// The states of a task.
const (
	StatePending   State = "pending"
	StateRunning   State = "running"
	StateCompleted State = "completed"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled"
)

// Finished reports whether s is a final state: completed, failed or
// cancelled.
func (s State) Finished() bool {
	return s == StateCompleted || s == StateFailed || s == StateCancelled
}

// Task is one run of a task as its handler sees it: the payload decoded into
// T and what the store knows of the task.
type Task[T any] struct {
	ID       ID
	Executor string
	Data     T

	// Attempt is 1 on the first run and counts every start since.
	Attempt int

	// RetriesLeft is how many more runs follow if this one fails.
	RetriesLeft int

	// Timeout is how long this run may take; the handler's context ends
	// then.
	Timeout time.Duration

	// Priority orders due tasks: higher runs first.
	Priority int

	// Queue is the queue the task was appended to.
	Queue string

	CreatedAt time.Time
	RunAt     time.Time

	// LastError is the error of the previous attempt, if there was one.
	LastError string
}

// Record is a task as a Store holds it, with its payload still encoded. It
// is what inspection returns and what stores exchange with the runner.
type Record struct {
	ID       ID
	Executor string
	DataType string
	Data     []byte // the payload as JSON
	Queue    string
	Priority int
	Timeout  time.Duration

	State       State
	Attempt     int // starts so far
	RetriesLeft int
	LastError   string

	CreatedAt  time.Time
	RunAt      time.Time // when the task is or was due
	FinishedAt time.Time // zero until completed or failed

	// LockedUntil and LeaseToken are set while the task is running.
	LockedUntil time.Time
	LeaseToken  string

	// CancelRequested is set on a running task whose cancellation was
	// requested; its runner cancels it.
	CancelRequested bool

	UniqueKey string

	// Result and ResultType hold a completed task's typed result as JSON
	// and the name of its type; see RegisterResult.
	Result     []byte
	ResultType string

	// Chain holds the follow-ups appended when the task is finished.
	Chain *Chain
}

// Lease returns the record's current lease.
func (r Record) Lease() Lease { return Lease{ID: r.ID, Token: r.LeaseToken} }
