package integration

import (
	"sort"
	"strings"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// A worker process is killed with SIGKILL in the middle of its tasks, 20
// times in a row; a last worker then drains the queue. Every task ends
// completed, the runs cut off ran again once their lease ended, and the
// rescue came within one lease period of the kill.
func TestKilledWorkersLoseNothing(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testKills(t, backend) })
	}
}

func testKills(t *testing.T, backend string) {
	const (
		n     = 300
		kills = 20
		lease = time.Second
	)
	q := newQueueOn(t, backend)
	batch := make([]Work, n)
	for i := range batch {
		batch[i] = Work{N: i, Hold: 30 * time.Millisecond}
	}
	if _, err := work.AppendMany(t.Context(), q.q, batch, orch.WithRetries(kills)); err != nil {
		t.Fatal(err)
	}
	env := q.env(4, "50ms", false)
	env[envLease] = lease.String()

	var killedAt []time.Time
	for k := 1; k <= kills; k++ {
		w := startWorker(t, k, env)
		waitFor(t, time.Minute, "the worker to be running tasks", func() bool {
			return q.scalar(t, `SELECT count(*) FROM executions WHERE worker = $1`, k) >= 2
		})
		if err := w.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-w.exited
		w.exited <- nil
		killedAt = append(killedAt, q.now(t))
	}
	final := q.env(4, "50ms", true)
	final[envLease] = lease.String()
	startWorker(t, kills+1, final).wait(t, 2*time.Minute)

	checks := []struct {
		what  string
		query string
		want  int
	}{
		{"completed tasks", `SELECT count(*) FROM ` + q.table + ` WHERE is_completed`, n},
		{"tasks not completed", `SELECT count(*) FROM ` + q.table + ` WHERE NOT is_completed`, 0},
		{"tasks whose last attempt has no recorded run", `SELECT count(*) FROM ` + q.table + ` t
			WHERE NOT EXISTS (SELECT 1 FROM executions e WHERE e.task_id = t.id AND e.attempt = t.attempt)`, 0},
		{"runs of attempts never claimed", `SELECT count(*) FROM executions e JOIN ` + q.table + ` t
			ON t.id = e.task_id WHERE e.attempt > t.attempt`, 0},
		{"retried tasks whose last error is not a lost lease", `SELECT count(*) FROM ` + q.table + `
			WHERE attempt > 1 AND last_error <> $1`, 0},
	}
	for _, c := range checks {
		var args []any
		if strings.Contains(c.query, "$1") {
			args = append(args, orch.ErrLeaseExpired.Error())
		}
		if got := q.scalar(t, c.query, args...); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	rescued := q.scalar(t, `SELECT count(*) FROM `+q.table+` WHERE attempt > 1`)
	if rescued == 0 {
		t.Fatal("no run was cut off by the kills; the test proved nothing")
	}
	q.checkRescueDelays(t, killedAt, lease)
	t.Logf("%d kills cut off runs of %d tasks; all %d completed", kills, rescued, n)
}

// checkRescueDelays checks that every run cut off by a kill ran again
// within one lease (plus a margin for starting a process) of that kill.
func (q *queue) checkRescueDelays(t *testing.T, killedAt []time.Time, lease time.Duration) {
	t.Helper()
	rows, err := q.db.DB.QueryContext(t.Context(), `SELECT a.started_at, b.started_at
		FROM executions a JOIN executions b ON b.task_id = a.task_id AND b.attempt = a.attempt + 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	worst := time.Duration(0)
	for rows.Next() {
		var cut, again dbTime
		if err := rows.Scan(&cut, &again); err != nil {
			t.Fatal(err)
		}
		i := sort.Search(len(killedAt), func(i int) bool { return killedAt[i].After(cut.t) })
		if i == len(killedAt) {
			t.Fatalf("a run started at %v was retried but no kill came after it", cut.t)
		}
		worst = max(worst, again.t.Sub(killedAt[i]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if margin := 3 * time.Second; worst > lease+margin {
		t.Fatalf("a cut-off run ran again %v after its kill; want within the %v lease (+%v to start a worker)",
			worst, lease, margin)
	}
	t.Logf("slowest rescue: %v after the kill (lease %v)", worst, lease)
}
