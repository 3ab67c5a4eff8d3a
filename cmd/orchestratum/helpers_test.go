package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/orchestratum/orchestratum/bunstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// makeTree writes n small files under a fresh directory, spread over
// subdirectories, with a symbolic link the demo must leave out, and
// returns the directory's path.
func makeTree(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%d", i%10))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(sub, fmt.Sprintf("f%d.txt", i))
		if err := os.WriteFile(name, fileContent(i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "d1", "f1.txt"), link); err != nil {
		t.Logf("no symbolic link in the tree: %v", err)
	}
	return dir
}

// fileContent is the content of the i-th file of makeTree: i%7 lines,
// and on every third file a last line without a newline. File 0 is empty.
func fileContent(i int) []byte {
	var b bytes.Buffer
	for j := range i % 7 {
		fmt.Fprintf(&b, "file %d line %d\n", i, j)
	}
	if i%3 == 0 && i > 0 {
		b.WriteString("no newline at the end")
	}
	return b.Bytes()
}

// wantResult is the result row the demo must store for file i of makeTree.
func wantResult(i int) resultRow {
	c := fileContent(i)
	sum := sha256.Sum256(c)
	lines := i % 7
	if i%3 == 0 && i > 0 {
		lines++
	}
	return resultRow{
		SHA256: hex.EncodeToString(sum[:]),
		Size:   int64(len(c)),
		Lines:  int64(lines),
	}
}

// demoRun is the output of one in-process run of the demo.
type demoRun struct {
	stdout, stderr string
	err            error
}

// runDemoForTest runs the demo in this process.
func runDemoForTest(ctx context.Context, opts demoOptions) demoRun {
	var stdout, stderr bytes.Buffer
	err := runDemo(ctx, opts, &stdout, &stderr)
	return demoRun{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// testOptions are demo options for a test: its own database file.
func testOptions(t *testing.T, dir string) demoOptions {
	return demoOptions{
		DB:          filepath.Join(t.TempDir(), "demo.db"),
		Dir:         dir,
		FailRate:    0,
		Concurrency: 8,
	}
}

// openTestDB opens the demo's database for a test to look into.
func openTestDB(t *testing.T, path string) *bun.DB {
	t.Helper()
	db, err := bunstore.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, db *bun.DB, query string) int {
	t.Helper()
	n, err := tryQueryInt(db, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func tryQueryInt(db *bun.DB, query string) (int, error) {
	var n int
	err := db.QueryRowContext(context.Background(), query).Scan(&n)
	return n, err
}

// waitForResults polls the database at path until it holds at least n
// result rows. It fails the test when ended is closed first (the run is
// over) or after 30s.
func waitForResults(t *testing.T, path string, n int, ended <-chan struct{}) {
	t.Helper()
	waitFor(t, ended, fmt.Sprintf("%d results", n), func() bool { return resultCount(path) >= n })
}

// waitFor polls cond until it holds. It fails the test, saying that it
// waited for what, when ended is closed first or after 30s.
func waitFor(t *testing.T, ended <-chan struct{}, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-ended:
			t.Fatalf("the run ended before %s", what)
		case <-deadline:
			t.Fatalf("no %s after 30s", what)
		case <-tick.C:
		}
	}
}

// resultCount returns the number of rows of demo_results in the database
// at path, or -1 while the file or the table does not exist.
func resultCount(path string) int {
	if _, err := os.Stat(path); err != nil {
		return -1
	}
	db, err := bunstore.OpenSQLite(path)
	if err != nil {
		return -1
	}
	defer db.Close()
	n, err := tryQueryInt(db, "SELECT count(*) FROM demo_results")
	if err != nil {
		return -1
	}
	return n
}

// summaryNumber reads the number after label in a summary.
func summaryNumber(t *testing.T, summary, label string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + label + ` +(\d+)`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("summary has no %q line:\n%s", label, summary)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// checkGolden compares got with testdata/name, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\ngot:\n%s\nwant:\n%s",
			path, got, want)
	}
}

// lines splits text into its lines, for messages.
func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }
