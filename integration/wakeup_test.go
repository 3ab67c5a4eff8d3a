package integration

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	orch "github.com/orchestratum/orchestratum"
)

// waitFor polls cond every 10ms until it holds, failing t after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listeners returns the backends LISTENing on the queue's channel.
func (q *queue) listeners(t *testing.T) []int {
	t.Helper()
	rows, err := q.db.DB.QueryContext(t.Context(), `SELECT pid FROM pg_stat_activity
		WHERE query = $1 AND datname = current_database()`, `LISTEN "`+q.table+`"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		rows.Scan(&pid)
		pids = append(pids, pid)
	}
	return pids
}

// startLatency appends one task and returns how long it took, by the
// database's clock, until a worker recorded its run.
func (q *queue) startLatency(t *testing.T) time.Duration {
	t.Helper()
	var before time.Time
	if err := q.db.DB.QueryRowContext(t.Context(), `SELECT clock_timestamp()`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	id, err := work.Append(t.Context(), q.q, Work{})
	if err != nil {
		t.Fatal(err)
	}
	var started time.Time
	waitFor(t, 30*time.Second, "the task to start", func() bool {
		err := q.db.DB.QueryRowContext(t.Context(),
			`SELECT started_at FROM executions WHERE task_id = $1`, id).Scan(&started)
		return err == nil
	})
	return started.Sub(before)
}

// An append in this process wakes an idle worker process through
// LISTEN/NOTIFY long before its 10 s poll, also after the server drops the
// worker's listening connection.
func TestAppendWakesOtherProcess(t *testing.T) {
	q := newQueue(t)
	startWorker(t, 1, q.env(5, "10s", false))
	var pids []int
	waitFor(t, 30*time.Second, "the worker to LISTEN", func() bool {
		pids = q.listeners(t)
		return len(pids) == 1
	})
	// The worker's first poll has run; only a notification starts the
	// task within the 10 s poll.
	if d := q.startLatency(t); d > 2*time.Second {
		t.Fatalf("task started %v after its append; want well under the 10s poll", d)
	} else {
		t.Logf("append to start in the other process: %v", d)
	}

	if _, err := q.db.DB.ExecContext(t.Context(), `SELECT pg_terminate_backend($1)`, pids[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the worker to LISTEN again", func() bool {
		now := q.listeners(t)
		return len(now) == 1 && now[0] != pids[0]
	})
	if d := q.startLatency(t); d > 2*time.Second {
		t.Fatalf("after reconnecting, task started %v after its append; want well under the 10s poll", d)
	} else {
		t.Logf("append to start after the listener reconnected: %v", d)
	}
}

// A task appended in a transaction exists, and wakes listeners, only if
// the transaction commits.
func TestTransactionalAppend(t *testing.T) {
	q := newQueue(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, q.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN "`+q.table+`"`); err != nil {
		t.Fatal(err)
	}

	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rolledBack, err := work.Append(ctx, q.q.Using(q.store.Tx(tx)), Work{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.q.Get(ctx, rolledBack); err == nil {
		t.Fatal("the task of a rolled-back transaction exists")
	}
	// Notifications arrive in commit order: the first one after the
	// rollback must be this marker, not one from the rolled-back append.
	if _, err := q.db.DB.ExecContext(ctx, `SELECT pg_notify($1, 'marker')`, q.table); err != nil {
		t.Fatal(err)
	}
	if n := nextNotification(t, conn); n != "marker" {
		t.Fatalf("first notification after the rollback has payload %q, want the marker", n)
	}

	tx, err = q.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := work.Append(ctx, q.q.Using(q.store.Tx(tx)), Work{N: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if rec, err := q.q.Get(ctx, committed); err != nil || rec.State != orch.StatePending {
		t.Fatalf("the task of a committed transaction: %v, %v; want it pending", rec.State, err)
	}
	if n := nextNotification(t, conn); n != "append" {
		t.Fatalf("notification after the commit has payload %q, want the store's \"append\"", n)
	}
}

func nextNotification(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(ctx)
	if err != nil {
		t.Fatalf("waiting for a notification: %v", err)
	}
	return n.Payload
}
