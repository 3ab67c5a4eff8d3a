package orchestratum

import "time"

// AppendParams is the input of Store.Append.
type AppendParams struct {
	Tasks []NewRecord
}

// AppendResult is the output of Store.Append: one entry per task, in
// order.
type AppendResult struct {
	// IDs holds each task's ID: its own, or the existing task's when it
	// was not inserted.
	IDs []ID

	// Existed reports for each task that it was not inserted because an
	// active task held its unique key, or its ID existed (IfAbsent).
	Existed []bool
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

	// UniqueKey, when set, keeps a second active task of the executor
	// with the same key from being inserted.
	UniqueKey string

	// IfAbsent skips the task, without an error, when its ID exists.
	IfAbsent bool

	// Chain holds the tasks to append when this one is finished.
	Chain *Chain
}

// Chain holds the follow-up tasks of a task, by the final state that
// appends them. A follow-up is appended in the same transaction that
// records its parent's final state, with IfAbsent set, and with its run-at
// time counted from then.
type Chain struct {
	OnSuccess []NewRecord `json:"on_success,omitempty"`
	OnFailure []NewRecord `json:"on_failure,omitempty"`
	OnCancel  []NewRecord `json:"on_cancel,omitempty"`
}

// For returns the follow-ups for the final state s.
func (c *Chain) For(s State) []NewRecord {
	if c == nil {
		return nil
	}
	switch s {
	case StateCompleted:
		return c.OnSuccess
	case StateFailed:
		return c.OnFailure
	case StateCancelled:
		return c.OnCancel
	}
	return nil
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

// HeartbeatResult is the output of Store.Heartbeat.
type HeartbeatResult struct {
	Lost      []ID // leases no longer held; those tasks were not renewed
	Cancelled []ID // renewed tasks whose cancellation was requested
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

	// State is StateCompleted, StateFailed, StateCancelled, or
	// StatePending when the task is to run again.
	State State

	// Error is recorded as the task's last error; empty for completions.
	// A non-empty Error is also recorded in the task's history, as Kind.
	Error string
	Kind  AttemptKind

	// Delay, for a pending outcome, sets the run-at time to now plus Delay.
	Delay time.Duration

	// UseRetry, for a pending outcome, takes one from retries left. A
	// task released without using a retry (its runner stopped, or its
	// handler snoozed it) keeps them.
	UseRetry bool

	// Result and ResultType, for a completion, are the handler's result
	// as JSON and the name of its type.
	Result     []byte
	ResultType string

	// FollowUps are appended, as the task's stored chain is, when the
	// outcome is final.
	FollowUps []NewRecord
}

// FinishResult is the output of Store.Finish.
type FinishResult struct {
	// Lost holds the outcomes not applied: their lease was not held.
	Lost []ID
	// Cancelled holds the pending outcomes that ended their task
	// cancelled instead, because its cancellation had been requested.
	Cancelled []ID
}

// RetryParams is the input of Store.Retry.
type RetryParams struct {
	ID      ID
	Retries int
}

// ListParams is the input of Store.List. Zero fields do not filter.
type ListParams struct {
	State    State
	Executor string
	Queue    string
	From, To time.Time // created at or after From, and before To
	After    ID        // the last ID of the previous page
	Limit    int       // zero means 100
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
	Cancelled int
}

// Total is the number of tasks in all states.
func (c Counts) Total() int {
	return c.Pending + c.Running + c.Completed + c.Failed + c.Cancelled
}

// PruneParams is the input of Store.Prune.
type PruneParams struct {
	Age   time.Duration
	Limit int
}

// LockParams is the input of Store.TryLock.
type LockParams struct {
	Name   string
	Holder string
	TTL    time.Duration
}

// Attempt is a failed attempt in a task's history.
type Attempt struct {
	Attempt int
	At      time.Time
	Kind    AttemptKind
	Error   string
}

// AttemptKind says how an attempt failed.
type AttemptKind string

// The kinds of failed attempts.
const (
	KindError     AttemptKind = "error"     // the handler returned an error
	KindTimeout   AttemptKind = "timeout"   // the task's timeout passed
	KindPanic     AttemptKind = "panic"     // the handler panicked
	KindLeaseLost AttemptKind = "lease"     // the lease ended: runner lost or stalled
	KindShutdown  AttemptKind = "shutdown"  // the runner stopped first
	KindCancelled AttemptKind = "cancelled" // the task was cancelled while running
	KindInvalid   AttemptKind = "invalid"   // the stored task could not be run
)
