package orchestratum

import (
	"context"
)

// Store is where tasks live. Queue writes through it and Runner claims and
// settles tasks through it; bunstore (SQLite and PostgreSQL) and memstore
// implement it, and the storetest package checks that an implementation
// keeps the contract written on each method.
//
// Every method must be safe for concurrent use. "Now" in the contracts is
// the store's clock: the database's own clock on PostgreSQL, an injected
// clock where the store offers one. Stores keep times to the microsecond,
// in UTC. A task is "active" while it is pending or running, and
// "finished" once completed, failed or cancelled.
type Store interface {
	// Append inserts the tasks in one atomic step: when it returns nil every
	// task is durably stored (or was found to exist, see below), and when
	// it returns an error none is. A task's run-at time is RunAt when set,
	// else now plus Delay.
	//
	// A task with a UniqueKey that an active task of the same executor
	// holds is not inserted: its entry in the result names the existing
	// task instead. The database enforces this, so racing appenders cannot
	// both insert. A task with IfAbsent set whose ID exists is skipped the
	// same way; any other existing ID is an error that stores nothing.
	// After an Append that inserted tasks the store wakes its subscribers.
	Append(ctx context.Context, p AppendParams) (AppendResult, error)

	// Claim takes up to p.Limit pending tasks whose run-at time has come,
	// whose executor is one of p.Executors and whose queue is p.Queue. It
	// takes them in order of priority (highest first), then run-at time,
	// then ID, and marks each running: attempt plus one, a lease token no
	// earlier claim of the task had, and a lease that ends at now plus the
	// shorter of (timeout + p.TimeoutBuffer) and p.Lease, counting a
	// negative timeout as zero. No stored value may make a claim fail. A
	// task under a live lease is never returned, not even to the same
	// caller.
	//
	// Before claiming, the store rescues running tasks whose lease has
	// ended: the lost run counts as a failed attempt (ErrLeaseExpired is
	// recorded in the task's history and as its last error), so such a
	// task becomes pending again while retries are left, keeping its
	// run-at time and so its place in line, and failed when none are; one
	// whose cancellation was requested becomes cancelled.
	Claim(ctx context.Context, p ClaimParams) ([]Record, error)

	// Heartbeat extends the leases it is given to now plus p.Lease, each
	// only while its token still matches and the task is running. It
	// reports the IDs whose lease was lost (token changed, task no longer
	// running, or row gone), whose rows are left untouched, and the IDs
	// whose cancellation was requested (see Cancel).
	Heartbeat(ctx context.Context, p HeartbeatParams) (HeartbeatResult, error)

	// Finish records the outcomes of attempts, each with its history entry
	// and, when the task reaches a final state, its follow-up tasks (those
	// stored with it for that state, and the outcome's own), in one
	// transaction where the store has them. A pending outcome for a task
	// whose cancellation was requested cancels it instead; a completion or
	// a failure wins over the request. An outcome applies only while its
	// token matches a running task; otherwise the row is left untouched and
	// its ID is reported lost. A missing row counts as lost.
	Finish(ctx context.Context, p FinishParams) (FinishResult, error)

	// Cancel cancels an active task. A pending task becomes cancelled at
	// once, with its follow-ups for cancellation, in one transaction. A
	// running task is marked for cancellation: its runner learns of it
	// through Heartbeat (and sooner through Subscribe), cancels its
	// handler and records the cancellation with Finish. Cancel returns the
	// task's state after the call; an error wraps ErrNotFound, or
	// ErrFinished for a task that was already finished.
	Cancel(ctx context.Context, id ID) (State, error)

	// Retry makes a failed or cancelled task pending again, due now, with
	// p.Retries retries and its history kept. An error wraps ErrNotFound,
	// or ErrNotFinished for an active task, or ErrCompleted.
	Retry(ctx context.Context, p RetryParams) error

	// Delete removes a task that is not running, with its history. An
	// error wraps ErrNotFound, or ErrRunning.
	Delete(ctx context.Context, id ID) error

	// Get returns the task with the given ID, or an error wrapping
	// ErrNotFound.
	Get(ctx context.Context, id ID) (Record, error)

	// List returns the tasks that match p, in ID order (which is append
	// order), starting after p.After, at most p.Limit of them.
	List(ctx context.Context, p ListParams) ([]Record, error)

	// History returns the failed attempts of a task, oldest first: each
	// with its time, attempt number, kind and error. An unknown task has
	// none.
	History(ctx context.Context, id ID) ([]Attempt, error)

	// Count returns the number of tasks in each state, counting only the
	// executor p.Executor when it is not empty.
	Count(ctx context.Context, p CountParams) (Counts, error)

	// Prune deletes up to p.Limit finished tasks (with their history)
	// whose finish time is p.Age or more before now, oldest first, and
	// returns how many it deleted.
	Prune(ctx context.Context, p PruneParams) (int, error)

	// TryLock takes or renews the named lock for p.Holder until now plus
	// p.TTL, and reports whether p.Holder holds it. A lock held by another
	// holder is taken only once it has expired. Runners use it to elect
	// the one that prunes.
	TryLock(ctx context.Context, p LockParams) (bool, error)

	// Subscribe returns a subscription whose Wake channel receives a value
	// soon after tasks are appended through this store (and, where the
	// store can tell, through other processes), and whose Cancel channel
	// receives one soon after a cancellation is requested. Values coalesce:
	// one may stand for many events. They are hints; a subscriber must
	// still poll. Close ends the subscription.
	Subscribe() *Subscription
}

// Subscription delivers a store's wake-ups; see Store.Subscribe.
type Subscription struct {
	Wake   <-chan struct{}
	Cancel <-chan struct{}
	Close  func()
}
