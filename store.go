package orchestratum

import (
	"context"
	"time"
)

// Store is where tasks live. Queue writes through it and Runner claims and
// settles tasks through it; bunstore (SQLite and PostgreSQL) and memstore
// implement it, and the storetest package checks that an implementation
// keeps the contract written on each method.
//
// Every method must be safe for concurrent use. "Now" in the contracts is
// the store's clock: the database's own clock on PostgreSQL, an injected
// clock where the store offers one. Stores keep times to the microsecond.
type Store interface {
	// Append inserts the tasks in one atomic step: when it returns nil every
	// task is durably stored as pending, and when it returns an error none
	// is. A task's run-at time is RunAt when set, else now plus Delay. An ID
	// that already exists is an error and stores nothing. After a
	// successful Append the store wakes its subscribers.
	Append(ctx context.Context, p AppendParams) error

	// Claim takes up to p.Limit pending tasks whose run-at time has come,
	// whose executor is one of p.Executors and whose queue is p.Queue. It
	// takes them in order of priority (highest first), then run-at time,
	// then ID, and marks each running: attempt plus one, a lease token no
	// earlier claim of the task had, and a lease that ends at now plus
	// the shorter of (timeout + p.TimeoutBuffer) and p.Lease, counting a
	// negative timeout as zero. No stored value may make a claim fail. A task under
	// a live lease is never returned, not even to the same caller.
	//
	// Before claiming, the store rescues running tasks whose lease has
	// ended: the lost run counts as a failed attempt (ErrLeaseExpired is
	// recorded as the last error), so such a task becomes pending again
	// while retries are left, keeping its run-at time and so its place in
	// line, and failed when none are.
	Claim(ctx context.Context, p ClaimParams) ([]Record, error)

	// Heartbeat extends the leases it is given to now plus p.Lease, each
	// only while its token still matches and the task is running. It
	// returns the IDs whose lease was lost (token changed, task no longer
	// running, or row gone); those rows are left untouched.
	Heartbeat(ctx context.Context, p HeartbeatParams) (lost []ID, err error)

	// Finish records the outcomes of attempts, in one transaction where
	// the store has them. An outcome applies only while its token matches
	// a running task; otherwise the row is left untouched and its ID is
	// returned in lost. A missing row counts as lost.
	Finish(ctx context.Context, p FinishParams) (lost []ID, err error)

	// Get returns the task with the given ID, or an error wrapping
	// ErrNotFound.
	Get(ctx context.Context, id ID) (Record, error)

	// Count returns the number of tasks in each state, counting only the
	// executor p.Executor when it is not empty.
	Count(ctx context.Context, p CountParams) (Counts, error)

	// Subscribe returns a channel that receives a value soon after tasks
	// are appended through this store (and, where the store can tell,
	// through other processes), and a function that ends the
	// subscription. Wake-ups coalesce: one value may stand for many
	// appends. A subscriber must still poll; a wake-up is a hint.
	Subscribe() (wake <-chan struct{}, cancel func())
}

// AppendParams is the input of Store.Append.
type AppendParams struct {
	Tasks []NewRecord
}

// NewRecord is a task about to be appended.
type NewRecord struct {
	ID       ID
	Executor string
	DataType string
	Data     []byte // the payload as JSON
	Queue    string
	Priority int
	Timeout  time.Duration
	Retries  int       // re-runs allowed after the first failure
	RunAt    time.Time // when set, the task is due at this time
	Delay    time.Duration
}

// ClaimParams is the input of Store.Claim.
type ClaimParams struct {
	Executors     []string
	Queue         string
	Limit         int
	Lease         time.Duration
	TimeoutBuffer time.Duration
}

// HeartbeatParams is the input of Store.Heartbeat.
type HeartbeatParams struct {
	Leases []Lease
	Lease  time.Duration
}

// Lease names one claim of a task: the ID and the token the claim set.
type Lease struct {
	ID    ID
	Token string
}

// FinishParams is the input of Store.Finish.
type FinishParams struct {
	Outcomes []Outcome
}

// Outcome is how one attempt of a task ended, as the runner records it.
type Outcome struct {
	Lease

	// State is StateCompleted, StateFailed, or StatePending when the task
	// is to run again.
	State State

	// Error is recorded as the task's last error; empty for completions.
	Error string

	// Delay, for a pending outcome, sets the run-at time to now plus Delay.
	Delay time.Duration

	// UseRetry, for a pending outcome, takes one from retries left. A
	// task released without using a retry (its runner stopped) keeps them.
	UseRetry bool
}

// CountParams is the input of Store.Count.
type CountParams struct {
	Executor string
}

// Counts holds a number of tasks per state.
type Counts struct {
	Pending   int
	Running   int
	Completed int
	Failed    int
}

// Total is the number of tasks in all states.
func (c Counts) Total() int { return c.Pending + c.Running + c.Completed + c.Failed }
