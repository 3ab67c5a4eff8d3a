package orchestratum

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// lane claims and runs the tasks of one queue, with its own slots.
type lane struct {
	r      *Runner
	queue  string
	limit  int
	active atomic.Int64  // runs holding a slot
	freed  chan struct{} // a slot was freed; coalesced
	poke   chan struct{} // a task may have become due; coalesced
}

func newLane(r *Runner, queue string, limit int) *lane {
	return &lane{
		r:     r,
		queue: queue,
		limit: limit,
		freed: make(chan struct{}, 1),
		poke:  make(chan struct{}, 1),
	}
}

// wake makes the lane look for due tasks now.
func (l *lane) wake() {
	select {
	case l.poke <- struct{}{}:
	default:
	}
}

// release frees a slot and tells the fetch loop.
func (l *lane) release() {
	l.active.Add(-1)
	select {
	case l.freed <- struct{}{}:
	default:
	}
}

// fetchLoop claims tasks while slots are free and starts a run for each,
// until ctx ends. After a claim that filled every free slot, or when no
// slot is free, it claims again as soon as a slot frees; otherwise it
// waits for a wake-up or the poll.
func (l *lane) fetchLoop(ctx, runCtx context.Context, wg *sync.WaitGroup, keys []string) {
	r := l.r
	poll := time.NewTimer(r.cfg.PollInterval)
	defer poll.Stop()
	failures := 0
	for ctx.Err() == nil {
		free := l.limit - int(l.active.Load())
		full := false
		if free > 0 {
			recs, err := r.store.Claim(ctx, ClaimParams{
				Executors:     keys,
				Queue:         l.queue,
				Limit:         free,
				Lease:         r.cfg.Lease,
				TimeoutBuffer: r.cfg.TimeoutBuffer,
			})
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				failures++
				r.log.ErrorContext(ctx, "orchestratum: claim failed", slog.String("queue", l.queue),
					slog.Any("error", err), slog.Int("consecutive_failures", failures))
				sleep(ctx, min(r.cfg.PollInterval, time.Duration(failures)*100*time.Millisecond))
				continue
			}
			failures = 0
			l.start(runCtx, wg, recs)
			full = len(recs) == free
		}
		poll.Reset(r.cfg.PollInterval)
		if full || free <= 0 {
			l.gather(ctx)
			continue
		}
		select {
		case <-ctx.Done():
		case <-l.poke:
		case <-poll.C:
		}
	}
}

// gatherWindow is how long a lane with a backlog waits, after the first
// slot frees, for more slots to free before it claims, so that one claim
// takes many tasks: one statement (and one commit) for a batch instead of
// one per task. It only delays claims while all slots were busy.
const gatherWindow = time.Millisecond

// gather waits until a slot frees, then up to gatherWindow more while
// fewer than half the slots are free.
func (l *lane) gather(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-l.freed:
	}
	if l.limit-int(l.active.Load()) >= (l.limit+1)/2 {
		return
	}
	t := time.NewTimer(gatherWindow)
	defer t.Stop()
	for l.limit-int(l.active.Load()) < (l.limit+1)/2 {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case <-l.freed:
		}
	}
}

// start launches a run for each claimed record.
func (l *lane) start(ctx context.Context, wg *sync.WaitGroup, recs []Record) {
	for i := range recs {
		ru := l.r.newRun(recs[i])
		l.active.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer l.release()
			ru.execute(ctx)
		}()
	}
}
