package orchestratum

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orchestratum/orchestratum/codec"
)

// Executor is a kind of task: a stable string key and the payload type T.
// Declare each once, usually as a package-level variable shared by the
// processes that append the task and the ones that run it:
//
//	var SendEmail = orchestratum.NewExecutor[Email]("send-email")
//
// The key is what the store records and what runners match on, so it must
// not change once tasks with it exist; the Go type may be renamed as long
// as its old name stays listed with WithAliases.
type Executor[T any] struct {
	key      string
	dataType string
	aliases  []string
}

// ExecutorOption configures an Executor at declaration.
type ExecutorOption func(*executorOptions)

type executorOptions struct {
	dataType string
	aliases  []string
}

// WithDataType sets the name recorded as the data_type of the executor's
// tasks, instead of the payload type's package path and name.
func WithDataType(name string) ExecutorOption {
	return func(o *executorOptions) { o.dataType = name }
}

// WithAliases lists other data_type names that the executor's tasks may
// carry and still decode as T: the names of the payload type before it was
// renamed or moved.
func WithAliases(names ...string) ExecutorOption {
	return func(o *executorOptions) { o.aliases = append(o.aliases, names...) }
}

// NewExecutor declares a task kind with the given key and payload type T.
// It panics when key is not a valid executor key (see ValidateKey): keys
// are fixed in code, so a bad one is a programming error.
func NewExecutor[T any](key string, opts ...ExecutorOption) *Executor[T] {
	if err := ValidateKey(key); err != nil {
		panic("orchestratum: NewExecutor: " + err.Error())
	}
	o := executorOptions{dataType: codec.NameOf[T]()}
	for _, opt := range opts {
		opt(&o)
	}
	return &Executor[T]{key: key, dataType: o.dataType, aliases: o.aliases}
}

// Key returns the executor's key.
func (e *Executor[T]) Key() string { return e.key }

// DataType returns the name recorded as the data_type of its tasks.
func (e *Executor[T]) DataType() string { return e.dataType }

// Aliases returns the other data_type names its tasks may carry.
func (e *Executor[T]) Aliases() []string { return e.aliases }

func (e *Executor[T]) payloadType() reflect.Type { return reflect.TypeFor[T]() }

// check reports an Executor that was not made by NewExecutor.
func (e *Executor[T]) check() error {
	if e == nil || e.key == "" {
		return fmt.Errorf("executor of %s was not declared with NewExecutor", codec.NameOf[T]())
	}
	return nil
}

// Append stores one task with payload data and returns its ID. When Append
// returns nil the task is committed to the queue's store. With
// WithUniqueKey, a key that an active task holds makes Append return that
// task's ID and an error wrapping ErrDuplicate.
func (e *Executor[T]) Append(ctx context.Context, q *Queue, data T, opts ...Option) (ID, error) {
	ids, err := e.AppendMany(ctx, q, []T{data}, opts...)
	if len(ids) == 0 {
		return NilID, err
	}
	return ids[0], err
}

// AppendMany stores one task per payload in one atomic step, all with the
// same options, and returns their IDs in order. When a unique key kept
// some from being stored, their entries hold the existing tasks' IDs and
// the error wraps ErrDuplicate; the others are stored.
func (e *Executor[T]) AppendMany(ctx context.Context, q *Queue, data []T, opts ...Option) ([]ID, error) {
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	o, err := resolveOptions(&q.cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("append %s: %w", e.key, err)
	}
	recs := make([]NewRecord, len(data))
	for i := range data {
		payload, err := codec.Encode(data[i])
		if err != nil {
			return nil, fmt.Errorf("append %s: %w", e.key, err)
		}
		if recs[i], err = o.record(&q.cfg, e.key, e.dataType, payload); err != nil {
			return nil, fmt.Errorf("append %s: %w", e.key, err)
		}
	}
	return q.append(ctx, recs)
}

// Kind is what every Executor is, whatever its payload type: the view a
// Registry keeps of it. Only Executor implements it.
type Kind interface {
	Key() string
	DataType() string
	Aliases() []string
	payloadType() reflect.Type
	check() error
}

// ValidateKey reports whether key can name an executor: 1 to 200 bytes of
// UTF-8 with no spaces or control characters.
func ValidateKey(key string) error { return validateName("executor key", key) }

// validateName checks a key or a queue name; what names it in errors.
func validateName(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty; want 1 to 200 bytes", what)
	case len(s) > 200:
		return fmt.Errorf("%s %.40q… is %d bytes; want at most 200", what, s, len(s))
	case !utf8.ValidString(s):
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}); i >= 0 {
		return fmt.Errorf("%s %q has a space or control character at byte %d", what, s, i)
	}
	return nil
}
