package orchestratum

import (
	"context"
	"fmt"

	"github.com/orchestratum/orchestratum/codec"
)

// unit is a handler with its payload type erased: the runner hands it a
// record and it decodes the payload, runs the typed handler and encodes
// its result, if it has one.
type unit interface {
	run(ctx context.Context, rec *Record) (result []byte, resultType string, err error)
}

// invalidError is the error of a task whose stored payload does not fit
// its executor: no retry can make it decode.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }
func (e *invalidError) Unwrap() error { return e.err }

func invalid(key string, err error) error {
	return Permanent(&invalidError{fmt.Errorf("executor %q: %w", key, err)})
}

// decodeTask checks the stored data_type and decodes the payload.
func decodeTask[T any](e *Executor[T], rec *Record) (*Task[T], error) {
	if err := codec.Matches(rec.DataType, e.dataType, e.aliases); err != nil {
		return nil, invalid(e.key, err)
	}
	data, err := codec.Decode[T](rec.Data)
	if err != nil {
		return nil, invalid(e.key, err)
	}
	return &Task[T]{
		ID:          rec.ID,
		Executor:    rec.Executor,
		Data:        data,
		Attempt:     rec.Attempt,
		RetriesLeft: rec.RetriesLeft,
		Timeout:     rec.Timeout,
		Priority:    rec.Priority,
		Queue:       rec.Queue,
		CreatedAt:   rec.CreatedAt,
		RunAt:       rec.RunAt,
		LastError:   rec.LastError,
	}, nil
}

// typedUnit runs a Handler[T].
type typedUnit[T any] struct {
	exec    *Executor[T]
	handler Handler[T]
}

func (u *typedUnit[T]) run(ctx context.Context, rec *Record) ([]byte, string, error) {
	task, err := decodeTask(u.exec, rec)
	if err != nil {
		return nil, "", err
	}
	return nil, "", u.handler.Handle(ctx, task)
}

// resultUnit runs a handler that returns a result of type R.
type resultUnit[T, R any] struct {
	exec *Executor[T]
	fn   func(context.Context, *Task[T]) (R, error)
}

func (u *resultUnit[T, R]) run(ctx context.Context, rec *Record) ([]byte, string, error) {
	task, err := decodeTask(u.exec, rec)
	if err != nil {
		return nil, "", err
	}
	res, err := u.fn(ctx, task)
	if err != nil {
		return nil, "", err
	}
	data, err := codec.Encode(res)
	if err != nil {
		return nil, "", Permanent(fmt.Errorf("executor %q: result: %w", u.exec.key, err))
	}
	return data, codec.NameOf[R](), nil
}
