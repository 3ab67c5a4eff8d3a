package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

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

// newQueue sets up a queue on a fresh PostgreSQL database.
func newQueue(t *testing.T) *queue {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	return setupQueue(t, dsn, pgtest.Open(t, dsn))
}

// newSQLiteQueue sets up a queue on a fresh SQLite file.
func newSQLiteQueue(t *testing.T) *queue {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "tasks.db")
	db, err := bunstore.OpenSQLite(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return setupQueue(t, dsn, db)
}

// newQueueOn sets up a queue on the backend named "postgres" or "sqlite".
func newQueueOn(t *testing.T, backend string) *queue {
	if backend == "postgres" {
		return newQueue(t)
	}
	return newSQLiteQueue(t)
}

func setupQueue(t *testing.T, dsn string, db *bun.DB) *queue {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	table := "tasks_" + hex.EncodeToString(b[:])
	store, err := bunstore.New(t.Context(), db, bunstore.Options{Table: table, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	idType, timeType := "uuid", "timestamptz"
	if !isPostgres(dsn) {
		idType, timeType = "text", "integer" // microseconds, as the store keeps times
	}
	_, err = db.DB.ExecContext(t.Context(), `CREATE TABLE executions (
		task_id `+idType+` NOT NULL, attempt int NOT NULL, worker int NOT NULL,
		started_at `+timeType+` NOT NULL, PRIMARY KEY (task_id, attempt))`)
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

// scalar runs a query that returns one integer; $n placeholders work on
// both dialects.
func (q *queue) scalar(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.db.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// now returns the store's clock: the database's on PostgreSQL, this
// machine's for SQLite.
func (q *queue) now(t *testing.T) time.Time {
	t.Helper()
	if !isPostgres(q.dsn) {
		return time.Now()
	}
	var now time.Time
	if err := q.db.DB.QueryRowContext(t.Context(), `SELECT clock_timestamp()`).Scan(&now); err != nil {
		t.Fatal(err)
	}
	return now
}

// dbTime scans a time as either dialect stores it.
type dbTime struct{ t time.Time }

func (d *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		d.t = time.UnixMicro(v)
	case time.Time:
		d.t = v
	default:
		return fmt.Errorf("scan time: want microseconds or a timestamp, found %T", src)
	}
	return nil
}
