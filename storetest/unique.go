package storetest

import (
	"sync"

	orch "github.com/orchestratum/orchestratum"
)

func uniqueKey(k string) func(*orch.NewRecord) { return func(t *orch.NewRecord) { t.UniqueKey = k } }

// appendResult appends and returns the store's answer, failing on error.
func (f *fixture) appendResult(tasks ...orch.NewRecord) orch.AppendResult {
	f.t.Helper()
	res, err := f.store.Append(f.ctx, orch.AppendParams{Tasks: tasks})
	if err != nil {
		f.t.Fatalf("Append: %v", err)
	}
	return res
}

var uniqueCases = []testCase{
	{
		name: "UniqueKeyWhileActive",
		rule: "a unique key held by an active task of the executor returns that task instead of a second one",
		fn: func(f *fixture) {
			first := f.append(task("email", uniqueKey("k")))[0]
			res := f.appendResult(task("email", uniqueKey("k")), task("sms", uniqueKey("k")))
			f.wantDiff("existed", res.Existed, []bool{true, false})
			if res.IDs[0] != first {
				f.t.Fatalf("duplicate append returned %s, want the existing task %s", res.IDs[0], first)
			}
			r := f.claimOne(first) // running still holds the key
			if res := f.appendResult(task("email", uniqueKey("k"))); !res.Existed[0] {
				f.t.Fatal("a running task's key was taken by a second task")
			}
			f.finish(completed(r))
			if res := f.appendResult(task("email", uniqueKey("k"))); res.Existed[0] {
				f.t.Fatal("a completed task still holds its unique key")
			}
		},
	},
	{
		name: "UniqueKeyInOneBatch",
		rule: "two tasks of one append with the same key store the first only",
		fn: func(f *fixture) {
			a, b := task("email", uniqueKey("k")), task("email", uniqueKey("k"))
			res := f.appendResult(a, b)
			f.wantDiff("result", res, orch.AppendResult{IDs: []orch.ID{a.ID, a.ID}, Existed: []bool{false, true}})
			if c, _ := f.store.Count(f.ctx, orch.CountParams{}); c.Total() != 1 {
				f.t.Fatalf("%d tasks stored, want 1", c.Total())
			}
		},
	},
	{
		name: "UniqueKeyRace",
		rule: "appenders racing with one unique key store exactly one task",
		fn: func(f *fixture) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			inserted := 0
			for range 8 {
				wg.Go(func() {
					for range 25 {
						res, err := f.store.Append(f.ctx, orch.AppendParams{
							Tasks: []orch.NewRecord{task("email", uniqueKey("race"))}})
						if err != nil {
							f.t.Errorf("Append: %v", err)
							return
						}
						if !res.Existed[0] {
							mu.Lock()
							inserted++
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			if c, _ := f.store.Count(f.ctx, orch.CountParams{}); inserted != 1 || c.Total() != 1 {
				f.t.Fatalf("%d appends inserted, %d tasks stored; want 1 and 1", inserted, c.Total())
			}
		},
	},
	{
		name: "IfAbsentSkipsExistingID",
		rule: "a task with IfAbsent whose ID exists is skipped without an error",
		fn: func(f *fixture) {
			t := task("email", data(`{"v":1}`))
			f.append(t)
			again := t
			again.Data, again.IfAbsent = []byte(`{"v":2}`), true
			if res := f.appendResult(again); !res.Existed[0] || res.IDs[0] != t.ID {
				f.t.Fatalf("IfAbsent append of an existing ID: %+v, want it reported as existing", res)
			}
			f.wantDiff("payload", string(f.get(t.ID).Data), `{"v":1}`)
		},
	},
	{
		name: "ResultStoredWithCompletion",
		rule: "a completion stores the handler's result and its type",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			o := completed(f.claimOne(id))
			o.Result, o.ResultType = []byte(`{"ok":true}`), "example.com/app.Receipt"
			f.finish(o)
			rec := f.get(id)
			if string(rec.Result) != `{"ok":true}` || rec.ResultType != "example.com/app.Receipt" {
				f.t.Fatalf("result %s of type %q, want the stored one", rec.Result, rec.ResultType)
			}
		},
	},
}
