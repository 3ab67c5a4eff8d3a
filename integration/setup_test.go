package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"testing"

	"github.com/uptrace/bun"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
	"github.com/orchestratum/orchestratum/internal/pgtest"
)

// queue is one test's database: a tasks table, the executions table the
// workers write, and a store and queue on them in the test process.
type queue struct {
	dsn   string
	table string
	db    *bun.DB
	store *bunstore.Store
	q     *orch.Queue
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newQueue(t *testing.T) *queue {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	db := pgtest.Open(t, dsn)
	var b [4]byte
	rand.Read(b[:])
	table := "tasks_" + hex.EncodeToString(b[:])
	store, err := bunstore.New(t.Context(), db, bunstore.Options{Table: table, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	_, err = db.ExecContext(t.Context(), `CREATE TABLE executions (
		task_id uuid NOT NULL, attempt int NOT NULL, worker int NOT NULL,
		started_at timestamptz NOT NULL, PRIMARY KEY (task_id, attempt))`)
	if err != nil {
		t.Fatal(err)
	}
	q, err := orch.NewQueue(store, nil, orch.Config{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return &queue{dsn: dsn, table: table, db: db, store: store, q: q}
}

// env is the environment of a worker on this queue.
func (q *queue) env(concurrency int, poll string, untilDone bool) map[string]string {
	env := map[string]string{
		envDSN:         q.dsn,
		envTable:       q.table,
		envConcurrency: itoa(concurrency),
		envPoll:        poll,
	}
	if untilDone {
		env[envUntilDone] = "1"
	}
	return env
}

func (q *queue) scalar(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.db.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
