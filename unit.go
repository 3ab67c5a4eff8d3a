package orchestratum

import (
	"context"
	"fmt"

	"github.com/orchestratum/orchestratum/codec"
)

// unit is a handler with its payload type erased: the runner hands it a
// record and it decodes the payload and runs the typed handler.
type unit interface {
	run(ctx context.Context, rec *Record) error
}

type typedUnit[T any] struct {
	exec    *Executor[T]
	handler Handler[T]
}

// run checks the stored data_type, decodes the payload and calls the
// handler. A payload that does not fit T is a permanent failure: no retry
// can make it decode.
func (u *typedUnit[T]) run(ctx context.Context, rec *Record) error {
	if err := codec.Matches(rec.DataType, u.exec.dataType, u.exec.aliases); err != nil {
		return Permanent(fmt.Errorf("executor %q: %w", u.exec.key, err))
	}
	data, err := codec.Decode[T](rec.Data)
	if err != nil {
		return Permanent(fmt.Errorf("executor %q: %w", u.exec.key, err))
	}
	task := &Task[T]{
		ID:          rec.ID,
		Executor:    rec.Executor,
		Data:        data,
		Attempt:     rec.Attempt,
		RetriesLeft: rec.RetriesLeft,
		Timeout:     rec.Timeout,
		Priority:    rec.Priority,
		CreatedAt:   rec.CreatedAt,
		RunAt:       rec.RunAt,
		LastError:   rec.LastError,
	}
	return u.handler.Handle(ctx, task)
}
