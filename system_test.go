package orchestratum_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
	"github.com/orchestratum/orchestratum/storetest"
)

// system is a queue and a runner on a fresh memstore with a fake clock.
type system struct {
	t      *testing.T
	clock  *storetest.Clock
	store  *memstore.Store
	reg    *orch.Registry
	queue  *orch.Queue
	cfg    orch.Config
	events chan orch.Event
}

// quietLogger drops log output; tests assert on events and stored state.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func newSystem(t *testing.T, cfg orch.Config) *system {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	s := &system{
		t:      t,
		clock:  clock,
		store:  memstore.New(memstore.Options{Now: clock.Now}),
		reg:    orch.NewRegistry(),
		events: make(chan orch.Event, 1000),
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger
	}
	if cfg.Backoff == nil {
		cfg.Backoff = orch.ConstantBackoff(0)
	}
	cfg.OnEvent = func(e orch.Event) { s.events <- e }
	s.cfg = cfg
	q, err := orch.NewQueue(s.store, s.reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.queue = q
	return s
}

// useRealClock replaces the system's store with one on the real clock,
// before any task is appended.
func (s *system) useRealClock() {
	s.store = memstore.New(memstore.Options{})
	q, err := orch.NewQueue(s.store, s.reg, s.cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	s.queue = q
}

// run starts a runner on the system and stops it when the test ends; the
// returned function stops it earlier and waits for Run to return.
func (s *system) run() (stop func()) {
	s.t.Helper()
	r, err := orch.NewRunner(s.store, s.reg, s.cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				s.t.Errorf("Run returned %v", err)
			}
		case <-time.After(30 * time.Second):
			s.t.Fatal("Run did not return within 30s of its context ending")
		}
	}
	s.t.Cleanup(stop)
	return stop
}

// event waits for the next event.
func (s *system) event() orch.Event {
	s.t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-time.After(30 * time.Second):
		s.t.Fatal("no event within 30s")
		return orch.Event{}
	}
}

// eventFor waits for the next event of task id, skipping others.
func (s *system) eventFor(id orch.ID) orch.Event {
	s.t.Helper()
	for {
		if e := s.event(); e.Task.ID == id {
			return e
		}
	}
}

// eventsFor waits for the next event of each of the tasks, in any order.
func (s *system) eventsFor(ids ...orch.ID) map[orch.ID]orch.Event {
	s.t.Helper()
	out := make(map[orch.ID]orch.Event, len(ids))
	for len(out) < len(ids) {
		e := s.event()
		for _, id := range ids {
			if e.Task.ID == id {
				if _, dup := out[id]; !dup {
					out[id] = e
				}
			}
		}
	}
	return out
}

func (s *system) get(id orch.ID) orch.Record {
	s.t.Helper()
	rec, err := s.queue.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return rec
}

// signal is a channel closed once, for a handler to tell the test it
// reached a point.
type signal chan struct{}

func (c signal) wait(t *testing.T, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
