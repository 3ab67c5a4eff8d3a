package integration

import (
	"strconv"
	"testing"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Four worker processes with 25 workers each drain one queue of 20,000
// tasks; every run is recorded under a primary key on (task id, attempt).
func TestManyWorkersRunEachTaskOnce(t *testing.T) {
	q := newQueue(t)
	const n = 20_000
	batch := make([]Work, 1000)
	for start := 0; start < n; start += len(batch) {
		for i := range batch {
			batch[i] = Work{N: start + i}
		}
		if _, err := work.AppendMany(t.Context(), q.q, batch); err != nil {
			t.Fatal(err)
		}
	}
	begin := time.Now()
	var workers []*workerProc
	for id := 1; id <= 4; id++ {
		workers = append(workers, startWorker(t, id, q.env(25, "1s", true)))
	}
	for _, w := range workers {
		w.wait(t, 5*time.Minute)
	}
	elapsed := time.Since(begin)

	checks := []struct {
		what  string
		query string
		want  int
	}{
		{"completed tasks", `SELECT count(*) FROM ` + q.table + ` WHERE is_completed`, n},
		{"tasks not completed", `SELECT count(*) FROM ` + q.table + ` WHERE NOT is_completed`, 0},
		{"tasks claimed more than once", `SELECT count(*) FROM ` + q.table + ` WHERE attempt <> 1`, 0},
		{"recorded runs", `SELECT count(*) FROM executions`, n},
		{"tasks with exactly one run", `SELECT count(*) FROM (SELECT task_id FROM executions
			GROUP BY task_id HAVING count(*) = 1) AS once`, n},
		{"runs of unknown tasks", `SELECT count(*) FROM executions e
			WHERE NOT EXISTS (SELECT 1 FROM ` + q.table + ` t WHERE t.id = e.task_id)`, 0},
		{"workers that ran tasks", `SELECT count(DISTINCT worker) FROM executions`, 4},
	}
	for _, c := range checks {
		if got := q.scalar(t, c.query); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	t.Logf("4 processes × 25 workers drained %d tasks in %v (%.0f tasks/s)",
		n, elapsed.Round(time.Millisecond), n/elapsed.Seconds())
}
