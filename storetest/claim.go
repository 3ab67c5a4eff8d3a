package storetest

import (
	"sync"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

var claimCases = []testCase{
	{
		name: "ClaimMarksRunning",
		rule: "a claim sets running, attempt 1, a token, and a lease of timeout+buffer when shorter than the lease",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			got := f.claimOne(id)
			if got.LeaseToken == "" {
				f.t.Fatal("claimed task has an empty lease token")
			}
			want := f.get(id)
			f.wantDiff("claimed record vs Get", got, want)
			if got.State != orch.StateRunning || got.Attempt != 1 {
				f.t.Fatalf("claimed task: state %s attempt %d, want running attempt 1", got.State, got.Attempt)
			}
			f.wantDiff("LockedUntil", got.LockedUntil, f.now().Add(timeout+buffer))
		},
	},
	{
		name: "ClaimLeaseCappedByLease",
		rule: "a task whose timeout+buffer exceeds the lease is locked for the lease only",
		fn: func(f *fixture) {
			id := f.append(task("email", taskTimeout(time.Hour)))[0]
			f.wantDiff("LockedUntil", f.claimOne(id).LockedUntil, f.now().Add(lease))
		},
	},
	{
		name: "ClaimRespectsRunAt",
		rule: "a task is not claimed before its run-at time, and is claimed from it on",
		fn: func(f *fixture) {
			later := f.append(task("email", runAt(f.clock.Now().Add(time.Minute))))[0]
			delayed := f.append(task("email", delay(2*time.Minute)))[0]
			f.claimNone("both tasks are due in the future")
			f.clock.Advance(time.Minute)
			f.finish(completed(f.claimOne(later)))
			f.claimNone("the delayed task is due a minute later")
			f.clock.Advance(time.Minute)
			f.claimOne(delayed)
		},
	},
	{
		name: "ClaimOrder",
		rule: "due tasks are claimed by priority (highest first), then run-at, then ID",
		fn: func(f *fixture) {
			t0 := f.clock.Now()
			// Two rounds of the same shape: the first claims one task at
			// a time to check the order, the second claims a batch, which
			// must hold the first tasks in that order (in any sequence).
			round := func(p int) (order []orch.ID) {
				low := task("email", priority(p-1), runAt(t0.Add(-time.Hour)))
				early := task("email", priority(p), runAt(t0.Add(-time.Minute)))
				tieA := task("email", priority(p), runAt(t0))
				tieB := task("email", priority(p), runAt(t0))
				high := task("email", priority(p+5), runAt(t0))
				future := task("email", priority(p+9), runAt(t0.Add(time.Hour)))
				f.append(tieB, low, future, high, tieA, early)
				return []orch.ID{high.ID, early.ID, tieA.ID, tieB.ID, low.ID}
			}
			want := round(100)
			var got []orch.ID
			for range len(want) {
				got = append(got, f.claim(1)[0].ID)
			}
			f.wantDiff("claim order", got, want)

			want = round(0)
			got = got[:0]
			for _, r := range f.claim(3) {
				got = append(got, r.ID)
			}
			f.wantDiff("batch of 3", sortedIDs(got), sortedIDs(want[:3]))
		},
	},
	{
		name: "ClaimLimitAndExecutors",
		rule: "a claim takes at most Limit tasks, only of the named executors and queue",
		fn: func(f *fixture) {
			for range 5 {
				f.append(task("email"), task("sms"))
			}
			other := f.append(task("email", func(t *orch.NewRecord) { t.Queue = "other" }))[0]
			if n := len(f.claim(3, "email")); n != 3 {
				f.t.Fatalf("Claim(limit 3) took %d tasks", n)
			}
			for _, r := range f.claim(10, "email") {
				if r.Executor != "email" || r.Queue != defaultQueue {
					f.t.Fatalf("Claim(email) took a task of %s in queue %s", r.Executor, r.Queue)
				}
			}
			c, err := f.store.Count(f.ctx, orch.CountParams{Executor: "sms"})
			if err != nil || c.Pending != 5 {
				f.t.Fatalf("sms tasks: %+v, %v; want 5 pending, untouched", c, err)
			}
			f.wantState(other, orch.StatePending)
		},
	},
	{
		name: "ClaimNeverUnderLiveLease",
		rule: "a task under a live lease is never claimed, up to the last microsecond of the lease",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			f.claimOne(id)
			f.claimNone("the task was just claimed")
			f.clock.Advance(timeout + buffer - time.Microsecond)
			f.claimNone("the lease has one microsecond left")
			f.wantState(id, orch.StateRunning)
		},
	},
	{
		name: "ConcurrentClaimsTakeEachTaskOnce",
		rule: "claims racing from many goroutines never take one task twice",
		fn: func(f *fixture) {
			const n = 300
			var all []orch.NewRecord
			for range n {
				all = append(all, task("email"))
			}
			f.append(all...)
			var (
				mu    sync.Mutex
				seen  = map[orch.ID]int{}
				wg    sync.WaitGroup
				errMu sync.Mutex
				first error
			)
			for range 8 {
				wg.Go(func() {
					for {
						recs, err := f.store.Claim(f.ctx, f.claimParams(7))
						if err != nil {
							errMu.Lock()
							first = err
							errMu.Unlock()
							return
						}
						if len(recs) == 0 {
							return
						}
						mu.Lock()
						for _, r := range recs {
							seen[r.ID]++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if first != nil {
				f.t.Fatalf("concurrent Claim: %v", first)
			}
			if len(seen) != n {
				f.t.Fatalf("claimed %d distinct tasks, want %d", len(seen), n)
			}
			for id, k := range seen {
				if k != 1 {
					f.t.Fatalf("task %s claimed %d times", id, k)
				}
			}
		},
	},
}

var extremeCases = []testCase{
	{
		name: "ExtremeValuesDoNotBreakClaims",
		rule: "timeouts from negative to centuries and run-at times far in the past or future are kept and claimed safely",
		fn: func(f *fixture) {
			ancient := time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC) // the zero time means "now"
			future := time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
			negative := f.append(task("email", taskTimeout(-5*time.Second), runAt(ancient)))[0]
			huge := f.append(task("email", taskTimeout(200*365*24*time.Hour)))[0]
			far := f.append(task("email", runAt(future)))[0]
			f.wantDiff("ancient run-at", f.get(negative).RunAt, ancient)
			f.wantDiff("future run-at", f.get(far).RunAt, future)
			got := map[orch.ID]orch.Record{}
			for _, r := range f.claim(10) {
				got[r.ID] = r
			}
			if len(got) != 2 {
				f.t.Fatalf("claimed %d tasks, want the 2 due ones", len(got))
			}
			f.wantDiff("lease of a negative timeout", got[negative].LockedUntil, f.now().Add(buffer))
			f.wantDiff("lease of a huge timeout", got[huge].LockedUntil, f.now().Add(lease))
			f.wantDiff("huge timeout", got[huge].Timeout, 200*365*24*time.Hour)
		},
	},
}
