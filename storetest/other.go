package storetest

import (
	"time"

	orch "github.com/orchestratum/orchestratum"
)

var otherCases = []testCase{
	{
		name: "CountByState",
		rule: "Count reports tasks per state, for one executor or all",
		fn: func(f *fixture) {
			ids := f.append(task("email"), task("email"), task("email", retries(0)), task("email"), task("sms"))
			byID := map[orch.ID]orch.Record{}
			for _, r := range f.claim(3) {
				byID[r.ID] = r
			}
			f.finish(completed(byID[ids[0]]), failed(byID[ids[2]], "x"))
			want := orch.Counts{Pending: 1, Running: 1, Completed: 1, Failed: 1}
			got, err := f.store.Count(f.ctx, orch.CountParams{Executor: "email"})
			if err != nil {
				f.t.Fatalf("Count: %v", err)
			}
			f.wantDiff("email counts", got, want)
			want.Pending++
			got, err = f.store.Count(f.ctx, orch.CountParams{})
			if err != nil {
				f.t.Fatalf("Count: %v", err)
			}
			f.wantDiff("all counts", got, want)
		},
	},
	{
		name: "SubscribeWakesOnAppend",
		rule: "an append through the store wakes its subscribers",
		fn: func(f *fixture) {
			sub := f.store.Subscribe()
			defer sub.Close()
			f.append(task("email"))
			select {
			case <-sub.Wake:
			case <-time.After(10 * time.Second):
				f.t.Fatal("no wake-up within 10s of an append")
			}
		},
	},
}
