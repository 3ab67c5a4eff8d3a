package main

import (
	"strings"
	"testing"

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
