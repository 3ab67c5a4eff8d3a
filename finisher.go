package orchestratum

import (
	"context"
	"log/slog"
	"time"
)

// maxFinishBatch bounds how many outcomes one Store.Finish call records.
const maxFinishBatch = 1000

// finisher records outcomes in batches: while one batch is being written,
// the outcomes that arrive meanwhile gather into the next, so a busy runner
// pays one transaction for many tasks and an idle one writes at once.
type finisher struct {
	store     Store
	cfg       Config
	log       *slog.Logger
	in        chan finishItem
	wakeAfter func(queue string, d time.Duration)
}

type finishItem struct {
	outcome Outcome
	rec     Record
	err     error
	elapsed time.Duration
}

func newFinisher(store Store, cfg Config, wakeAfter func(string, time.Duration)) *finisher {
	return &finisher{
		store:     store,
		cfg:       cfg,
		log:       cfg.Logger,
		in:        make(chan finishItem, min(cfg.Concurrency, maxFinishBatch)),
		wakeAfter: wakeAfter,
	}
}

func (f *finisher) submit(it finishItem) { f.in <- it }

// close ends the loop once every submitted outcome is recorded.
func (f *finisher) close() { close(f.in) }

func (f *finisher) loop(ctx context.Context) {
	batch := make([]finishItem, 0, maxFinishBatch)
	for it := range f.in {
		batch = append(batch[:0], it)
	gather:
		for len(batch) < maxFinishBatch {
			select {
			case it, ok := <-f.in:
				if !ok {
					break gather
				}
				batch = append(batch, it)
			default:
				break gather
			}
		}
		f.flush(ctx, batch)
	}
}

// flush records one batch. When the store refuses the batch, each outcome
// is recorded on its own, so that one the store cannot take (or a store
// that is down) holds up no other. See record.
func (f *finisher) flush(ctx context.Context, batch []finishItem) {
	if res, err := f.finish(ctx, batch); err == nil || len(batch) == 1 {
		f.settled(ctx, batch, res, err)
		return
	}
	for i := range batch {
		res, err := f.finish(ctx, batch[i:i+1])
		f.settled(ctx, batch[i:i+1], res, err)
	}
}

// finish records outcomes, retrying while the store fails. It gives up
// after one lease period: by then the leases have ended and the tasks
// belong to whoever rescues them. Each try is bounded by the lease too.
func (f *finisher) finish(ctx context.Context, batch []finishItem) (FinishResult, error) {
	outcomes := make([]Outcome, len(batch))
	for i := range batch {
		outcomes[i] = batch[i].outcome
	}
	giveUp := f.cfg.Now().Add(f.cfg.Lease)
	for attempt := 1; ; attempt++ {
		tryCtx, cancel := context.WithTimeout(ctx, f.cfg.Lease)
		res, err := f.store.Finish(tryCtx, FinishParams{Outcomes: outcomes})
		cancel()
		if err == nil || f.cfg.Now().After(giveUp) {
			return res, err
		}
		f.log.WarnContext(ctx, "orchestratum: recording outcomes failed; retrying",
			slog.Int("outcomes", len(outcomes)), slog.Int("attempt", attempt), slog.Any("error", err))
		time.Sleep(min(time.Duration(attempt)*50*time.Millisecond, time.Second))
	}
}

// settled reports the outcomes of a batch that was recorded, or logs that
// it could not be.
func (f *finisher) settled(ctx context.Context, batch []finishItem, res FinishResult, err error) {
	if err != nil {
		f.log.ErrorContext(ctx, "orchestratum: could not record outcomes; "+
			"their tasks will be rescued when their leases end",
			slog.Int("outcomes", len(batch)), slog.Any("error", err))
		return
	}
	lost, cancelled := idSet(res.Lost), idSet(res.Cancelled)
	for i := range batch {
		it := &batch[i]
		if cancelled[it.rec.ID] {
			// The task's cancellation was requested before this outcome
			// arrived: the store recorded the cancellation instead.
			it.outcome = Outcome{Lease: it.outcome.Lease, State: StateCancelled,
				Error: it.outcome.Error, Kind: it.outcome.Kind}
		}
		f.report(ctx, it, lost[it.rec.ID])
	}
}

// report logs an outcome and passes it to Config.OnEvent.
func (f *finisher) report(ctx context.Context, it *finishItem, lost bool) {
	o := &it.outcome
	ev := Event{Task: it.rec, Err: it.err, Duration: it.elapsed}
	attrs := []any{
		slog.String("task_id", it.rec.ID.String()),
		slog.String("executor", it.rec.Executor),
		slog.Int("attempt", it.rec.Attempt),
	}
	if it.err != nil {
		attrs = append(attrs, slog.String("error", o.Error))
	}
	switch {
	case lost:
		ev.Kind = EventDiscarded
		f.log.WarnContext(ctx, "orchestratum: lease lost before the outcome was recorded; "+
			"outcome discarded", append(attrs, slog.String("outcome", string(o.State)))...)
	case o.State == StateCompleted:
		ev.Kind = EventCompleted
	case o.State == StateFailed:
		ev.Kind = EventFailed
		f.log.WarnContext(ctx, "orchestratum: task failed", attrs...)
	case o.State == StateCancelled:
		ev.Kind = EventCancelled
	case o.UseRetry:
		ev.Kind = EventRetrying
		ev.Delay = o.Delay
		f.wakeAfter(it.rec.Queue, o.Delay)
		f.log.InfoContext(ctx, "orchestratum: attempt failed; retrying",
			append(attrs, slog.Duration("delay", o.Delay))...)
	case o.Error == "":
		ev.Kind = EventSnoozed
		ev.Delay = o.Delay
		f.wakeAfter(it.rec.Queue, o.Delay)
	default:
		ev.Kind = EventReleased
		f.wakeAfter(it.rec.Queue, 0)
	}
	if f.cfg.OnEvent != nil {
		logPanic(f.log, guard("Config.OnEvent", func() { f.cfg.OnEvent(ev) }))
	}
}
