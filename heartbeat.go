package orchestratum

import (
	"context"
	"log/slog"
	"time"
)

// heartbeatLoop renews the leases of every run every Lease/3, in one store
// call, and learns in the same call which tasks were cancelled; a hint on
// cancels makes it check at once. A run whose lease the store reports
// lost, or whose lease ends while the store cannot be reached, has its
// handler's context cancelled with ErrLeaseLost: another runner may take
// the task. A cancelled task's handler gets ErrCancelled.
func (r *Runner) heartbeatLoop(ctx context.Context, cancels <-chan struct{}) {
	tick := time.NewTicker(r.cfg.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-cancels:
		}
		r.heartbeat(ctx)
	}
}

func (r *Runner) heartbeat(ctx context.Context) {
	sent := r.cfg.Now()
	runs := r.current()
	if len(runs) == 0 {
		return
	}
	leases := make([]Lease, len(runs))
	for i, ru := range runs {
		leases[i] = ru.rec.Lease()
	}
	res, err := r.store.Heartbeat(ctx, HeartbeatParams{Leases: leases, Lease: r.cfg.Lease})
	if err != nil {
		r.log.WarnContext(ctx, "orchestratum: renewing leases failed",
			slog.Int("leases", len(leases)), slog.Any("error", err))
		r.cancelExpired(r.cfg.Now())
		return
	}
	lost, cancelled := idSet(res.Lost), idSet(res.Cancelled)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ru := range runs {
		switch id := ru.rec.ID; {
		case lost[id]:
			r.log.WarnContext(ctx, "orchestratum: lease lost; cancelling the handler", ru.attrs())
			ru.cancel(ErrLeaseLost)
		case cancelled[id]:
			r.log.InfoContext(ctx, "orchestratum: task cancelled; cancelling the handler", ru.attrs())
			ru.cancel(ErrCancelled)
			fallthrough
		default:
			// The store counted the new lease from a moment after sent.
			ru.expiry = sent.Add(r.cfg.Lease)
		}
	}
}

func idSet(ids []ID) map[ID]bool {
	m := make(map[ID]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// current returns the runs in progress.
func (r *Runner) current() []*run {
	r.mu.Lock()
	defer r.mu.Unlock()
	runs := make([]*run, 0, len(r.runs))
	for _, ru := range r.runs {
		runs = append(runs, ru)
	}
	return runs
}

// cancelExpired stops the handlers whose lease has ended by now.
func (r *Runner) cancelExpired(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ru := range r.runs {
		if !now.Before(ru.expiry) {
			r.log.WarnContext(context.Background(), "orchestratum: lease ended without renewal; "+
				"cancelling the handler", ru.attrs())
			ru.cancel(ErrLeaseLost)
		}
	}
}
