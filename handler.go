package orchestratum

import "context"

// Handler runs tasks of one executor. Its Handle method receives the task
// with its payload decoded into T; returning nil completes the task and an
// error fails the attempt, which is retried while retries are left (see
// Permanent for errors that must not be retried).
//
// Handle must return when ctx ends: at the task's timeout, when the runner
// stops, or when the task's lease is lost; context.Cause(ctx) tells which.
// A task may run more than once (at-least-once delivery), so handlers
// should be idempotent.
type Handler[T any] interface {
	Handle(ctx context.Context, task *Task[T]) error
}

// HandlerFunc is a function that is a Handler.
type HandlerFunc[T any] func(ctx context.Context, task *Task[T]) error

// Handle calls f.
func (f HandlerFunc[T]) Handle(ctx context.Context, task *Task[T]) error {
	return f(ctx, task)
}
