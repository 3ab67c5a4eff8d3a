package main

import (
	"strings"
	"testing"
	"time"

	"github.com/orchestratum/orchestratum/internal/pgtest"
)

// With a PostgreSQL URL for --db the demo keeps tasks and results there,
// and a second run appends nothing.
func TestDemoOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	opts := testOptions(t, makeTree(t, 200))
	opts.DB = dsn
	opts.FailRate = 0.1
	for run := 1; run <= 2; run++ {
		r := runDemoForTest(t.Context(), opts)
		if r.err != nil {
			t.Fatalf("run %d: %v\nstderr:\n%s", run, r.err, r.stderr)
		}
		if !strings.Contains(r.stdout, "completed  200") {
			t.Fatalf("run %d summary:\n%s", run, r.stdout)
		}
	}
	db := pgtest.Open(t, dsn)
	for q, want := range map[string]int{
		"SELECT count(*) FROM orchestratum_commands":                    200,
		"SELECT count(*) FROM orchestratum_commands WHERE is_completed": 200,
		"SELECT count(*) FROM demo_results":                             200,
		"SELECT count(DISTINCT task_id) FROM demo_results":              200,
	} {
		if got := queryInt(t, db, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	want := wantResult(7)
	var got resultRow
	if err := db.NewSelect().Model(&got).Where("lines = ? AND sha256 = ?", want.Lines, want.SHA256).
		Scan(t.Context()); err != nil {
		t.Fatalf("result of file 7: %v", err)
	}
}

// Demos that start together on a fresh PostgreSQL database create the
// demo's tables in turn: CREATE TABLE IF NOT EXISTS alone races there, and
// all but one fail on a duplicate key of pg_type.
func TestDemoTablesCreatedConcurrently(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	const n = 8
	start := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		db := pgtest.Open(t, dsn)
		if err := db.PingContext(t.Context()); err != nil {
			t.Fatal(err)
		}
		go func() {
			<-start
			errs <- createDemoTables(t.Context(), db)
		}()
	}
	close(start)
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("createDemoTables: %v", err)
		}
	}
}

// A PostgreSQL restart in the middle of a run costs the demo failed reads
// of its progress, which it shows and rides out, and it finishes every
// task.
func TestDemoSurvivesPostgresRestart(t *testing.T) {
	t.Parallel()
	server := pgtest.StartServer(t)
	cmd, out, exited := startDemo(t, "--dir", makeTree(t, 300), "--db", server.URL,
		"--fail-rate", "0", "--work-delay", "100ms")
	check := pgtest.Open(t, server.URL)
	waitFor(t, exited, "20 results", func() bool {
		n, err := tryQueryInt(check, "SELECT count(*) FROM demo_results")
		return err == nil && n >= 20
	})
	if err := server.Restart(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("the demo did not finish within 2m of the restart:\n%s", out)
	}
	if code := cmd.ProcessState.ExitCode(); code != exitOK {
		t.Fatalf("exit status %d after a restart, want 0:\n%s", code, out)
	}
	t.Logf("output:\n%s", out)
	if n := queryInt(t, check, "SELECT count(*) FROM demo_results"); n != 300 {
		t.Errorf("demo_results holds %d rows, want 300", n)
	}
	if !strings.Contains(out.String(), "Done: all 300 tasks") {
		t.Errorf("no summary of 300 tasks:\n%s", out)
	}
}
