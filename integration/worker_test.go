package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
	"github.com/orchestratum/orchestratum/internal/leakcheck"
	"github.com/orchestratum/orchestratum/internal/pgtest"
)

// The environment of a worker process.
const (
	envWorker      = "ORCHESTRATUM_WORKER"       // the worker's number; set only in workers
	envDSN         = "ORCHESTRATUM_WORKER_DSN"   // a PostgreSQL URL or an SQLite file
	envTable       = "ORCHESTRATUM_WORKER_TABLE" // the tasks table
	envConcurrency = "ORCHESTRATUM_WORKER_CONCURRENCY"
	envPoll        = "ORCHESTRATUM_WORKER_POLL"       // Config.PollInterval
	envUntilDone   = "ORCHESTRATUM_WORKER_UNTIL_DONE" // exit once no task is left
	envLease       = "ORCHESTRATUM_WORKER_LEASE"      // Config.Lease
	envSkew        = "ORCHESTRATUM_WORKER_SKEW"       // added to the runner's clock
	envAppender    = "ORCHESTRATUM_APPENDER"          // tasks to append; set only in appenders
	envUniqueKey   = "ORCHESTRATUM_APPENDER_KEY"      // the unique key of every task appended
	envPeriodic    = "ORCHESTRATUM_WORKER_PERIODIC"   // fire a periodic task at this interval
)

// Work is the payload of the tasks workers run. A worker records the run,
// then holds the task for Hold before it returns.
type Work struct {
	N    int
	Hold time.Duration
}

var work = orch.NewExecutor[Work]("work")

func TestMain(m *testing.M) {
	if os.Getenv(envAppender) != "" {
		if err := appenderMain(); err != nil {
			fmt.Fprintln(os.Stderr, "appender:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(envWorker) != "" {
		if err := workerMain(); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	leakcheck.Main(m)
}

// workerMain runs a runner whose handler records each run in the
// executions table, until it is signalled or, with envUntilDone, until no
// task is pending or running.
func workerMain() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	id, _ := strconv.Atoi(os.Getenv(envWorker))
	conc, _ := strconv.Atoi(os.Getenv(envConcurrency))
	poll, _ := time.ParseDuration(os.Getenv(envPoll))
	lease, _ := time.ParseDuration(os.Getenv(envLease))
	skew, _ := time.ParseDuration(os.Getenv(envSkew))
	db, err := openDB(os.Getenv(envDSN), conc+4)
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := bunstore.New(ctx, db, bunstore.Options{Table: os.Getenv(envTable), Logger: log})
	if err != nil {
		return err
	}
	defer store.Close()
	reg := orch.NewRegistry()
	orch.Register(reg, work, func(ctx context.Context, t *orch.Task[Work]) error {
		if err := recordRun(ctx, store, t.ID, t.Attempt, id); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(t.Data.Hold):
			return nil
		}
	})
	if every, _ := time.ParseDuration(os.Getenv(envPeriodic)); every > 0 {
		err := orch.RegisterPeriodic(reg, "tick", orch.Every(every), work,
			func(fire time.Time) Work { return Work{N: int(fire.UnixMilli())} })
		if err != nil {
			return err
		}
	}
	cfg := orch.Config{Concurrency: conc, PollInterval: poll, Lease: lease, Logger: log,
		Now: func() time.Time { return time.Now().Add(skew) }}
	runner, err := orch.NewRunner(store, reg, cfg)
	if err != nil {
		return err
	}
	if os.Getenv(envUntilDone) != "" {
		go stopWhenDone(ctx, store, stop)
	}
	fmt.Println("ready")
	return runner.Run(ctx)
}

// openDB opens a PostgreSQL URL or an SQLite file.
func openDB(dsn string, maxConns int) (*bun.DB, error) {
	if isPostgres(dsn) {
		return pgtest.OpenURL(dsn, maxConns), nil
	}
	return bunstore.OpenSQLite(dsn)
}

func isPostgres(dsn string) bool { return strings.HasPrefix(dsn, "postgres://") }

// appenderMain appends envAppender tasks one at a time and in batches of
// ten, alternately, and fails on the first error.
func appenderMain() error {
	ctx := context.Background()
	total, _ := strconv.Atoi(os.Getenv(envAppender))
	db, err := openDB(os.Getenv(envDSN), 4)
	if err != nil {
		return err
	}
	defer db.Close()
	store, err := bunstore.New(ctx, db, bunstore.Options{Table: os.Getenv(envTable)})
	if err != nil {
		return err
	}
	defer store.Close()
	q, err := orch.NewQueue(store, nil, orch.Config{})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	if key := os.Getenv(envUniqueKey); key != "" {
		return appendUnique(ctx, q, key, total)
	}
	for n := 0; n < total; {
		if n%20 == 0 {
			if _, err := work.AppendMany(ctx, q, make([]Work, min(10, total-n))); err != nil {
				return err
			}
			n += min(10, total-n)
			continue
		}
		if _, err := work.Append(ctx, q, Work{N: n}); err != nil {
			return err
		}
		n++
	}
	return nil
}

// appendUnique appends total tasks one at a time, all with the unique key.
func appendUnique(ctx context.Context, q *orch.Queue, key string, total int) error {
	for n := range total {
		_, err := work.Append(ctx, q, Work{N: n}, orch.WithUniqueKey(key))
		if err != nil && !errors.Is(err, orch.ErrDuplicate) {
			return err
		}
	}
	return nil
}

// recordRun inserts one row per run, stamped with the store's clock (the
// database's on PostgreSQL), through the store's RunInTx as handlers that
// write should; the primary key on (task_id, attempt) turns a second run
// of one attempt into an error.
func recordRun(ctx context.Context, store *bunstore.Store, task orch.ID, attempt, worker int) error {
	return store.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if store.DB().Dialect().Name() == dialect.PG {
			_, err = tx.Tx.ExecContext(ctx, `INSERT INTO executions (task_id, attempt, worker, started_at)
				VALUES ($1, $2, $3, clock_timestamp())`, task, attempt, worker)
		} else {
			_, err = tx.Tx.ExecContext(ctx, `INSERT INTO executions (task_id, attempt, worker, started_at)
				VALUES (?, ?, ?, ?)`, task, attempt, worker, time.Now().UnixMicro())
		}
		return err
	})
}

