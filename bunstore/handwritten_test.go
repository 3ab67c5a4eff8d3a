package bunstore_test

import (
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
	"github.com/orchestratum/orchestratum/internal/pgtest"
)

// Rows written by hand or by another version, with values the store never
// writes itself, neither break a claim nor get stuck.
func TestHandWrittenRows(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testHandWritten(t, newSQLiteStore(t, bunstore.Options{})) })
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.Open(t, pgtest.NewDatabase(t))
		testHandWritten(t, newPGStore(t, db, bunstore.Options{}))
	})
}

func testHandWritten(t *testing.T, s *bunstore.Store) {
	ctx := t.Context()
	stuck, badChain, negative := newTask(), newTask(), newTask()
	stuck.Retries, negative.Retries = 3, 3
	if _, err := s.Append(ctx, orch.AppendParams{Tasks: []orch.NewRecord{stuck, badChain, negative}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql string
		id  orch.ID
	}{
		// Running with no lease at all: nothing would ever end it.
		{"UPDATE " + s.Table() + " SET is_running = TRUE, attempt = 1, locked_until = NULL WHERE id = ?", stuck.ID},
		{"UPDATE " + s.Table() + " SET chain = 'not json' WHERE id = ?", badChain.ID},
		{"UPDATE " + s.Table() + " SET retries_left = -5 WHERE id = ?", negative.ID},
	} {
		if _, err := s.DB().ExecContext(ctx, q.sql, q.id.String()); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	recs, err := s.Claim(ctx, orch.ClaimParams{Executors: []string{"e"}, Queue: orch.DefaultQueue,
		Limit: 10, Lease: time.Minute, TimeoutBuffer: time.Second})
	if err != nil {
		t.Fatalf("Claim over hand-written rows: %v", err)
	}
	got := map[orch.ID]orch.Record{}
	for _, r := range recs {
		got[r.ID] = r
	}
	if r, ok := got[stuck.ID]; !ok || r.Attempt != 2 || r.LastError != orch.ErrLeaseExpired.Error() {
		t.Fatalf("the task running without a lease: %+v; want it rescued and claimed again", r)
	}
	if len(got) != 3 {
		t.Fatalf("claimed %d tasks, want all 3", len(got))
	}
	var outcomes []orch.Outcome
	for _, r := range recs {
		outcomes = append(outcomes, orch.Outcome{Lease: r.Lease(), State: orch.StateCompleted})
	}
	if res, err := s.Finish(ctx, orch.FinishParams{Outcomes: outcomes}); err != nil || len(res.Lost) != 0 {
		t.Fatalf("Finish: lost %v, %v; want all recorded", res.Lost, err)
	}
	if c, _ := s.Count(ctx, orch.CountParams{}); c.Completed != 3 || c.Total() != 3 {
		t.Fatalf("counts %+v; want 3 completed and no follow-ups from the bad chain", c)
	}
}
