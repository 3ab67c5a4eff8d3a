package orchestratum

import (
	"context"
	"fmt"

	"github.com/orchestratum/orchestratum/codec"
)

// RegisterResult adds fn as the handler of executor e. Besides its error,
// fn returns a result of type R, which is stored with the completed task
// as JSON with its type name and read back with GetResult. Registering a
// second handler for the same key is an error that names the key.
func RegisterResult[T, R any](r *Registry, e *Executor[T],
	fn func(ctx context.Context, task *Task[T]) (R, error)) error {
	if err := e.check(); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if fn == nil {
		return fmt.Errorf("register executor %q: handler is nil", e.key)
	}
	return r.add(e, &resultUnit[T, R]{exec: e, fn: fn})
}

// GetResult returns the result of the completed task id, decoded into R.
// It is an error when the task is not completed, when its handler stored
// no result, or when the stored result's type is not R.
func GetResult[R any](ctx context.Context, q *Queue, id ID) (R, error) {
	var zero R
	rec, err := q.Get(ctx, id)
	if err != nil {
		return zero, err
	}
	want := codec.NameOf[R]()
	switch {
	case rec.State != StateCompleted:
		return zero, fmt.Errorf("result of task %s: the task is %s, not completed", id, rec.State)
	case rec.ResultType == "":
		return zero, fmt.Errorf("result of task %s: its handler stored no result "+
			"(register it with RegisterResult)", id)
	case rec.ResultType != want:
		return zero, fmt.Errorf("result of task %s: expected type %s, found %s", id, want, rec.ResultType)
	}
	res, err := codec.Decode[R](rec.Result)
	if err != nil {
		return zero, fmt.Errorf("result of task %s: %w", id, err)
	}
	return res, nil
}
