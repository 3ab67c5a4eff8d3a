package storetest

import (
	"time"

	orch "github.com/orchestratum/orchestratum"
)

var adminCases = []testCase{
	{
		name: "HistoryKeepsEveryFailedAttempt",
		rule: "every failed attempt is kept with its time, number, kind and error, lost leases too",
		fn: func(f *fixture) {
			id := f.append(task("email", retries(3)))[0]
			t0 := f.now()
			f.finish(orch.Outcome{Lease: f.claimOne(id).Lease(), State: orch.StatePending,
				Error: "timed out", Kind: orch.KindTimeout, UseRetry: true})
			f.claimOne(id)
			f.clock.Advance(timeout + buffer)
			t1 := f.now()
			r := f.claimOne(id) // the second attempt's lease was lost
			f.finish(orch.Outcome{Lease: r.Lease(), State: orch.StateFailed, Error: "panic: x",
				Kind: orch.KindPanic})
			h, err := f.store.History(f.ctx, id)
			if err != nil {
				f.t.Fatal(err)
			}
			f.wantDiff("history", h, []orch.Attempt{
				{Attempt: 1, At: t0, Kind: orch.KindTimeout, Error: "timed out"},
				{Attempt: 2, At: t1, Kind: orch.KindLeaseLost, Error: orch.ErrLeaseExpired.Error()},
				{Attempt: 3, At: t1, Kind: orch.KindPanic, Error: "panic: x"},
			})
		},
	},
	{
		name: "ListFiltersAndPages",
		rule: "List filters by state, executor, queue and creation time, and pages in ID order",
		fn: func(f *fixture) {
			var emails []orch.ID
			for range 5 {
				emails = append(emails, f.append(task("email"))[0])
			}
			f.clock.Advance(time.Minute)
			later := f.now()
			sms := f.append(task("sms"), task("sms", func(t *orch.NewRecord) { t.Queue = "bulk" }))
			f.finish(completed(f.claimOne(emails[0])))
			list := func(p orch.ListParams) []orch.ID {
				recs, err := f.store.List(f.ctx, p)
				if err != nil {
					f.t.Fatalf("List(%+v): %v", p, err)
				}
				var ids []orch.ID
				for _, r := range recs {
					ids = append(ids, r.ID)
				}
				return ids
			}
			f.wantDiff("page 1", list(orch.ListParams{Executor: "email", Limit: 2}), emails[:2])
			f.wantDiff("page 2", list(orch.ListParams{Executor: "email", Limit: 2, After: emails[1]}), emails[2:4])
			f.wantDiff("completed", list(orch.ListParams{State: orch.StateCompleted}), emails[:1])
			f.wantDiff("queue", list(orch.ListParams{Queue: "bulk"}), sms[1:])
			f.wantDiff("from", list(orch.ListParams{From: later}), sms)
			f.wantDiff("to", list(orch.ListParams{To: later, State: orch.StatePending}), emails[1:])
			if _, err := f.store.List(f.ctx, orch.ListParams{State: "bogus"}); err == nil {
				f.t.Fatal("List with an unknown state returned no error")
			}
		},
	},
	{
		name: "PruneOldFinished",
		rule: "Prune deletes finished tasks older than the age, oldest first, at most the limit, never active ones",
		fn: func(f *fixture) {
			var done []orch.ID
			for range 3 {
				id := f.append(task("email"))[0]
				f.finish(completed(f.claimOne(id)))
				done = append(done, id)
				f.clock.Advance(time.Hour)
			}
			pending := f.append(task("email", runAt(f.clock.Now().Add(-48*time.Hour))))[0]
			n, err := f.store.Prune(f.ctx, orch.PruneParams{Age: 90 * time.Minute, Limit: 1})
			if err != nil || n != 1 {
				f.t.Fatalf("Prune(limit 1): %d, %v; want 1", n, err)
			}
			n, _ = f.store.Prune(f.ctx, orch.PruneParams{Age: 90 * time.Minute, Limit: 10})
			if n != 1 {
				f.t.Fatalf("second Prune deleted %d, want the other task older than 90m", n)
			}
			for i, id := range done {
				_, err := f.store.Get(f.ctx, id)
				if (err == nil) != (i == 2) {
					f.t.Fatalf("task finished %dh ago: Get error %v", 3-i, err)
				}
			}
			f.wantState(pending, orch.StatePending)
		},
	},
	{
		name: "TryLock",
		rule: "a lock is held by one holder until it expires; its holder renews it",
		fn: func(f *fixture) {
			lock := func(holder string) bool {
				ok, err := f.store.TryLock(f.ctx, orch.LockParams{Name: "prune", Holder: holder, TTL: time.Minute})
				if err != nil {
					f.t.Fatalf("TryLock(%s): %v", holder, err)
				}
				return ok
			}
			if !lock("a") || lock("b") {
				f.t.Fatal("want a to take the lock and b to be refused")
			}
			f.clock.Advance(50 * time.Second)
			if !lock("a") {
				f.t.Fatal("a could not renew its lock")
			}
			f.clock.Advance(50 * time.Second)
			if lock("b") {
				f.t.Fatal("b took the lock a renewed 50s ago")
			}
			f.clock.Advance(10 * time.Second)
			if !lock("b") || lock("a") {
				f.t.Fatal("want b to take the expired lock from a")
			}
		},
	},
}
