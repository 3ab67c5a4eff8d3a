package orchestratum

import (
	"context"
	"log/slog"
	"time"
)

// heartbeatLoop renews, every Lease/3, the leases of runs that will
// outlast them, in one store call. A run whose lease the store reports lost,
// or whose lease ends while the store cannot be reached, has its handler's
// context cancelled with ErrLeaseLost: another runner may take the task.
func (r *Runner) heartbeatLoop(ctx context.Context) {
	tick := time.NewTicker(r.cfg.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.heartbeat(ctx)
		}
	}
}

func (r *Runner) heartbeat(ctx context.Context) {
	sent := r.cfg.Now()
	due := r.dueForRenewal(sent)
	if len(due) == 0 {
		return
	}
	leases := make([]Lease, len(due))
	for i, ru := range due {
		leases[i] = ru.rec.Lease()
	}
	lost, err := r.store.Heartbeat(ctx, HeartbeatParams{Leases: leases, Lease: r.cfg.Lease})
	if err != nil {
		r.log.WarnContext(ctx, "orchestratum: renewing leases failed",
			slog.Int("leases", len(leases)), slog.Any("error", err))
		r.cancelExpired(r.cfg.Now())
		return
	}
	lostSet := make(map[ID]bool, len(lost))
	for _, id := range lost {
		lostSet[id] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ru := range due {
		if lostSet[ru.rec.ID] {
			r.log.WarnContext(ctx, "orchestratum: lease lost; cancelling the handler", ru.attrs())
			ru.cancel(ErrLeaseLost)
			continue
		}
		// The store counted the new lease from a moment after sent.
		ru.expiry = sent.Add(r.cfg.Lease)
	}
}

// dueForRenewal returns the runs whose handler may still be running when
// their lease ends and whose lease ends within two thirds of a period.
func (r *Runner) dueForRenewal(now time.Time) []*run {
	r.mu.Lock()
	defer r.mu.Unlock()
	var due []*run
	for _, ru := range r.runs {
		if ru.deadline.After(ru.expiry) && ru.expiry.Sub(now) < 2*r.cfg.Lease/3 {
			due = append(due, ru)
		}
	}
	return due
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
