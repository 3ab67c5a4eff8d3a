package orchestratum

import (
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Defaults applied to the zero fields of a Config.
const (
	DefaultConcurrency   = 10
	DefaultPollInterval  = time.Second
	DefaultLease         = 30 * time.Second
	DefaultTimeoutBuffer = time.Second
	DefaultTimeout       = time.Minute
	DefaultRetries       = 3
	DefaultStopTimeout   = 10 * time.Second
	DefaultQueue         = "default"
)

// maxConcurrency bounds the slots of a queue: a goroutine per running task
// is cheap, a million of them is a configuration mistake.
const maxConcurrency = 100_000

// Config configures a Queue and a Runner. The zero value of every field
// means its default, so Config{} is a working configuration; pass the same
// Config to the queue and the runner of one service.
type Config struct {
	// Concurrency is how many tasks a runner runs at once, on each queue
	// that Queues does not size. Zero means DefaultConcurrency (10).
	Concurrency int

	// Queues names the queues a runner serves and how many tasks it runs
	// at once on each; zero means Concurrency. Nil serves DefaultQueue
	// alone. Tasks of a queue no runner serves wait.
	Queues map[string]int

	// Retention, when positive, is how long finished tasks are kept: one
	// runner at a time (elected through the store) deletes older ones in
	// batches. Zero keeps them forever.
	Retention time.Duration

	// PollInterval is how often an idle runner looks for due tasks when
	// nothing wakes it. Appends through the same store wake it at once,
	// so polling only catches tasks that become due later and appends the
	// store cannot signal. Zero means DefaultPollInterval (1s).
	PollInterval time.Duration

	// Lease is the longest a claim holds a task without renewal. A runner
	// renews the leases of its running tasks every Lease/3, so a task whose
	// runner died becomes claimable again within one Lease. Zero means
	// DefaultLease (30s).
	Lease time.Duration

	// TimeoutBuffer is the time a handler gets after its task's timeout
	// to return before the runner records the attempt as timed out without
	// it; a claim's lease never ends sooner than timeout + TimeoutBuffer
	// unless Lease is shorter. Zero means DefaultTimeoutBuffer (1s).
	TimeoutBuffer time.Duration

	// DefaultTimeout is the timeout of tasks appended without
	// WithTimeout. Zero means DefaultTimeout (1m).
	DefaultTimeout time.Duration

	// DefaultRetries is the retry count of tasks appended without
	// WithRetries. Zero means DefaultRetries (3); a negative value means no
	// retries.
	DefaultRetries int

	// Backoff returns how long to wait before running a task again after
	// its attempt-th run failed. Nil means ExponentialBackoff.
	Backoff func(attempt int) time.Duration

	// StopTimeout is how long a stopping runner lets running handlers
	// finish before it cancels them; tasks cut off this way go back to
	// pending without using a retry. Zero means DefaultStopTimeout (10s);
	// a negative value cancels them at once.
	StopTimeout time.Duration

	// Now is the runner's clock, which it reads for its own view of its
	// leases (when one has ended while the store could not be reached) and
	// for the fire times of periodic tasks. Due times and lease expiry
	// themselves are decided by the store's clock (the database's, on
	// PostgreSQL), so a runner whose clock is off neither runs a task early
	// nor takes one under a live lease. Nil means time.Now.
	Now func() time.Time

	// Logger receives lifecycle and anomaly logs; payloads are never
	// logged. Nil means slog.Default().
	Logger *slog.Logger

	// OnEvent, when set, is called after each outcome of a run is
	// recorded (or found discarded). It is called from the runner's
	// goroutines and must return quickly.
	OnEvent func(Event)
}

// withDefaults returns c with every zero field set to its default, or an
// error naming the first field that is out of range.
func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	def(&c.PollInterval, DefaultPollInterval)
	def(&c.Lease, DefaultLease)
	def(&c.TimeoutBuffer, DefaultTimeoutBuffer)
	def(&c.DefaultTimeout, DefaultTimeout)
	def(&c.StopTimeout, DefaultStopTimeout)
	switch {
	case c.DefaultRetries == 0:
		c.DefaultRetries = DefaultRetries
	case c.DefaultRetries < 0:
		c.DefaultRetries = 0
	}
	if c.Backoff == nil {
		c.Backoff = ExponentialBackoff
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	queues := make(map[string]int, max(1, len(c.Queues)))
	for q, n := range c.Queues {
		if n == 0 {
			n = c.Concurrency
		}
		queues[q] = n
	}
	if len(queues) == 0 {
		queues[DefaultQueue] = c.Concurrency
	}
	c.Queues = queues
	return c, c.validate()
}

// sortedQueues returns the queue names of m, sorted.
func sortedQueues(m map[string]int) []string {
	names := make([]string, 0, len(m))
	for q := range m {
		names = append(names, q)
	}
	slices.Sort(names)
	return names
}

func (c Config) validate() error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{
		{"PollInterval", c.PollInterval},
		{"Lease", c.Lease},
		{"TimeoutBuffer", c.TimeoutBuffer},
		{"DefaultTimeout", c.DefaultTimeout},
	} {
		if f.d < 0 {
			return fmt.Errorf("config: %s must not be negative, found %v", f.name, f.d)
		}
	}
	if c.Concurrency < 0 || c.Concurrency > maxConcurrency {
		return fmt.Errorf("config: Concurrency must be 0 to %d, found %d", maxConcurrency, c.Concurrency)
	}
	if c.DefaultRetries > maxCount {
		return fmt.Errorf("config: DefaultRetries must be at most %d, found %d", maxCount, c.DefaultRetries)
	}
	if c.PollInterval < time.Millisecond {
		return fmt.Errorf("config: PollInterval must be at least 1ms, found %v", c.PollInterval)
	}
	if c.DefaultTimeout < time.Millisecond {
		return fmt.Errorf("config: DefaultTimeout must be at least 1ms, found %v", c.DefaultTimeout)
	}
	if c.Lease < 3*time.Millisecond {
		return fmt.Errorf("config: Lease must be at least 3ms, found %v", c.Lease)
	}
	if c.Retention < 0 {
		return fmt.Errorf("config: Retention must not be negative, found %v", c.Retention)
	}
	for q, n := range c.Queues {
		if err := validateName("queue name", q); err != nil {
			return fmt.Errorf("config: Queues: %w", err)
		}
		if n < 0 || n > maxConcurrency {
			return fmt.Errorf("config: Queues[%q] must be 0 to %d, found %d", q, maxConcurrency, n)
		}
	}
	return nil
}
