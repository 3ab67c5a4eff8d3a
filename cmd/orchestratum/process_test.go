package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orchestratum/orchestratum/internal/leakcheck"
)

// cli is the command built once for the tests that run it as a process.
var cli struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := leakcheck.Run(m)
	if cli.dir != "" {
		os.RemoveAll(cli.dir)
	}
	os.Exit(code)
}

// buildCLI returns the path of the command, building it on first use. It
// builds with -race when the tests run with it, so that the build reuses
// the packages compiled for the test.
func buildCLI(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		if cli.dir, cli.err = os.MkdirTemp("", "orchestratum-cli-"); cli.err != nil {
			return
		}
		cli.path = filepath.Join(cli.dir, "orchestratum")
		args := []string{"build", "-o", cli.path}
		if raceEnabled() {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool(), append(args, ".")...).CombinedOutput()
		if err != nil {
			cli.err = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.path
}

// goTool returns the go command of the toolchain running the tests.
func goTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// startDemo starts the command's demo with args, its handlers slowed down
// so that tasks are running when the test stops it. The process is killed
// when the test ends, if it is still running.
func startDemo(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, <-chan struct{}) {
	t.Helper()
	args = append([]string{"demo", "--work-delay", "20ms"}, args...)
	cmd := exec.Command(buildCLI(t), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	return cmd, &out, exited
}

// A run killed with SIGKILL in the middle leaves tasks running under a
// lease; the next run rescues them once the lease ends and finishes every
// task, writing each result exactly once.
func TestKilledRunResumes(t *testing.T) {
	t.Parallel()
	dir := makeTree(t, 500)
	db := filepath.Join(t.TempDir(), "x.db")
	cmd, out, exited := startDemo(t, "--dir", dir, "--db", db, "--fail-rate", "0")
	waitForResults(t, db, 50, exited)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	if cmd.ProcessState.Success() {
		t.Fatalf("the killed run exited with success:\n%s", out)
	}

	check := openTestDB(t, db)
	cut := queryInt(t, check, "SELECT count(*) FROM orchestratum_commands WHERE is_running")
	if n := queryInt(t, check, "SELECT count(*) FROM demo_results"); n >= 500 {
		t.Fatalf("the run finished all 500 files before it was killed")
	}

	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	start := time.Now()
	rerun, err := exec.CommandContext(ctx, buildCLI(t), "demo", "--dir", dir, "--db", db).
		CombinedOutput()
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, rerun)
	}
	t.Logf("%d tasks cut off; second run took %v:\n%s", cut, time.Since(start), rerun)
	if cut > 0 && !strings.Contains(string(rerun), "left by a run that stopped") {
		t.Errorf("second run does not mention the %d tasks cut off", cut)
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM orchestratum_commands":                    500,
		"SELECT count(*) FROM orchestratum_commands WHERE is_completed": 500,
		"SELECT count(*) FROM demo_files":                               500,
		"SELECT count(*) FROM demo_results":                             500,
		"SELECT count(DISTINCT task_id) FROM demo_results":              500,
		// Every file has its result, written by the task appended for it.
		"SELECT count(*) FROM demo_files f JOIN demo_results r " +
			"ON r.path = f.path AND r.task_id = f.task_id": 500,
	} {
		if got := queryInt(t, check, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	// The cut-off tasks were rescued: their lost run counts as an attempt.
	q := "SELECT count(*) FROM orchestratum_commands WHERE attempt > 1"
	if got := queryInt(t, check, q); got < cut {
		t.Errorf("%s = %d, want at least the %d tasks cut off", q, got, cut)
	}
}

// SIGINT stops a run gracefully: exit status 130 and a word on resuming.
func TestInterruptedProcessSaysHowToResume(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on windows")
	}
	db := filepath.Join(t.TempDir(), "x.db")
	cmd, out, exited := startDemo(t, "--dir", makeTree(t, 500), "--db", db)
	waitForResults(t, db, 1, exited)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	<-exited
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit status %d after SIGINT, want %d", code, exitInterrupted)
	}
	if !strings.Contains(out.String(), "Run the same command again to resume.") {
		t.Errorf("output does not say how to resume:\n%s", out)
	}
}
