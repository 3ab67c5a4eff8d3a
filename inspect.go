package orchestratum

import (
	"context"
)

// Get returns the task with the given ID; an error wraps ErrNotFound when
// there is none.
func (q *Queue) Get(ctx context.Context, id ID) (Record, error) {
	return q.store.Get(ctx, id)
}

// List returns the tasks that match p, in append order, a page at a time:
// pass the last ID of a page as p.After to get the next.
func (q *Queue) List(ctx context.Context, p ListParams) ([]Record, error) {
	return q.store.List(ctx, p)
}

// Count returns the number of tasks in each state, for one executor when
// key is not empty.
func (q *Queue) Count(ctx context.Context, key string) (Counts, error) {
	return q.store.Count(ctx, CountParams{Executor: key})
}

// History returns the failed attempts of a task, oldest first.
func (q *Queue) History(ctx context.Context, id ID) ([]Attempt, error) {
	return q.store.History(ctx, id)
}

// Cancel cancels a task: a pending one at once (returning
// StateCancelled), a running one through its runner, which cancels its
// handler's context with ErrCancelled (returning StateRunning). The task
// then ends cancelled whatever its handler returns, unless it completes or
// fails for good first; a retry, a snooze or a stop cannot undo the
// request. The runner learns of it at once in the same process and, on
// PostgreSQL, in any process (about 10 ms); on SQLite, a runner in another
// process learns at its next heartbeat, up to Config.Lease/3 later.
// Cancelling a finished task is an error wrapping ErrFinished.
func (q *Queue) Cancel(ctx context.Context, id ID) (State, error) {
	return q.store.Cancel(ctx, id)
}

// Retry makes a failed or cancelled task pending again, due now, with the
// queue's default retries (Config.DefaultRetries); its history is kept.
func (q *Queue) Retry(ctx context.Context, id ID) error {
	return q.store.Retry(ctx, RetryParams{ID: id, Retries: q.cfg.DefaultRetries})
}

// Delete removes a task that is not running, with its history.
func (q *Queue) Delete(ctx context.Context, id ID) error {
	return q.store.Delete(ctx, id)
}
