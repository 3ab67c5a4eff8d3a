package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The demo checksums every regular file once and completes every task.
func TestDemoChecksumsEveryFile(t *testing.T) {
	t.Parallel()
	dir := makeTree(t, 500)
	opts := testOptions(t, dir)
	opts.FailRate = 0.03
	r := runDemoForTest(t.Context(), opts)
	if r.err != nil {
		t.Fatalf("runDemo: %v\nstderr:\n%s", r.err, r.stderr)
	}

	db := openTestDB(t, opts.DB)
	for q, want := range map[string]int{
		"SELECT count(*) FROM orchestratum_commands":                    500,
		"SELECT count(*) FROM orchestratum_commands WHERE is_completed": 500,
		"SELECT count(*) FROM demo_files":                               500,
		"SELECT count(*) FROM demo_results":                             500,
		"SELECT count(DISTINCT task_id) FROM demo_results":              500,
	} {
		if got := queryInt(t, db, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	for _, i := range []int{0, 1, 3, 6, 42, 499} {
		path := filepath.Join(dir, fmt.Sprintf("d%d", i%10), fmt.Sprintf("f%d.txt", i))
		var got resultRow
		err := db.NewSelect().Model(&got).Where("path = ?", path).Scan(t.Context())
		if err != nil {
			t.Fatalf("result of %s: %v", path, err)
		}
		want := wantResult(i)
		if got.SHA256 != want.SHA256 || got.Size != want.Size || got.Lines != want.Lines {
			t.Errorf("result of file %d: sha256 %s, size %d, lines %d; want %s, %d, %d",
				i, got.SHA256, got.Size, got.Lines, want.SHA256, want.Size, want.Lines)
		}
	}
	for _, want := range []string{"Done: all 500 tasks", "completed  500", "failed     0",
		"appended   500 new tasks, 500 files found"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
}

// A second run over the same tree finds every file known, appends
// nothing, runs nothing and says so.
func TestDemoRerunAppendsNothing(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, makeTree(t, 500))
	if r := runDemoForTest(t.Context(), opts); r.err != nil {
		t.Fatalf("first run: %v\nstderr:\n%s", r.err, r.stderr)
	}
	r := runDemoForTest(t.Context(), opts)
	if r.err != nil {
		t.Fatalf("second run: %v\nstderr:\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"Nothing left to do: all 500 tasks", "completed  500",
		"appended   0 new tasks, 500 files found", "this run   0 tasks finished"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary of the second run lacks %q:\n%s", want, r.stdout)
		}
	}
	db := openTestDB(t, opts.DB)
	if n := queryInt(t, db, "SELECT count(*) FROM orchestratum_commands"); n != 500 {
		t.Errorf("after two runs the database holds %d tasks, want 500", n)
	}
}

// With half of the first attempts failing on purpose, exactly the files
// that failsFirst picks are retried, and every task still completes.
func TestDemoFailRateShowsRetries(t *testing.T) {
	t.Parallel()
	dir := makeTree(t, 500)
	opts := testOptions(t, dir)
	opts.FailRate = 0.5
	r := runDemoForTest(t.Context(), opts)
	if r.err != nil {
		t.Fatalf("runDemo: %v\nstderr:\n%s", r.err, r.stderr)
	}
	want := 0
	for i := range 500 {
		path := filepath.Join(dir, fmt.Sprintf("d%d", i%10), fmt.Sprintf("f%d.txt", i))
		if failsFirst(path, opts.FailRate) {
			want++
		}
	}
	if want == 0 {
		t.Fatal("failsFirst picked no file at rate 0.5")
	}
	if got := summaryNumber(t, r.stdout, "retried"); got != want {
		t.Errorf("summary says %d retried, want %d:\n%s", got, want, r.stdout)
	}
	if got := summaryNumber(t, r.stdout, "completed"); got != 500 {
		t.Errorf("summary says %d completed, want 500:\n%s", got, r.stdout)
	}
	db := openTestDB(t, opts.DB)
	if n := queryInt(t, db, "SELECT count(*) FROM demo_results"); n != 500 {
		t.Errorf("demo_results holds %d rows, want 500", n)
	}
	if strings.Contains(r.stderr, "retrying") {
		t.Errorf("info logs of retries reached stderr:\n%s", r.stderr)
	}
}

// A run whose context ends stops, says how to resume, and returns
// errInterrupted; running again finishes the rest.
func TestDemoInterruptedRunResumes(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, makeTree(t, 200))
	opts.WorkDelay = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var r demoRun
	ended := make(chan struct{})
	go func() { r = runDemoForTest(ctx, opts); close(ended) }()
	waitForResults(t, opts.DB, 1, ended)
	cancel()
	<-ended
	if !errors.Is(r.err, errInterrupted) {
		t.Fatalf("runDemo after cancel = %v, want errInterrupted\nstderr:\n%s",
			r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, "Run the same command again to resume.") {
		t.Errorf("stderr does not say how to resume:\n%s", r.stderr)
	}

	opts.WorkDelay = 0
	r = runDemoForTest(t.Context(), opts)
	if r.err != nil {
		t.Fatalf("second run: %v\nstderr:\n%s", r.err, r.stderr)
	}
	if got := summaryNumber(t, r.stdout, "completed"); got != 200 {
		t.Errorf("after resuming, %d completed, want 200:\n%s", got, r.stdout)
	}
}

// A --dir that is missing or not a directory is an error that names it,
// and no database is created.
func TestDemoRejectsBadDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(t.TempDir(), "missing"), file} {
		opts := testOptions(t, dir)
		r := runDemoForTest(t.Context(), opts)
		if r.err == nil || !strings.Contains(r.err.Error(), "--dir "+dir) {
			t.Errorf("runDemo with --dir %s = %v, want an error naming it", dir, r.err)
		}
		if _, err := os.Stat(opts.DB); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("runDemo with a bad --dir created the database (stat: %v)", err)
		}
	}
}

