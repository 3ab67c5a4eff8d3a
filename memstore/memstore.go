// Package memstore is an orchestratum.Store that keeps tasks in memory.
//
// It keeps the same contract as the database stores (the storetest suite
// proves it), so handler tests run against it in microseconds with no
// database. Tasks live as long as the Store value: use it in tests and in
// single processes whose tasks may be lost with the process.
package memstore

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// Options configures a Store.
type Options struct {
	// Now is the store's clock. Nil means time.Now. Tests inject a fake
	// clock to move leases and run-at times without sleeping.
	Now func() time.Time
}

// Store is an orchestratum.Store in memory. The zero value is not usable;
// call New.
type Store struct {
	now func() time.Time

	mu        sync.Mutex
	tasks     map[orch.ID]*item
	scheduled itemHeap             // pending, not yet due, by run-at
	ready     map[string]*itemHeap // pending and due, per queue and executor
	running   map[orch.ID]*item
	subs      map[chan struct{}]struct{}
}

// item is a task and the generation of its place in the heaps: a heap
// entry whose generation is stale is skipped when it surfaces.
type item struct {
	rec orch.Record
	gen int
}

type entry struct {
	it  *item
	gen int
}

// New returns an empty store.
func New(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{
		now:     opts.Now,
		tasks:   make(map[orch.ID]*item),
		ready:   make(map[string]*itemHeap),
		running: make(map[orch.ID]*item),
		subs:    make(map[chan struct{}]struct{}),
	}
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Append implements orchestratum.Store.
func (s *Store) Append(ctx context.Context, p orch.AppendParams) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[orch.ID]bool, len(p.Tasks))
	for i := range p.Tasks {
		id := p.Tasks[i].ID
		if _, dup := s.tasks[id]; dup || seen[id] {
			return fmt.Errorf("append task %s: a task with this id exists", id)
		}
		seen[id] = true
	}
	now := s.clock()
	for i := range p.Tasks {
		s.insert(&p.Tasks[i], now)
	}
	s.notify()
	return nil
}

func (s *Store) insert(t *orch.NewRecord, now time.Time) {
	runAt := now.Add(t.Delay)
	if !t.RunAt.IsZero() {
		runAt = t.RunAt.UTC().Truncate(time.Microsecond)
	}
	it := &item{rec: orch.Record{
		ID:          t.ID,
		Executor:    t.Executor,
		DataType:    t.DataType,
		Data:        slices.Clone(t.Data),
		Queue:       t.Queue,
		Priority:    t.Priority,
		Timeout:     t.Timeout,
		State:       orch.StatePending,
		RetriesLeft: t.Retries,
		CreatedAt:   now,
		RunAt:       runAt,
	}}
	s.tasks[t.ID] = it
	s.enqueue(it)
}

// enqueue puts a pending task in the scheduled heap; Claim moves it to its
// ready heap once due.
func (s *Store) enqueue(it *item) {
	it.gen++
	heap.Push(&s.scheduled, entry{it: it, gen: it.gen})
}

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
	token := newToken()
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
		r.LockedUntil, r.LeaseToken = time.Time{}, ""
		r.LastError = orch.ErrLeaseExpired.Error()
		if r.RetriesLeft == 0 {
			r.State, r.FinishedAt = orch.StateFailed, now
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
func (s *Store) Heartbeat(ctx context.Context, p orch.HeartbeatParams) ([]orch.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	var lost []orch.ID
	for _, l := range p.Leases {
		it := s.held(l)
		if it == nil {
			lost = append(lost, l.ID)
			continue
		}
		it.rec.LockedUntil = now.Add(p.Lease)
	}
	return lost, nil
}

// held returns the running task that lease l still holds, or nil.
func (s *Store) held(l orch.Lease) *item {
	it, ok := s.running[l.ID]
	if !ok || it.rec.LeaseToken != l.Token {
		return nil
	}
	return it
}

// Finish implements orchestratum.Store.
func (s *Store) Finish(ctx context.Context, p orch.FinishParams) ([]orch.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	var lost []orch.ID
	for i := range p.Outcomes {
		o := &p.Outcomes[i]
		it := s.held(o.Lease)
		if it == nil {
			lost = append(lost, o.ID)
			continue
		}
		delete(s.running, o.ID)
		s.settle(it, o, now)
	}
	return lost, nil
}

func (s *Store) settle(it *item, o *orch.Outcome, now time.Time) {
	r := &it.rec
	r.LockedUntil, r.LeaseToken = time.Time{}, ""
	if o.Error != "" {
		r.LastError = o.Error
	}
	switch o.State {
	case orch.StateCompleted, orch.StateFailed:
		r.State, r.FinishedAt = o.State, now
	default:
		if o.UseRetry && r.RetriesLeft > 0 {
			r.RetriesLeft--
		}
		r.State, r.RunAt = orch.StatePending, now.Add(o.Delay)
		s.enqueue(it)
	}
}

// Get implements orchestratum.Store.
func (s *Store) Get(ctx context.Context, id orch.ID) (orch.Record, error) {
	if err := ctx.Err(); err != nil {
		return orch.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.tasks[id]
	if !ok {
		return orch.Record{}, fmt.Errorf("get task %s: %w", id, orch.ErrNotFound)
	}
	return copyRecord(&it.rec), nil
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
		}
	}
	return c, nil
}

// Subscribe implements orchestratum.Store. Appends through this Store wake
// its subscribers.
func (s *Store) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}
}

// notify wakes every subscriber; the caller holds s.mu.
func (s *Store) notify() {
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func copyRecord(r *orch.Record) orch.Record {
	c := *r
	c.Data = slices.Clone(r.Data)
	return c
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
