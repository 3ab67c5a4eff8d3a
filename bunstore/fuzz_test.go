package bunstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
	"github.com/orchestratum/orchestratum/memstore"
	"github.com/orchestratum/orchestratum/storetest"
)

// FuzzSQLiteAgainstModel drives random sequences of appends, claims,
// heartbeats, outcomes and clock moves through the SQLite store and
// through memstore, the model, and fails when their answers or their
// stored tasks differ.
func FuzzSQLiteAgainstModel(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 3, 0, 1, 2, 4, 20})
	f.Add([]byte{0, 1, 0, 2, 1, 7, 4, 12, 1, 3, 3, 1, 3, 2, 4, 39, 1, 6, 2, 0})
	f.Add([]byte{0, 5, 0, 6, 1, 2, 4, 11, 2, 1, 1, 1, 3, 9, 3, 6, 4, 31, 1, 5})
	f.Fuzz(func(t *testing.T, program []byte) {
		if len(program) > 200 {
			program = program[:200]
		}
		h := newHarness(t)
		for i := 0; i+1 < len(program); i += 2 {
			h.step(program[i]%5, int(program[i+1]))
		}
		h.compareAll()
	})
}

// harness runs each operation on the model and the subject. Each claim
// yields one lease per store, with different tokens; leases are kept in
// pairs so that later operations name the same claim on both.
type harness struct {
	t       *testing.T
	clock   *storetest.Clock
	model   orch.Store
	subject orch.Store
	ids     []orch.ID
	leases  [][2]orch.Lease // model, subject
}

func newHarness(t *testing.T) *harness {
	clock := storetest.NewClock(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	return &harness{
		t:       t,
		clock:   clock,
		model:   memstore.New(memstore.Options{Now: clock.Now}),
		subject: newSQLiteStore(t, bunstore.Options{Now: clock.Now}),
	}
}

var executors = [][]string{{"a"}, {"b"}, {"a", "b"}}

func (h *harness) step(op byte, x int) {
	ctx := h.t.Context()
	switch op {
	case 0:
		t := orch.NewRecord{ID: orch.NewID(), Executor: executors[x%2][0], DataType: "int",
			Data: []byte("1"), Queue: orch.DefaultQueue, Priority: x%3 - 1,
			Timeout: 10 * time.Second, Retries: x % 3, Delay: time.Duration(x%4) * time.Second}
		p := orch.AppendParams{Tasks: []orch.NewRecord{t}}
		m, errM := h.model.Append(ctx, p)
		s, errS := h.subject.Append(ctx, p)
		h.same("Append", [2]any{m, errM}, [2]any{s, errS})
		h.ids = append(h.ids, t.ID)
	case 1:
		p := orch.ClaimParams{Executors: executors[x%3], Queue: orch.DefaultQueue,
			Limit: 1 + x%3, Lease: 30 * time.Second, TimeoutBuffer: time.Second}
		m, errM := h.model.Claim(ctx, p)
		s, errS := h.subject.Claim(ctx, p)
		h.same("Claim error", errM, errS)
		h.same("Claim", blank(m), blank(s))
		for i := range m {
			h.leases = append(h.leases, [2]orch.Lease{m[i].Lease(), s[i].Lease()})
		}
	case 2:
		if l, ok := h.lease(x); ok {
			m, errM := h.model.Heartbeat(ctx, orch.HeartbeatParams{Leases: []orch.Lease{l[0]}, Lease: 30 * time.Second})
			s, errS := h.subject.Heartbeat(ctx, orch.HeartbeatParams{Leases: []orch.Lease{l[1]}, Lease: 30 * time.Second})
			h.same("Heartbeat", [2]any{m, errM}, [2]any{s, errS})
		}
	case 3:
		if l, ok := h.lease(x); ok {
			o := outcome(x)
			o.Lease = l[0]
			m, errM := h.model.Finish(ctx, orch.FinishParams{Outcomes: []orch.Outcome{o}})
			o.Lease = l[1]
			s, errS := h.subject.Finish(ctx, orch.FinishParams{Outcomes: []orch.Outcome{o}})
			h.same("Finish", [2]any{m, errM}, [2]any{s, errS})
		}
	case 4:
		h.clock.Advance(time.Duration(x%40) * time.Second)
	}
}

func (h *harness) lease(x int) ([2]orch.Lease, bool) {
	if len(h.leases) == 0 {
		return [2]orch.Lease{}, false
	}
	return h.leases[x%len(h.leases)], true
}

func outcome(x int) orch.Outcome {
	switch x % 4 {
	case 0:
		return orch.Outcome{State: orch.StateCompleted}
	case 1:
		return orch.Outcome{State: orch.StateFailed, Error: "failed"}
	case 2:
		return orch.Outcome{State: orch.StatePending, Error: "retry", UseRetry: true,
			Delay: time.Duration(x%3) * time.Second}
	default:
		return orch.Outcome{State: orch.StatePending, Error: "released"}
	}
}

// compareAll compares every task and the counts of both stores.
func (h *harness) compareAll() {
	ctx := h.t.Context()
	for _, id := range h.ids {
		m, errM := h.model.Get(ctx, id)
		s, errS := h.subject.Get(ctx, id)
		h.same("Get error", errM, errS)
		h.same("Get", blank([]orch.Record{m}), blank([]orch.Record{s}))
	}
	m, errM := h.model.Count(ctx, orch.CountParams{})
	s, errS := h.subject.Count(ctx, orch.CountParams{})
	h.same("Count", [2]any{m, errM}, [2]any{s, errS})
}

// blank replaces lease tokens, which differ between stores by design,
// with whether one is set.
func blank(recs []orch.Record) []orch.Record {
	out := slices.Clone(recs)
	for i := range out {
		if out[i].LeaseToken != "" {
			out[i].LeaseToken = "set"
		}
	}
	return out
}

func (h *harness) same(what string, model, subject any) {
	h.t.Helper()
	if d := cmp.Diff(model, subject, cmp.Comparer(func(a, b error) bool {
		return (a == nil) == (b == nil)
	})); d != "" {
		h.t.Fatalf("%s: subject differs from the model (-model +subject):\n%s", what, d)
	}
}
