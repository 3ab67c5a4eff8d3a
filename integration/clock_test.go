package integration

import (
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// Two workers whose clocks are ten minutes ahead and ten minutes behind
// share a queue. Due times and leases are judged by the database's clock,
// so neither starts a delayed task early, and the one ahead never takes a
// long task from the other, although by its own clock every lease the
// other holds has long ended.
func TestSkewedClocksChangeNothing(t *testing.T) {
	q := newQueue(t)
	for id, skew := range map[int]string{1: "10m", 2: "-10m"} {
		env := q.env(4, "50ms", false)
		env[envLease] = "600ms" // renewed every 200ms while a task holds
		env[envSkew] = skew
		startWorker(t, id, env)
	}
	ctx := t.Context()
	long, err := work.AppendMany(ctx, q.q, []Work{{N: 1, Hold: 3 * time.Second}, {N: 2, Hold: 3 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	delayed, err := work.Append(ctx, q.q, Work{N: 3}, orch.WithDelay(1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "every task to complete", func() bool {
		return q.scalar(t, `SELECT count(*) FROM `+q.table+` WHERE is_completed`) == 3
	})
	if n := q.scalar(t, `SELECT count(*) FROM executions`); n != 3 {
		t.Fatalf("%d runs recorded for 3 tasks; want each run once", n)
	}
	for _, id := range long {
		if n := q.scalar(t, `SELECT attempt FROM `+q.table+` WHERE id = $1`, id); n != 1 {
			t.Fatalf("long task %s was claimed %d times; want once", id, n)
		}
	}
	early := q.scalar(t, `SELECT count(*) FROM executions e JOIN `+q.table+` t ON t.id = e.task_id
		WHERE e.task_id = $1 AND e.started_at < t.created_at + interval '1500 milliseconds'`, delayed)
	if early != 0 {
		t.Fatal("the delayed task started before its delay had passed by the database's clock")
	}
}