func stopWhenDone(ctx context.Context, store orch.Store, stop func()) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		c, err := store.Count(ctx, orch.CountParams{Executor: work.Key()})
		if err == nil && c.Pending+c.Running == 0 {
			stop()
			return
		}
	}
}

// workerProc is a worker process started by a test.
type workerProc struct {
	cmd    *exec.Cmd
	exited chan error
	stderr *testWriter
}

// startWorker starts worker number id with the given environment on top
// of the test's own; it is killed when the test ends if still running.
func startWorker(t *testing.T, id int, env map[string]string) *workerProc {
	t.Helper()
	return startProcess(t, id, envWorker, strconv.Itoa(id), env)
}

// startAppender starts a process that appends n tasks, then exits.
func startAppender(t *testing.T, id, n int, env map[string]string) *workerProc {
	t.Helper()
	return startProcess(t, id, envAppender, strconv.Itoa(n), env)
}

// startProcess starts this test binary as a helper process selected by
// the variable role, and waits for it to report ready.
func startProcess(t *testing.T, id int, role, value string, env map[string]string) *workerProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), role+"="+value)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr := &testWriter{t: t, prefix: fmt.Sprintf("process %d: ", id)}
	cmd.Stderr = stderr
	ready, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &workerProc{cmd: cmd, exited: make(chan error, 1), stderr: stderr}
	buf := make([]byte, len("ready\n"))
	if _, err := io.ReadFull(ready, buf); err != nil {
		t.Fatalf("process %d did not report ready: %v", id, err)
	}
	go func() { io.Copy(io.Discard, ready); w.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-w.exited
	})
	return w
}

// killed waits for the process to die of SIGKILL, as a fault point does,
// and fails t when it exits otherwise or is still running after d.
func (w *workerProc) killed(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case err := <-w.exited:
		w.exited <- err // for the cleanup
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("process exited with %v, want killed by SIGKILL", err)
		}
	case <-time.After(d):
		t.Fatalf("process still running after %v", d)
	}
}

// wait waits for the worker to exit by itself and fails t unless it exits
// cleanly within d.
func (w *workerProc) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case err := <-w.exited:
		w.exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("worker exited with %v", err)
		}
	case <-time.After(d):
		t.Fatalf("worker still running after %v", d)
	}
}

// testWriter passes a process's output to the test log and keeps it.
type testWriter struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
	all    strings.Builder
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(w.prefix + string(p))
	w.mu.Lock()
	w.all.Write(p)
	w.mu.Unlock()
	return len(p), nil
}

func (w *testWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}
