// Package storetest is the conformance suite for orchestratum.Store
// implementations. A store's tests call Run with a function that builds a
// fresh, empty store on a fake clock; every case then runs on its own
// store and names the rule of the Store contract it checks.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, clock *storetest.Clock) orchestratum.Store {
//			return memstore.New(memstore.Options{Now: clock.Now})
//		})
//	}
package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// NewStore returns a fresh, empty store whose clock is clock.Now, and
// arranges for it to be closed when t ends.
type NewStore func(t *testing.T, clock *Clock) orch.Store

// Clock is a fake clock that moves only when told.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// start is where every case's clock starts: a time with nanoseconds, to
// check that stores keep microseconds.
var start = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

// fixture is one case's store and clock.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store orch.Store
	clock *Clock
}

type testCase struct {
	name string
	rule string
	fn   func(f *fixture)
}

// Run runs every conformance case as a subtest of t, each on a fresh store
// from newStore.
func Run(t *testing.T, newStore NewStore) {
	for _, group := range [][]testCase{appendCases, claimCases, extremeCases, leaseCases,
		finishCases, otherCases, uniqueCases, chainCases, cancelCases, cancelRequestCases, adminCases} {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				t.Logf("rule: %s", tc.rule)
				clock := NewClock(start)
				f := &fixture{t: t, ctx: t.Context(), clock: clock, store: newStore(t, clock)}
				tc.fn(f)
			})
		}
	}
}
