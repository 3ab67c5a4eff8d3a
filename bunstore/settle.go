package bunstore

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// settlement is what an outcome writes to its task's row.
type settlement struct {
	completed, failed bool
	final             bool      // finished_at is set to now
	reschedule        bool      // run_at is set to runAt
	runAt             time.Time //
	retryUsed         int       // subtracted from retries_left
}

func settle(o *orch.Outcome, now time.Time) settlement {
	switch o.State {
	case orch.StateCompleted:
		return settlement{completed: true, final: true}
	case orch.StateFailed:
		return settlement{failed: true, final: true}
	}
	s := settlement{reschedule: true, runAt: now.Add(o.Delay)}
	if o.UseRetry {
		s.retryUsed = 1
	}
	return s
}

// sortClaimed puts a claimed batch in claim order: a database may return
// the rows of an UPDATE … RETURNING in any order.
func sortClaimed(recs []orch.Record) {
	slices.SortFunc(recs, func(a, b orch.Record) int {
		if a.Priority != b.Priority {
			return b.Priority - a.Priority
		}
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return a.ID.Compare(b.ID)
	})
}

// newToken returns a fresh lease token: 128 random bits in hex.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
