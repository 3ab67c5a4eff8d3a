// Package fault lets crash tests stop a process at a named point in the
// library's code. A test starts a process with ORCHESTRATUM_FAULT set to a
// point's name; when that process reaches the point, it kills itself with
// SIGKILL, as a machine losing power would stop it: no deferred calls, no
// rollback sent, nothing flushed. Without the variable a point costs one
// string comparison.
package fault

import (
	"os"
	"syscall"
)

// EnvVar names the variable that selects the point to crash at.
const EnvVar = "ORCHESTRATUM_FAULT"

var armed = os.Getenv(EnvVar)

// Point kills the process when name is the armed point.
func Point(name string) {
	if armed != "" && armed == name {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}
