// Package leakcheck finds goroutines that tests left running: a TestMain
// calls Main, which runs the tests and then fails the binary when
// goroutines started from this module's code are still alive.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// module is the import path prefix whose goroutines are checked.
const module = "github.com/orchestratum/orchestratum"

// Main runs the tests and the check, and exits with their status.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs the tests, then waits up to five seconds for every goroutine
// created by this module's code to end, and returns the exit status: the
// tests' own, or 1 with the leaked stacks printed when some do not end.
func Run(m *testing.M) int {
	code := m.Run()
	if code == 0 {
		if leaked := wait(5 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "leakcheck: goroutines still running after the tests:\n\n%s\n", leaked)
			code = 1
		}
	}
	return code
}

// wait returns the stacks of leaked goroutines, or "" once there are none.
func wait(d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		leaked := find()
		if leaked == "" || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// find returns the stacks of goroutines that run or were created by code
// of this module, other than the one calling it.
func find() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var leaked []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 || !strings.Contains(g, module) || strings.Contains(g, module+"/internal/leakcheck.") {
			continue // the first stack is this goroutine's own
		}
		leaked = append(leaked, g)
	}
	return strings.Join(leaked, "\n\n")
}
