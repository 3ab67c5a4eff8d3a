package memstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// Finish implements orchestratum.Store.
func (s *Store) Finish(ctx context.Context, p orch.FinishParams) (orch.FinishResult, error) {
	if err := ctx.Err(); err != nil {
		return orch.FinishResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	var res orch.FinishResult
	for i := range p.Outcomes {
		o := &p.Outcomes[i]
		it := s.held(o.Lease)
		if it == nil {
			res.Lost = append(res.Lost, o.ID)
			continue
		}
		delete(s.running, o.ID)
		if s.settle(it, o, now) {
			res.Cancelled = append(res.Cancelled, o.ID)
		}
	}
	return res, nil
}

// settle applies an outcome and reports whether a requested cancellation
// turned it into one.
func (s *Store) settle(it *item, o *orch.Outcome, now time.Time) bool {
	r := &it.rec
	cancel := r.CancelRequested
	r.LockedUntil, r.LeaseToken, r.CancelRequested = time.Time{}, "", false
	if o.Error != "" {
		s.record(it, o.Kind, o.Error, now)
	}
	if cancel && !o.State.Finished() {
		// A requested cancellation wins over a retry, a snooze or a
		// release; a completion or a failure wins over it.
		s.final(it, orch.StateCancelled, nil, now)
		return true
	}
	switch o.State {
	case orch.StateCompleted:
		r.Result, r.ResultType = slices.Clone(o.Result), o.ResultType
		s.final(it, o.State, o.FollowUps, now)
	case orch.StateFailed, orch.StateCancelled:
		s.final(it, o.State, o.FollowUps, now)
	default:
		if o.UseRetry && r.RetriesLeft > 0 {
			r.RetriesLeft--
		}
		r.State, r.RunAt = orch.StatePending, now.Add(o.Delay)
		s.enqueue(it)
	}
	return false
}

// record adds a failed attempt to the task's history and makes its error
// the last error.
func (s *Store) record(it *item, kind orch.AttemptKind, msg string, now time.Time) {
	it.rec.LastError = msg
	it.history = append(it.history, orch.Attempt{Attempt: it.rec.Attempt, At: now, Kind: kind, Error: msg})
}

// final puts a task in a final state and appends its follow-ups: those of
// its chain for the state, then extra.
func (s *Store) final(it *item, state orch.State, extra []orch.NewRecord, now time.Time) {
	r := &it.rec
	r.State, r.FinishedAt = state, now
	it.gen++ // drops its heap entries
	if k := uniqueKey(r.Executor, r.UniqueKey); k != "" && s.unique[k] == r.ID {
		delete(s.unique, k)
	}
	followUps := append(slices.Clone(r.Chain.For(state)), extra...)
	for i := range followUps {
		followUps[i].IfAbsent = true
	}
	res, err := s.plan(followUps)
	if err != nil {
		return // cannot happen: every follow-up is IfAbsent
	}
	for i := range followUps {
		if !res.Existed[i] {
			s.insert(&followUps[i], now)
		}
	}
	if len(followUps) > 0 {
		s.hub.Wake()
	}
}

// Cancel implements orchestratum.Store.
func (s *Store) Cancel(ctx context.Context, id orch.ID) (orch.State, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.tasks[id]
	switch {
	case !ok:
		return "", fmt.Errorf("cancel task %s: %w", id, orch.ErrNotFound)
	case it.rec.State.Finished():
		return it.rec.State, fmt.Errorf("cancel task %s: %w (%s)", id, orch.ErrFinished, it.rec.State)
	case it.rec.State == orch.StateRunning:
		it.rec.CancelRequested = true
		s.hub.WakeCancel()
		return orch.StateRunning, nil
	}
	s.final(it, orch.StateCancelled, nil, s.clock())
	return orch.StateCancelled, nil
}

// Retry implements orchestratum.Store.
func (s *Store) Retry(ctx context.Context, p orch.RetryParams) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.tasks[p.ID]
	if !ok {
		return fmt.Errorf("retry task %s: %w", p.ID, orch.ErrNotFound)
	}
	r := &it.rec
	switch r.State {
	case orch.StateCompleted:
		return fmt.Errorf("retry task %s: %w", p.ID, orch.ErrCompleted)
	case orch.StatePending, orch.StateRunning:
		return fmt.Errorf("retry task %s: %w (%s)", p.ID, orch.ErrNotFinished, r.State)
	}
	if k := uniqueKey(r.Executor, r.UniqueKey); k != "" {
		if holder, held := s.unique[k]; held {
			return fmt.Errorf("retry task %s: %w: task %s", p.ID, orch.ErrDuplicate, holder)
		}
		s.unique[k] = r.ID
	}
	r.State, r.RunAt, r.FinishedAt, r.RetriesLeft = orch.StatePending, s.clock(), time.Time{}, p.Retries
	s.enqueue(it)
	s.hub.Wake()
	return nil
}

// Delete implements orchestratum.Store.
func (s *Store) Delete(ctx context.Context, id orch.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.tasks[id]
	switch {
	case !ok:
		return fmt.Errorf("delete task %s: %w", id, orch.ErrNotFound)
	case it.rec.State == orch.StateRunning:
		return fmt.Errorf("delete task %s: %w", id, orch.ErrRunning)
	}
	s.remove(it)
	return nil
}

// remove forgets a task that is not running.
func (s *Store) remove(it *item) {
	r := &it.rec
	if k := uniqueKey(r.Executor, r.UniqueKey); k != "" && s.unique[k] == r.ID {
		delete(s.unique, k)
	}
	it.gen++
	r.State = "" // its heap entries, if any, are stale now
	delete(s.tasks, r.ID)
}
