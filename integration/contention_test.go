package integration

import (
	"strings"
	"testing"
	"time"
)

// Three worker processes and two appender processes share one SQLite
// file. SQLite has one writer at a time; nobody may see "database is
// locked", and every task runs once.
func TestSQLiteContention(t *testing.T) {
	q := newSQLiteQueue(t)
	const perAppender = 1000
	var procs []*workerProc
	for id := 1; id <= 3; id++ {
		procs = append(procs, startWorker(t, id, q.env(4, "20ms", false)))
	}
	appenders := []*workerProc{
		startAppender(t, 11, perAppender, q.env(0, "", false)),
		startAppender(t, 12, perAppender, q.env(0, "", false)),
	}
	for _, a := range appenders {
		a.wait(t, 3*time.Minute)
	}
	const n = 2 * perAppender
	waitFor(t, 3*time.Minute, "every task to complete", func() bool {
		return q.scalar(t, `SELECT count(*) FROM `+q.table+` WHERE is_completed`) == n
	})
	for _, p := range append(procs, appenders...) {
		if out := p.stderr.String(); strings.Contains(out, "locked") || strings.Contains(out, "BUSY") {
			t.Fatalf("a process met a locked database:\n%s", out)
		}
	}
	if got := q.scalar(t, `SELECT count(*) FROM `+q.table); got != n {
		t.Fatalf("%d tasks stored, want %d", got, n)
	}
	if got := q.scalar(t, `SELECT count(*) FROM `+q.table+` WHERE attempt <> 1`); got != 0 {
		t.Fatalf("%d tasks ran more than once", got)
	}
	if got := q.scalar(t, `SELECT count(*) FROM executions`); got != n {
		t.Fatalf("%d runs recorded, want %d", got, n)
	}
}