// A file whose name is not valid UTF-8 cannot travel in a task's JSON
// payload: the scan skips it, says so, and the run goes on with the rest.
func TestDemoSkipsNamesNotUTF8(t *testing.T) {
	t.Parallel()
	dir := makeTree(t, 20)
	if err := os.WriteFile(filepath.Join(dir, "d3", "bad\xff.txt"), nil, 0o644); err != nil {
		t.Skipf("this file system refuses a name that is not UTF-8: %v", err)
	}
	opts := testOptions(t, dir)
	r := runDemoForTest(t.Context(), opts)
	if r.err != nil {
		t.Fatalf("runDemo: %v\nstderr:\n%s", r.err, r.stderr)
	}
	const why = "1 file whose path is not valid UTF-8, which a task's JSON payload cannot hold"
	if !strings.Contains(r.stderr, "found 21 files: 20 new tasks appended; skipped "+why) {
		t.Errorf("the scan line does not give the skipped file:\n%s", r.stderr)
	}
	for _, want := range []string{"completed  20", "skipped    " + why} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	db := openTestDB(t, opts.DB)
	if n := queryInt(t, db, "SELECT count(*) FROM demo_files"); n != 20 {
		t.Errorf("demo_files holds %d rows, want 20", n)
	}
}

// failsFirst fails the share of paths it is asked to, even when they
// differ only in their last characters.
func TestFailsFirstSpreadsSimilarNames(t *testing.T) {
	t.Parallel()
	failed := 0
	for i := range 1000 {
		if failsFirst(fmt.Sprintf("dir/f%d", i), 0.3) {
			failed++
		}
	}
	if failed < 200 || failed > 400 {
		t.Errorf("%d of 1000 similar paths fail at rate 0.3, want 200 to 400", failed)
	}
	letters := 0
	for c := 'a'; c <= 'z'; c++ {
		if failsFirst("/tmp/t/small/"+string(c), 0.5) {
			letters++
		}
	}
	if letters == 0 || letters == 26 {
		t.Errorf("%d of the 26 paths /tmp/t/small/a…z fail at rate 0.5, "+
			"want some but not all", letters)
	}
}

// A run interrupted while it starts (opening, migrating, scanning) exits
// with the interrupted status and says how to resume, not with the
// context's error.
func TestDemoInterruptedWhileStarting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	db := filepath.Join(t.TempDir(), "x.db")
	var stdout, stderr strings.Builder
	status := run(ctx, []string{"demo", "--db", db, "--dir", makeTree(t, 5)}, &stdout, &stderr)
	if status != exitInterrupted {
		t.Errorf("status %d, want %d; stderr:\n%s", status, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Run the same command again to resume.") ||
		strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("stderr does not say only how to resume:\n%s", stderr.String())
	}
}
