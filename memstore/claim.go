package memstore

import (
	"container/heap"
	"context"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// Claim implements orchestratum.Store.
func (s *Store) Claim(ctx context.Context, p orch.ClaimParams) ([]orch.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	s.rescue(now)
	s.promote(now)
	token := orch.NewID().String()
	var out []orch.Record
	for len(out) < p.Limit {
		it := s.popBest(p.Queue, p.Executors)
		if it == nil {
			break
		}
		lease := min(min(max(it.rec.Timeout, 0), p.Lease)+p.TimeoutBuffer, p.Lease)
		it.rec.State = orch.StateRunning
		it.rec.Attempt++
		it.rec.LeaseToken = token
		it.rec.LockedUntil = now.Add(lease)
		s.running[it.rec.ID] = it
		out = append(out, copyRecord(&it.rec))
	}
	return out, nil
}

// rescue settles running tasks whose lease has ended: the lost run counts
// as a failed attempt.
func (s *Store) rescue(now time.Time) {
	for id, it := range s.running {
		if it.rec.LockedUntil.After(now) {
			continue
		}
		delete(s.running, id)
		r := &it.rec
		cancel := r.CancelRequested
		r.LockedUntil, r.LeaseToken, r.CancelRequested = time.Time{}, "", false
		s.record(it, orch.KindLeaseLost, orch.ErrLeaseExpired.Error(), now)
		if cancel {
			s.final(it, orch.StateCancelled, nil, now)
			continue
		}
		if r.RetriesLeft <= 0 {
			r.RetriesLeft = 0
			s.final(it, orch.StateFailed, nil, now)
			continue
		}
		r.RetriesLeft--
		r.State = orch.StatePending // keeping its place in line
		s.enqueue(it)
	}
}

// promote moves due tasks from the scheduled heap to their ready heaps.
func (s *Store) promote(now time.Time) {
	for s.scheduled.Len() > 0 {
		e := s.scheduled.list[0]
		if e.gen == e.it.gen && e.it.rec.RunAt.After(now) {
			return
		}
		heap.Pop(&s.scheduled)
		if e.gen != e.it.gen || e.it.rec.State != orch.StatePending {
			continue
		}
		key := readyKey(e.it.rec.Queue, e.it.rec.Executor)
		h := s.ready[key]
		if h == nil {
			h = &itemHeap{byPriority: true}
			s.ready[key] = h
		}
		heap.Push(h, e)
	}
}

// popBest removes and returns the first ready task among the executors.
func (s *Store) popBest(queue string, executors []string) *item {
	var best *itemHeap
	for _, ex := range executors {
		h := s.ready[readyKey(queue, ex)]
		if h == nil {
			continue
		}
		h.dropStale()
		if h.Len() > 0 && (best == nil || h.less(h.entries()[0], best.entries()[0])) {
			best = h
		}
	}
	if best == nil {
		return nil
	}
	return heap.Pop(best).(entry).it
}

func readyKey(queue, executor string) string { return queue + "\x00" + executor }

// Heartbeat implements orchestratum.Store.
func (s *Store) Heartbeat(ctx context.Context, p orch.HeartbeatParams) (orch.HeartbeatResult, error) {
	if err := ctx.Err(); err != nil {
		return orch.HeartbeatResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	var res orch.HeartbeatResult
	for _, l := range p.Leases {
		it := s.held(l)
		if it == nil {
			res.Lost = append(res.Lost, l.ID)
			continue
		}
		it.rec.LockedUntil = now.Add(p.Lease)
		if it.rec.CancelRequested {
			res.Cancelled = append(res.Cancelled, l.ID)
		}
	}
	return res, nil
}

// held returns the running task that lease l still holds, or nil.
func (s *Store) held(l orch.Lease) *item {
	it, ok := s.running[l.ID]
	if !ok || it.rec.LeaseToken != l.Token {
		return nil
	}
	return it
}
