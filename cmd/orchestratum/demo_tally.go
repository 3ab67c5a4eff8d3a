package main

import (
	"sync/atomic"

	orch "github.com/orchestratum/orchestratum"
)

// tally counts the outcomes this process recorded. Its record method is
// the runner's Config.OnEvent.
type tally struct {
	completed, failed atomic.Int64
}

func (t *tally) record(e orch.Event) {
	switch e.Kind {
	case orch.EventCompleted:
		t.completed.Add(1)
	case orch.EventFailed:
		t.failed.Add(1)
	}
}

// finished is how many tasks this process completed or failed.
func (t *tally) finished() int64 { return t.completed.Load() + t.failed.Load() }
