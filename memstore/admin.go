package memstore

import (
	"context"
	"fmt"
	"slices"

	orch "github.com/orchestratum/orchestratum"
)

// List implements orchestratum.Store.
func (s *Store) List(ctx context.Context, p orch.ListParams) ([]orch.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.Limit <= 0 {
		p.Limit = 100
	}
	switch p.State {
	case "", orch.StatePending, orch.StateRunning, orch.StateCompleted, orch.StateFailed, orch.StateCancelled:
	default:
		return nil, fmt.Errorf("list tasks: unknown state %q", p.State)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []orch.Record
	for _, it := range s.tasks {
		if matches(&it.rec, &p) {
			out = append(out, copyRecord(&it.rec))
		}
	}
	slices.SortFunc(out, func(a, b orch.Record) int { return a.ID.Compare(b.ID) })
	return out[:min(len(out), p.Limit)], nil
}

func matches(r *orch.Record, p *orch.ListParams) bool {
	switch {
	case p.State != "" && r.State != p.State,
		p.Executor != "" && r.Executor != p.Executor,
		p.Queue != "" && r.Queue != p.Queue,
		!p.From.IsZero() && r.CreatedAt.Before(p.From),
		!p.To.IsZero() && !r.CreatedAt.Before(p.To),
		!p.After.IsZero() && r.ID.Compare(p.After) <= 0:
		return false
	}
	return true
}

// History implements orchestratum.Store.
func (s *Store) History(ctx context.Context, id orch.ID) ([]orch.Attempt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.tasks[id]; ok {
		return slices.Clone(it.history), nil
	}
	return nil, nil
}

// Count implements orchestratum.Store.
func (s *Store) Count(ctx context.Context, p orch.CountParams) (orch.Counts, error) {
	if err := ctx.Err(); err != nil {
		return orch.Counts{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var c orch.Counts
	for _, it := range s.tasks {
		if p.Executor != "" && it.rec.Executor != p.Executor {
			continue
		}
		switch it.rec.State {
		case orch.StatePending:
			c.Pending++
		case orch.StateRunning:
			c.Running++
		case orch.StateCompleted:
			c.Completed++
		case orch.StateFailed:
			c.Failed++
		case orch.StateCancelled:
			c.Cancelled++
		}
	}
	return c, nil
}

// Prune implements orchestratum.Store.
func (s *Store) Prune(ctx context.Context, p orch.PruneParams) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cutoff := s.clock().Add(-p.Age)
	var old []*item
	for _, it := range s.tasks {
		if it.rec.State.Finished() && !it.rec.FinishedAt.After(cutoff) {
			old = append(old, it)
		}
	}
	slices.SortFunc(old, func(a, b *item) int {
		if c := a.rec.FinishedAt.Compare(b.rec.FinishedAt); c != 0 {
			return c
		}
		return a.rec.ID.Compare(b.rec.ID)
	})
	old = old[:min(len(old), p.Limit)]
	for _, it := range old {
		s.remove(it)
	}
	return len(old), nil
}

// TryLock implements orchestratum.Store.
func (s *Store) TryLock(ctx context.Context, p orch.LockParams) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	l, held := s.locks[p.Name]
	if held && l.holder != p.Holder && l.until.After(now) {
		return false, nil
	}
	s.locks[p.Name] = lock{holder: p.Holder, until: now.Add(p.TTL)}
	return true, nil
}
