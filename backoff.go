package orchestratum

import (
	"math/rand/v2"
	"time"
)

// ExponentialBackoff is the default Config.Backoff: one second after the
// first failure, doubling with each further one up to an hour, each delay
// spread by up to ±20% so that tasks that failed together do not all
// return together.
func ExponentialBackoff(attempt int) time.Duration {
	const base, ceiling = time.Second, time.Hour
	d := ceiling
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 12 {
		d = min(base<<(attempt-1), ceiling)
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return d + jitter
}

// ConstantBackoff returns a Config.Backoff that always waits d; zero runs
// a failed task again as soon as a runner is free.
func ConstantBackoff(d time.Duration) func(int) time.Duration {
	return func(int) time.Duration { return d }
}
