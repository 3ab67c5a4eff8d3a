package orchestratum

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Option sets a property of the tasks an append stores.
type Option func(*appendOptions)

type appendOptions struct {
	timeout   time.Duration
	retries   int
	priority  int
	runAt     time.Time
	delay     time.Duration
	queue     string
	uniqueKey string
	chain     [3][]FollowUp // on success, failure, cancel
	errs      []error
}

// WithTimeout sets how long each run of the task may take; its handler's
// context ends then and the attempt counts as failed. Stores keep it to
// the millisecond, so it must be at least 1ms (a finer one is rounded
// down); the default is Config.DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(o *appendOptions) {
		if d < time.Millisecond {
			o.errs = append(o.errs, fmt.Errorf("WithTimeout: want at least 1ms, found %v", d))
		}
		o.timeout = d.Truncate(time.Millisecond)
	}
}

// maxCount bounds counts that stores keep as 32-bit integers.
const maxCount = 1<<31 - 1

// WithRetries sets how many times the task runs again after failed runs:
// with n retries it runs at most n+1 times. It must not be negative; the
// default is Config.DefaultRetries.
func WithRetries(n int) Option {
	return func(o *appendOptions) {
		if n < 0 || n > maxCount {
			o.errs = append(o.errs, fmt.Errorf("WithRetries: want 0 to %d, found %d", maxCount, n))
		}
		o.retries = n
	}
}

// WithPriority sets the task's priority: among due tasks, higher runs
// first. The default is 0; negative values run after it.
func WithPriority(p int) Option {
	return func(o *appendOptions) {
		if p < -maxCount || p > maxCount {
			o.errs = append(o.errs,
				fmt.Errorf("WithPriority: want %d to %d, found %d", -maxCount, maxCount, p))
		}
		o.priority = p
	}
}

// WithDelay makes the task due d after it is appended, measured by the
// store's clock. It must not be negative. WithRunAt, when also given, wins.
func WithDelay(d time.Duration) Option {
	return func(o *appendOptions) {
		if d < 0 || d > 100*365*24*time.Hour {
			o.errs = append(o.errs, fmt.Errorf("WithDelay: want 0 to 100 years, found %v", d))
		}
		o.delay = d
	}
}

// WithRunAt makes the task due at t, which must lie in the years 1 to 9999
// (what every store can keep). A time in the past makes it due at once; it
// still runs after tasks that were due before it. The zero time means now.
func WithRunAt(t time.Time) Option {
	return func(o *appendOptions) {
		if y := t.UTC().Year(); !t.IsZero() && (y < 1 || y > 9999) {
			o.errs = append(o.errs, fmt.Errorf("WithRunAt: want a time in the years 1 to 9999, found %v", t))
		}
		o.runAt = t
	}
}

// WithQueue appends the task to the named queue instead of DefaultQueue;
// only runners that serve that queue (Config.Queues) run it.
func WithQueue(name string) Option {
	return func(o *appendOptions) {
		if err := validateName("queue name", name); err != nil {
			o.errs = append(o.errs, fmt.Errorf("WithQueue: %w", err))
		}
		o.queue = name
	}
}

// WithUniqueKey makes the task unique among the active (pending or
// running) tasks of its executor with the same key: while one exists, an
// append returns its ID with an error wrapping ErrDuplicate instead of
// storing a second task. The database enforces it, so racing appenders in
// different processes cannot both store one.
func WithUniqueKey(key string) Option {
	return func(o *appendOptions) {
		if err := checkUniqueKey(key); err != nil {
			o.errs = append(o.errs, fmt.Errorf("WithUniqueKey: %w", err))
		}
		o.uniqueKey = key
	}
}

// OnSuccess appends the follow-ups when the task completes, in the same
// transaction that records its completion: both or neither.
func OnSuccess(fs ...FollowUp) Option {
	return func(o *appendOptions) { o.chain[0] = append(o.chain[0], fs...) }
}

// OnFailure appends the follow-ups when the task fails for good (retries
// used up, or a permanent error), in the same transaction.
func OnFailure(fs ...FollowUp) Option {
	return func(o *appendOptions) { o.chain[1] = append(o.chain[1], fs...) }
}

// OnCancel appends the follow-ups when the task is cancelled, in the same
// transaction.
func OnCancel(fs ...FollowUp) Option {
	return func(o *appendOptions) { o.chain[2] = append(o.chain[2], fs...) }
}

// record builds the stored form of one task from the options, with the
// defaults of cfg for its follow-ups.
func (o *appendOptions) record(cfg *Config, key, dataType string, data []byte) (NewRecord, error) {
	rec := NewRecord{
		ID:        NewID(),
		Executor:  key,
		DataType:  dataType,
		Data:      data,
		Queue:     o.queue,
		Priority:  o.priority,
		Timeout:   o.timeout,
		Retries:   o.retries,
		RunAt:     o.runAt,
		Delay:     o.delay,
		UniqueKey: o.uniqueKey,
	}
	if len(o.chain[0])+len(o.chain[1])+len(o.chain[2]) == 0 {
		return rec, nil
	}
	var c Chain
	for i, dst := range []*[]NewRecord{&c.OnSuccess, &c.OnFailure, &c.OnCancel} {
		recs, err := buildFollowUps(cfg, o.chain[i])
		if err != nil {
			return NewRecord{}, err
		}
		*dst = recs
	}
	rec.Chain = &c
	return rec, nil
}

// maxUniqueKey bounds unique keys, which stores keep in an index whose
// entries PostgreSQL limits to about 2.7 KB.
const maxUniqueKey = 512

// checkUniqueKey reports a key no store could keep in its index: empty,
// longer than maxUniqueKey bytes, not valid UTF-8, or holding a NUL byte.
func checkUniqueKey(key string) error {
	switch {
	case key == "":
		return errors.New("the key is empty")
	case len(key) > maxUniqueKey:
		return fmt.Errorf("the key is %d bytes; want at most %d", len(key), maxUniqueKey)
	case !utf8.ValidString(key) || strings.ContainsRune(key, 0):
		return fmt.Errorf("the key %.40q is not valid UTF-8 without NUL bytes", key)
	}
	return nil
}
