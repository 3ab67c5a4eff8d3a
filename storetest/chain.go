package storetest

import (
	"errors"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// chained returns a task whose chain holds one follow-up per final state,
// with the given delay; it returns the follow-ups too.
func chained(d time.Duration) (orch.NewRecord, [3]orch.NewRecord) {
	var fs [3]orch.NewRecord
	for i, ex := range []string{"on-success", "on-failure", "on-cancel"} {
		fs[i] = task(ex, delay(d))
		fs[i].IfAbsent = true
	}
	parent := task("email", retries(0), func(t *orch.NewRecord) {
		t.Chain = &orch.Chain{
			OnSuccess: []orch.NewRecord{fs[0]},
			OnFailure: []orch.NewRecord{fs[1]},
			OnCancel:  []orch.NewRecord{fs[2]},
		}
	})
	return parent, fs
}

// wantOnly checks that of the follow-ups exactly the one at index want
// exists, due at dueAt.
func (f *fixture) wantOnly(fs [3]orch.NewRecord, want int, dueAt time.Time) {
	f.t.Helper()
	for i, fu := range fs {
		rec, err := f.store.Get(f.ctx, fu.ID)
		switch {
		case i == want && err != nil:
			f.t.Fatalf("follow-up %s: %v; want it appended", fu.Executor, err)
		case i == want && !rec.RunAt.Equal(dueAt):
			f.t.Fatalf("follow-up %s due %v, want %v", fu.Executor, rec.RunAt, dueAt)
		case i != want && !errors.Is(err, orch.ErrNotFound):
			f.t.Fatalf("follow-up %s exists (%v); want only %s", fu.Executor, err, fs[want].Executor)
		}
	}
}

var chainCases = []testCase{
	{
		name: "ChainOnSuccess",
		rule: "completing a task appends its success follow-ups, due from the completion, and no others",
		fn: func(f *fixture) {
			parent, fs := chained(time.Minute)
			f.append(parent)
			r := f.claimOne(parent.ID)
			f.clock.Advance(time.Second)
			extra := task("extra")
			o := completed(r)
			o.FollowUps = []orch.NewRecord{extra}
			f.finish(o)
			f.wantOnly(fs, 0, f.now().Add(time.Minute))
			f.wantState(extra.ID, orch.StatePending)
		},
	},
	{
		name: "ChainOnFailure",
		rule: "failing a task for good, or losing its last lease, appends its failure follow-ups",
		fn: func(f *fixture) {
			parent, fs := chained(0)
			f.append(parent)
			f.finish(failed(f.claimOne(parent.ID), "boom"))
			f.wantOnly(fs, 1, f.now())

			parent, fs = chained(0)
			f.append(parent)
			f.claimOne(parent.ID)
			f.clock.Advance(timeout + buffer)
			f.claim(1) // rescues the task: its last attempt is lost
			f.wantState(parent.ID, orch.StateFailed)
			f.wantOnly(fs, 1, f.now())
		},
	},
	{
		name: "ChainOnCancel",
		rule: "cancelling a pending task appends its cancel follow-ups in the same step",
		fn: func(f *fixture) {
			parent, fs := chained(0)
			f.append(parent)
			if st, err := f.store.Cancel(f.ctx, parent.ID); err != nil || st != orch.StateCancelled {
				f.t.Fatalf("Cancel: %s, %v; want cancelled", st, err)
			}
			f.wantOnly(fs, 2, f.now())
		},
	},
	{
		name: "ChainOnRetryIsNotFinal",
		rule: "a retry appends no follow-ups",
		fn: func(f *fixture) {
			parent, fs := chained(0)
			parent.Retries = 1
			f.append(parent)
			f.finish(retry(f.claimOne(parent.ID), "again", 0))
			for _, fu := range fs {
				if _, err := f.store.Get(f.ctx, fu.ID); !errors.Is(err, orch.ErrNotFound) {
					f.t.Fatalf("follow-up %s appended on a retry", fu.Executor)
				}
			}
		},
	},
}
