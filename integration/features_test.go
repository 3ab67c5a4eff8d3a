package integration

import (
	"syscall"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/internal/fault"
)

// A worker dies between writing a parent's completion and appending its
// follow-up, inside the transaction that holds both. Neither survives: the
// parent stays running until its lease ends, runs again, and then it and
// its follow-up are stored together.
func TestChainSurvivesCrashBetweenWrites(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			q := newQueueOn(t, backend)
			parent, err := work.Append(t.Context(), q.q, Work{N: 1}, orch.WithRetries(3),
				orch.OnSuccess(orch.Then(work, Work{N: 2})))
			if err != nil {
				t.Fatal(err)
			}
			env := q.env(1, "50ms", false)
			env[envLease] = "1s"
			env[fault.EnvVar] = "bunstore.final-before-follow-ups"
			startWorker(t, 1, env).killed(t, time.Minute)

			if got := q.scalar(t, `SELECT count(*) FROM `+q.table); got != 1 {
				t.Fatalf("%d tasks after the crash, want the parent alone", got)
			}
			if rec, _ := q.q.Get(t.Context(), parent); rec.State != orch.StateRunning {
				t.Fatalf("parent is %s after the crash, want running (its completion rolled back)", rec.State)
			}
			env = q.env(1, "50ms", true)
			env[envLease] = "1s"
			startWorker(t, 2, env).wait(t, time.Minute)

			if got := q.scalar(t, `SELECT count(*) FROM `+q.table+` WHERE is_completed`); got != 2 {
				t.Fatalf("%d tasks completed, want the parent and its one follow-up", got)
			}
			if got := q.scalar(t, `SELECT count(*) FROM executions WHERE task_id = $1`, parent); got != 2 {
				t.Fatalf("parent ran %d times, want twice: once cut off, once for good", got)
			}
		})
	}
}

// Two processes append with one unique key, a thousand times each, at
// once: exactly one task is stored.
func TestUniqueKeyRaceAcrossProcesses(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			q := newQueueOn(t, backend)
			env := q.env(0, "", false)
			env[envUniqueKey] = "the-one"
			a := startAppender(t, 1, 1000, env)
			b := startAppender(t, 2, 1000, env)
			a.wait(t, 3*time.Minute)
			b.wait(t, 3*time.Minute)
			if got := q.scalar(t, `SELECT count(*) FROM `+q.table); got != 1 {
				t.Fatalf("%d tasks stored, want exactly 1", got)
			}
		})
	}
}

// A task running in one process is cancelled from another: its handler's
// context ends and the task ends cancelled within moments, not at the next
// heartbeat (10s with the default lease).
func TestCancelAcrossProcesses(t *testing.T) {
	q := newQueue(t)
	startWorker(t, 1, q.env(2, "1s", false))
	id, err := work.Append(t.Context(), q.q, Work{N: 1, Hold: time.Minute}, orch.WithTimeout(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the task to start", func() bool {
		return q.scalar(t, `SELECT count(*) FROM executions WHERE task_id = $1`, id) == 1
	})
	start := time.Now()
	if st, err := q.q.Cancel(t.Context(), id); err != nil || st != orch.StateRunning {
		t.Fatalf("Cancel: %s, %v; want running", st, err)
	}
	waitFor(t, 30*time.Second, "the task to end cancelled", func() bool {
		rec, err := q.q.Get(t.Context(), id)
		return err == nil && rec.State == orch.StateCancelled
	})
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancellation took %v; want well under the 10s heartbeat", d)
	} else {
		t.Logf("cancel to cancelled in the other process: %v", d)
	}
}

// Three worker processes fire one periodic schedule; the store keeps one
// task per fire.
func TestPeriodicAcrossProcesses(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			q := newQueueOn(t, backend)
			env := q.env(2, "20ms", false)
			env[envPeriodic] = "100ms"
			var workers []*workerProc
			for id := 1; id <= 3; id++ {
				workers = append(workers, startWorker(t, id, env))
			}
			waitFor(t, time.Minute, "ten fires", func() bool {
				return q.scalar(t, `SELECT count(*) FROM `+q.table+` WHERE is_completed`) >= 10
			})
			for _, w := range workers {
				w.cmd.Process.Signal(syscall.SIGTERM)
				w.wait(t, time.Minute)
			}
			fires := q.scalar(t, `SELECT count(DISTINCT run_at) FROM `+q.table)
			if total := q.scalar(t, `SELECT count(*) FROM `+q.table); total != fires || fires < 10 {
				t.Fatalf("%d tasks for %d fires; want one task per fire, at least 10", total, fires)
			}
			if runs := q.scalar(t, `SELECT count(*) FROM executions`); runs < 10 {
				t.Fatalf("%d runs recorded, want at least 10", runs)
			}
		})
	}
}
