package orchestratum

import (
	"time"
)

// State is where a task is in its lifecycle:
//
//	pending → running → completed
//	             ↓  ↘
//	          pending  failed
//
// A running task goes back to pending when it is to run again (a retry, or
// its runner stopped before it finished) and to failed when its retries are
// used up or its handler returned a permanent error.
type State string

// The states of a task.
const (
	StatePending   State = "pending"
	StateRunning   State = "running"
	StateCompleted State = "completed"
	StateFailed    State = "failed"
)

// Finished reports whether s is a final state: completed or failed.
func (s State) Finished() bool { return s == StateCompleted || s == StateFailed }

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
}

// Lease returns the record's current lease.
func (r *Record) Lease() Lease { return Lease{ID: r.ID, Token: r.LeaseToken} }
