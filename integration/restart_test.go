package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/internal/pgtest"
)

// PostgreSQL is stopped and started again five times while two worker
// processes drain a queue and this process keeps appending. The workers
// ride out each outage and finish every task; an append during an outage
// returns an error, and every append that returned nil is completed.
func TestDatabaseRestarts(t *testing.T) {
	server := pgtest.StartServer(t)
	q := setupQueue(t, server.URL, pgtest.Open(t, server.URL))
	const n = 1500
	batch := make([]Work, n)
	for i := range batch {
		batch[i] = Work{N: i, Hold: 5 * time.Millisecond}
	}
	if _, err := work.AppendMany(t.Context(), q.q, batch, orch.WithRetries(10)); err != nil {
		t.Fatal(err)
	}
	env := q.env(8, "100ms", true)
	env[envLease] = "2s"
	workers := []*workerProc{startWorker(t, 1, env), startWorker(t, 2, env)}

	ctx, stopAppending := context.WithCancel(t.Context())
	var (
		wg       sync.WaitGroup
		appended []orch.ID
		failures int
	)
	wg.Go(func() {
		for ctx.Err() == nil {
			id, err := work.Append(ctx, q.q, Work{N: -1}, orch.WithRetries(10))
			if err != nil {
				failures++
			} else {
				appended = append(appended, id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	for i := 1; i <= 5; i++ {
		before := q.runs(t)
		waitFor(t, time.Minute, "workers to make progress", func() bool { return q.runs(t) > before+50 })
		if err := server.Restart(); err != nil {
			t.Fatalf("restart %d: %v", i, err)
		}
	}
	waitFor(t, time.Minute, "the database to be back", func() bool { return q.runs(t) >= 0 })
	stopAppending()
	wg.Wait()
	for _, w := range workers {
		w.wait(t, 3*time.Minute)
	}

	if failures == 0 {
		t.Error("no append failed during five outages; the outages were not seen")
	}
	total := q.scalar(t, `SELECT count(*) FROM `+q.table)
	if done := q.scalar(t, `SELECT count(*) FROM `+q.table+` WHERE is_completed`); done != total {
		t.Errorf("%d of %d tasks completed, want all", done, total)
	}
	for _, id := range appended {
		if rec, err := q.q.Get(t.Context(), id); err != nil || rec.State != orch.StateCompleted {
			t.Fatalf("task %s appended during the restarts: %v, %v; want completed", id, rec.State, err)
		}
	}
	t.Logf("%d tasks completed across 5 restarts; %d appends succeeded and %d failed during outages",
		total, len(appended), failures)
}

// runs counts the recorded runs, or returns -1 while the database is down.
func (q *queue) runs(t *testing.T) int {
	var n int
	if err := q.db.DB.QueryRowContext(t.Context(), `SELECT count(*) FROM executions`).Scan(&n); err != nil {
		return -1
	}
	return n
}
