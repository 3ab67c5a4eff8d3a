package orchestratum

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/orchestratum/orchestratum/codec"
)

// Queue appends tasks to a store and inspects them. Typed appends go
// through an Executor (SendEmail.Append(ctx, q, email)); Append here is the
// string-keyed form for callers that pick the executor at run time.
//
// A Queue is safe for concurrent use.
type Queue struct {
	store Store
	reg   *Registry
	cfg   Config
}

// NewQueue returns a queue that appends through store. reg lists the
// executors the string-keyed Append accepts; it may be nil when only typed
// appends are used. cfg supplies the default timeout and retries; its
// other fields are the runner's and are ignored here.
func NewQueue(store Store, reg *Registry, cfg Config) (*Queue, error) {
	if store == nil {
		return nil, errors.New("new queue: store is nil")
	}
	if reg == nil {
		reg = NewRegistry()
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new queue: %w", err)
	}
	return &Queue{store: store, reg: reg, cfg: cfg}, nil
}

// Store returns the store the queue appends through.
func (q *Queue) Store() Store { return q.store }

// Using returns a copy of q that appends through s instead, typically the
// same store bound to a database transaction so that tasks are committed
// with it (see bunstore.Store.Tx).
func (q *Queue) Using(s Store) *Queue {
	c := *q
	c.store = s
	return &c
}

// Append stores one task for the executor key with the payload value and
// returns its ID. value must have the payload type the executor was
// declared with (or be a pointer to it); its type name is recorded as the
// task's data_type. An unknown key is an *UnknownExecutorError.
func (q *Queue) Append(ctx context.Context, key string, value any, opts ...Option) (ID, error) {
	k, ok := q.reg.kind(key)
	if !ok {
		return NilID, fmt.Errorf("append: %w", &UnknownExecutorError{Key: key})
	}
	want := k.payloadType()
	v := reflect.ValueOf(value)
	for v.IsValid() && v.Kind() == reflect.Pointer && !v.Type().AssignableTo(want) && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() && want.Kind() == reflect.Interface {
		v = reflect.Zero(want) // a nil interface payload
	}
	if !v.IsValid() || !v.Type().AssignableTo(want) {
		return NilID, fmt.Errorf("append %s: executor expects a payload of type %s, found %s",
			key, codec.TypeName(k.payloadType()), codec.TypeName(reflect.TypeOf(value)))
	}
	o, err := resolveOptions(&q.cfg, opts)
	if err != nil {
		return NilID, fmt.Errorf("append %s: %w", key, err)
	}
	payload, err := codec.Encode(v.Interface())
	if err != nil {
		return NilID, fmt.Errorf("append %s: %w", key, err)
	}
	rec, err := o.record(&q.cfg, key, k.DataType(), payload)
	if err != nil {
		return NilID, fmt.Errorf("append %s: %w", key, err)
	}
	ids, err := q.append(ctx, []NewRecord{rec})
	if len(ids) == 0 {
		return NilID, err
	}
	return ids[0], err
}

func (q *Queue) append(ctx context.Context, recs []NewRecord) ([]ID, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	res, err := q.store.Append(ctx, AppendParams{Tasks: recs})
	if err != nil {
		return nil, fmt.Errorf("append %s: %w", recs[0].Executor, err)
	}
	for i, existed := range res.Existed {
		if existed {
			return res.IDs, fmt.Errorf("append %s: %w: unique key %.60q is held by task %s",
				recs[i].Executor, ErrDuplicate, recs[i].UniqueKey, res.IDs[i])
		}
	}
	return res.IDs, nil
}
