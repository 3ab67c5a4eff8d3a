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
	unique    map[string]orch.ID // unique keys of active tasks
	locks     map[string]lock
	hub       orch.Hub
}

// item is a task, its history, and the generation of its place in the
// heaps: a heap entry whose generation is stale is skipped when it
// surfaces.
type item struct {
	rec     orch.Record
	history []orch.Attempt
	gen     int
}

type entry struct {
	it  *item
	gen int
}

type lock struct {
	holder string
	until  time.Time
}

var _ orch.Store = (*Store)(nil)

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
		unique:  make(map[string]orch.ID),
		locks:   make(map[string]lock),
	}
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Append implements orchestratum.Store.
func (s *Store) Append(ctx context.Context, p orch.AppendParams) (orch.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return orch.AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.plan(p.Tasks)
	if err != nil {
		return orch.AppendResult{}, err
	}
	now := s.clock()
	inserted := false
	for i := range p.Tasks {
		if !res.Existed[i] {
			s.insert(&p.Tasks[i], now)
			inserted = true
		}
	}
	if inserted {
		s.hub.Wake()
	}
	return res, nil
}

// plan decides, before anything changes, which tasks an append inserts.
func (s *Store) plan(tasks []orch.NewRecord) (orch.AppendResult, error) {
	res := orch.AppendResult{IDs: make([]orch.ID, len(tasks)), Existed: make([]bool, len(tasks))}
	ids := make(map[orch.ID]bool, len(tasks))
	keys := make(map[string]orch.ID)
	for i := range tasks {
		t := &tasks[i]
		res.IDs[i] = t.ID
		_, exists := s.tasks[t.ID]
		switch {
		case (exists || ids[t.ID]) && t.IfAbsent:
			res.Existed[i] = true
			continue
		case exists || ids[t.ID]:
			return orch.AppendResult{}, fmt.Errorf("append task %s: a task with this id exists", t.ID)
		}
		if k := uniqueKey(t.Executor, t.UniqueKey); k != "" {
			if id, held := s.unique[k]; held {
				res.IDs[i], res.Existed[i] = id, true
				continue
			}
			if id, held := keys[k]; held {
				res.IDs[i], res.Existed[i] = id, true
				continue
			}
			keys[k] = t.ID
		}
		ids[t.ID] = true
	}
	return res, nil
}

func uniqueKey(executor, key string) string {
	if key == "" {
		return ""
	}
	return executor + "\x00" + key
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
		Timeout:     t.Timeout.Truncate(time.Millisecond), // as SQL stores keep it
		State:       orch.StatePending,
		RetriesLeft: t.Retries,
		CreatedAt:   now,
		RunAt:       runAt,
		UniqueKey:   t.UniqueKey,
		Chain:       t.Chain,
	}}
	s.tasks[t.ID] = it
	if k := uniqueKey(t.Executor, t.UniqueKey); k != "" {
		s.unique[k] = t.ID
	}
	s.enqueue(it)
}

// enqueue puts a pending task in the scheduled heap; Claim moves it to its
// ready heap once due.
func (s *Store) enqueue(it *item) {
	it.gen++
	heap.Push(&s.scheduled, entry{it: it, gen: it.gen})
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

// Subscribe implements orchestratum.Store. Appends and cancellations
// through this Store wake its subscribers.
func (s *Store) Subscribe() *orch.Subscription { return s.hub.Subscribe() }

func copyRecord(r *orch.Record) orch.Record {
	c := *r
	c.Data = slices.Clone(r.Data)
	c.Result = slices.Clone(r.Result)
	return c
}
