package orchestratum

import (
	"context"
	"log/slog"
	"time"
)

// pruneBatch bounds how many tasks one Store.Prune call deletes.
const pruneBatch = 1000

// pruneLoop deletes finished tasks older than Config.Retention. Every
// runner runs it; a lock in the store lets one at a time prune, and the
// holder keeps the lock while it lives, so the work does not hop between
// runners.
func (r *Runner) pruneLoop(ctx context.Context) {
	if r.cfg.Retention <= 0 {
		return
	}
	every := min(max(r.cfg.Retention/10, time.Second), time.Minute)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		r.pruneOnce(ctx, 3*every)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// pruneOnce prunes in batches while this runner holds the prune lock.
func (r *Runner) pruneOnce(ctx context.Context, ttl time.Duration) {
	held, err := r.store.TryLock(ctx, LockParams{Name: "prune", Holder: r.id, TTL: ttl})
	if err != nil || !held {
		if err != nil && ctx.Err() == nil {
			r.log.WarnContext(ctx, "orchestratum: taking the prune lock failed", slog.Any("error", err))
		}
		return
	}
	total := 0
	for ctx.Err() == nil {
		n, err := r.store.Prune(ctx, PruneParams{Age: r.cfg.Retention, Limit: pruneBatch})
		if err != nil {
			if ctx.Err() == nil {
				r.log.WarnContext(ctx, "orchestratum: pruning finished tasks failed", slog.Any("error", err))
			}
			return
		}
		total += n
		if n < pruneBatch {
			break
		}
	}
	if total > 0 {
		r.log.InfoContext(ctx, "orchestratum: pruned finished tasks", slog.Int("deleted", total),
			slog.Duration("older_than", r.cfg.Retention))
	}
}
