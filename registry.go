package orchestratum

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/orchestratum/orchestratum/codec"
)

// Registry maps executor keys to their payload types and, in processes
// that run tasks, to their handlers. A Queue consults it to check
// string-keyed appends; a Runner claims only the executors that have a
// handler in it, leaving other tasks for processes that know them.
//
// A Registry is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	entries  map[string]*entry
	periodic []*periodic
}

type entry struct {
	kind Kind
	unit unit // nil when the executor is declared without a handler
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{entries: make(map[string]*entry)}
}

// Register adds fn as the handler of executor e. Registering a second
// handler for the same key is an error that names the key.
func Register[T any](r *Registry, e *Executor[T], fn func(ctx context.Context, task *Task[T]) error) error {
	if fn == nil {
		return RegisterHandler[T](r, e, nil)
	}
	return RegisterHandler(r, e, HandlerFunc[T](fn))
}

// RegisterHandler adds h as the handler of executor e, so that any type
// with a Handle(ctx, *Task[T]) error method, such as an existing service,
// plugs in directly. Registering a second handler for the same key is an
// error that names the key.
func RegisterHandler[T any](r *Registry, e *Executor[T], h Handler[T]) error {
	if err := e.check(); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if f, isFunc := h.(HandlerFunc[T]); h == nil || (isFunc && f == nil) {
		return fmt.Errorf("register executor %q: handler is nil", e.key)
	}
	return r.add(e, &typedUnit[T]{exec: e, handler: h})
}

// Declare adds executors without handlers, so that a process that only
// appends can use the string-keyed Queue.Append with their keys. Declaring
// a key again with the same payload type is allowed; with another type it
// is an error.
func (r *Registry) Declare(kinds ...Kind) error {
	for _, k := range kinds {
		if k == nil {
			return errors.New("declare: executor is nil")
		}
		if err := k.check(); err != nil {
			return fmt.Errorf("declare: %w", err)
		}
		if err := r.add(k, nil); err != nil {
			return err
		}
	}
	return nil
}

func (r *Registry) add(k Kind, u unit) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.entries[k.Key()]
	switch {
	case !ok:
		r.entries[k.Key()] = &entry{kind: k, unit: u}
		return nil
	case old.kind.payloadType() != k.payloadType():
		return fmt.Errorf("executor %q is already declared with payload type %s, not %s",
			k.Key(), codec.TypeName(old.kind.payloadType()), codec.TypeName(k.payloadType()))
	case u != nil && old.unit != nil:
		return fmt.Errorf("executor %q already has a handler", k.Key())
	case u != nil:
		old.unit = u
	}
	return nil
}

// Keys returns the keys of the executors that have a handler, sorted.
func (r *Registry) Keys() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	keys := make([]string, 0, len(r.entries))
	for key, e := range r.entries {
		if e.unit != nil {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

// periodicTasks returns the registered periodic tasks.
func (r *Registry) periodicTasks() []*periodic {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*periodic(nil), r.periodic...)
}

// kind returns the executor declared or registered under key.
func (r *Registry) kind(key string) (Kind, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.entries[key]
	if !ok {
		return nil, false
	}
	return e.kind, true
}

// unit returns the handler registered under key.
func (r *Registry) unit(key string) (unit, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.entries[key]
	if !ok || e.unit == nil {
		return nil, false
	}
	return e.unit, true
}
