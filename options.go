package orchestratum

import (
	"fmt"
	"time"
)

// Option sets a property of the tasks an append stores.
type Option func(*appendOptions)

type appendOptions struct {
	timeout    time.Duration
	retries    int
	retriesSet bool
	priority   int
	runAt      time.Time
	delay      time.Duration
	errs       []error
}

// WithTimeout sets how long each run of the task may take; its handler's
// context ends then and the attempt counts as failed. It must be positive;
// the default is Config.DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(o *appendOptions) {
		if d <= 0 {
			o.errs = append(o.errs, fmt.Errorf("WithTimeout: want a positive duration, found %v", d))
		}
		o.timeout = d
	}
}

// WithRetries sets how many times the task runs again after failed runs:
// with n retries it runs at most n+1 times. It must not be negative; the
// default is Config.DefaultRetries.
func WithRetries(n int) Option {
	return func(o *appendOptions) {
		if n < 0 {
			o.errs = append(o.errs, fmt.Errorf("WithRetries: want 0 or more, found %d", n))
		}
		o.retries, o.retriesSet = n, true
	}
}

// WithPriority sets the task's priority: among due tasks, higher runs
// first. The default is 0; negative values run after it.
func WithPriority(p int) Option {
	return func(o *appendOptions) { o.priority = p }
}

// WithDelay makes the task due d after it is appended, measured by the
// store's clock. It must not be negative.
func WithDelay(d time.Duration) Option {
	return func(o *appendOptions) {
		if d < 0 {
			o.errs = append(o.errs, fmt.Errorf("WithDelay: want 0 or more, found %v", d))
		}
		o.delay = d
	}
}

// WithRunAt makes the task due at t. A time in the past makes it due at
// once; it still runs after tasks that were due before it.
func WithRunAt(t time.Time) Option {
	return func(o *appendOptions) { o.runAt = t }
}

// record builds the stored form of one task from the options.
func (o *appendOptions) record(key, dataType string, data []byte) NewRecord {
	return NewRecord{
		ID:       NewID(),
		Executor: key,
		DataType: dataType,
		Data:     data,
		Queue:    DefaultQueue,
		Priority: o.priority,
		Timeout:  o.timeout,
		Retries:  o.retries,
		RunAt:    o.runAt,
		Delay:    o.delay,
	}
}
