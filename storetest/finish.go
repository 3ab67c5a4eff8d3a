package storetest

import (
	"fmt"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

var finishCases = []testCase{
	{
		name: "CompletedIsFinal",
		rule: "a completed task drops its lease, records its finish time and is never claimed again",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			r := f.claimOne(id)
			f.clock.Advance(time.Second)
			if lost := f.finish(completed(r)); len(lost) != 0 {
				f.t.Fatalf("completing a live lease reported lost: %v", lost)
			}
			rec := f.wantState(id, orch.StateCompleted)
			if !rec.FinishedAt.Equal(f.now()) || rec.LeaseToken != "" || !rec.LockedUntil.IsZero() {
				f.t.Fatalf("completed task: finished %v, token %q, locked until %v; want %v, none, zero",
					rec.FinishedAt, rec.LeaseToken, rec.LockedUntil, f.now())
			}
			f.clock.Advance(24 * time.Hour)
			f.claimNone("the task is completed")
			f.wantDiff("second completion lost", f.finish(completed(r)), []orch.ID{id})
		},
	},
	{
		name: "RetriesCountDownToFailure",
		rule: "retries n means at most n+1 runs; then failed with retries_left 0 and the last error",
		fn: func(f *fixture) {
			id := f.append(task("email", retries(2)))[0]
			runs := 0
			for {
				r := f.claimOne(id)
				runs++
				msg := fmt.Sprintf("boom %d", runs)
				if r.RetriesLeft == 0 {
					f.finish(failed(r, msg))
					break
				}
				f.finish(retry(r, msg, 0))
				rec := f.wantState(id, orch.StatePending)
				if rec.RetriesLeft != r.RetriesLeft-1 || rec.LastError != msg {
					f.t.Fatalf("after retry %d: retries left %d, last error %q; want %d, %q",
						runs, rec.RetriesLeft, rec.LastError, r.RetriesLeft-1, msg)
				}
			}
			rec := f.wantState(id, orch.StateFailed)
			if runs != 3 || rec.RetriesLeft != 0 || rec.LastError != "boom 3" || rec.Attempt != 3 {
				f.t.Fatalf("ran %d times; failed with attempt %d, retries left %d, error %q; "+
					"want 3 runs, attempt 3, 0 left, \"boom 3\"", runs, rec.Attempt, rec.RetriesLeft, rec.LastError)
			}
			f.claimNone("the task failed")
		},
	},
	{
		name: "RetryWaitsForDelay",
		rule: "a retried task is due again after its delay, not before",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			f.finish(retry(f.claimOne(id), "later", 5*time.Second))
			f.wantDiff("RunAt", f.get(id).RunAt, f.now().Add(5*time.Second))
			f.clock.Advance(5*time.Second - time.Microsecond)
			f.claimNone("the retry is due in a microsecond")
			f.clock.Advance(time.Microsecond)
			if r := f.claimOne(id); r.Attempt != 2 {
				f.t.Fatalf("second claim has attempt %d, want 2", r.Attempt)
			}
		},
	},
	{
		name: "FailedIsFinal",
		rule: "a failed task keeps its error and retries and is never claimed again",
		fn: func(f *fixture) {
			id := f.append(task("email", retries(3)))[0]
			f.finish(failed(f.claimOne(id), "permanent: bad address"))
			rec := f.wantState(id, orch.StateFailed)
			if rec.LastError != "permanent: bad address" || rec.RetriesLeft != 3 {
				f.t.Fatalf("failed task: error %q, retries left %d; want the error and 3",
					rec.LastError, rec.RetriesLeft)
			}
			f.clock.Advance(24 * time.Hour)
			f.claimNone("the task failed")
		},
	},
	{
		name: "ReleaseKeepsRetries",
		rule: "a pending outcome without UseRetry returns the task due now with its retries",
		fn: func(f *fixture) {
			id := f.append(task("email", retries(1)))[0]
			r := f.claimOne(id)
			f.finish(orch.Outcome{Lease: r.Lease(), State: orch.StatePending, Error: "interrupted"})
			rec := f.wantState(id, orch.StatePending)
			if rec.RetriesLeft != 1 || !rec.RunAt.Equal(f.now()) {
				f.t.Fatalf("released task: retries left %d, due %v; want 1, %v", rec.RetriesLeft, rec.RunAt, f.now())
			}
			f.claimOne(id)
		},
	},
	{
		name: "FinishBatchSettlesEachOutcome",
		rule: "one Finish applies the outcomes whose lease holds and reports the others lost",
		fn: func(f *fixture) {
			ids := f.append(task("email"), task("email", taskTimeout(time.Hour)))
			recs := f.claim(2)
			f.clock.Advance(timeout + buffer) // the short task's lease ends
			f.claimOne(ids[0])
			missing := orch.Lease{ID: orch.NewID(), Token: "none"}
			var outcomes []orch.Outcome
			for _, r := range recs {
				outcomes = append(outcomes, completed(r))
			}
			outcomes = append(outcomes, orch.Outcome{Lease: missing, State: orch.StateCompleted})
			lost := f.finish(outcomes...)
			f.wantDiff("lost", sortedIDs(lost), sortedIDs([]orch.ID{ids[0], missing.ID}))
			f.wantState(ids[0], orch.StateRunning)
			f.wantState(ids[1], orch.StateCompleted)
		},
	},
}
