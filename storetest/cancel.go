package storetest

import (
	"errors"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

var cancelCases = []testCase{
	{
		name: "CancelPending",
		rule: "a cancelled pending task is final, frees its unique key and is never claimed",
		fn: func(f *fixture) {
			id := f.append(task("email", uniqueKey("k")))[0]
			if st, err := f.store.Cancel(f.ctx, id); err != nil || st != orch.StateCancelled {
				f.t.Fatalf("Cancel: %s, %v; want cancelled", st, err)
			}
			if rec := f.wantState(id, orch.StateCancelled); !rec.FinishedAt.Equal(f.now()) {
				f.t.Fatalf("cancelled task finished at %v, want %v", rec.FinishedAt, f.now())
			}
			f.claimNone("the task was cancelled")
			if res := f.appendResult(task("email", uniqueKey("k"))); res.Existed[0] {
				f.t.Fatal("a cancelled task still holds its unique key")
			}
		},
	},
	{
		name: "CancelRunning",
		rule: "cancelling a running task marks it; Heartbeat and Subscribe tell its runner, whose outcome ends it",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			r := f.claimOne(id)
			sub := f.store.Subscribe()
			defer sub.Close()
			if st, err := f.store.Cancel(f.ctx, id); err != nil || st != orch.StateRunning {
				f.t.Fatalf("Cancel of a running task: %s, %v; want running", st, err)
			}
			select {
			case <-sub.Cancel:
			case <-time.After(10 * time.Second):
				f.t.Fatal("no cancel wake-up within 10s")
			}
			if rec := f.get(id); !rec.CancelRequested || rec.State != orch.StateRunning {
				f.t.Fatalf("task %s, cancel requested %v; want running with the request", rec.State, rec.CancelRequested)
			}
			f.wantDiff("heartbeat", f.heartbeatResult(r.Lease()), orch.HeartbeatResult{Cancelled: []orch.ID{id}})
			f.finish(orch.Outcome{Lease: r.Lease(), State: orch.StateCancelled,
				Error: "cancelled while running", Kind: orch.KindCancelled})
			f.wantState(id, orch.StateCancelled)
		},
	},
	{
		name: "CancelErrors",
		rule: "cancelling an unknown task wraps ErrNotFound, a finished one ErrFinished",
		fn: func(f *fixture) {
			if _, err := f.store.Cancel(f.ctx, orch.NewID()); !errors.Is(err, orch.ErrNotFound) {
				f.t.Fatalf("Cancel(unknown): %v, want ErrNotFound", err)
			}
			id := f.append(task("email"))[0]
			f.finish(completed(f.claimOne(id)))
			st, err := f.store.Cancel(f.ctx, id)
			if !errors.Is(err, orch.ErrFinished) || st != orch.StateCompleted {
				f.t.Fatalf("Cancel(completed): %s, %v; want completed and ErrFinished", st, err)
			}
		},
	},
	{
		name: "RetryFailedOrCancelled",
		rule: "Retry makes a failed or cancelled task pending again with new retries; not a completed or active one",
		fn: func(f *fixture) {
			failedID := f.append(task("email", retries(0)))[0]
			f.finish(failed(f.claimOne(failedID), "boom"))
			cancelled := f.append(task("email"))[0]
			f.store.Cancel(f.ctx, cancelled)
			for _, id := range []orch.ID{failedID, cancelled} {
				if err := f.store.Retry(f.ctx, orch.RetryParams{ID: id, Retries: 2}); err != nil {
					f.t.Fatalf("Retry: %v", err)
				}
				rec := f.wantState(id, orch.StatePending)
				if rec.RetriesLeft != 2 || !rec.RunAt.Equal(f.now()) || !rec.FinishedAt.IsZero() {
					f.t.Fatalf("retried task: %d retries, due %v, finished %v", rec.RetriesLeft, rec.RunAt, rec.FinishedAt)
				}
			}
			f.finish(completed(f.claimOne(failedID)))
			for id, want := range map[orch.ID]error{failedID: orch.ErrCompleted, cancelled: orch.ErrNotFinished,
				orch.NewID(): orch.ErrNotFound} {
				if err := f.store.Retry(f.ctx, orch.RetryParams{ID: id, Retries: 1}); !errors.Is(err, want) {
					f.t.Fatalf("Retry: %v, want %v", err, want)
				}
			}
		},
	},
	{
		name: "Delete",
		rule: "Delete removes a task that is not running, with its history; a running one is refused",
		fn: func(f *fixture) {
			id := f.append(task("email", retries(1)))[0]
			f.finish(retry(f.claimOne(id), "boom", 0))
			if err := f.store.Delete(f.ctx, id); err != nil {
				f.t.Fatalf("Delete: %v", err)
			}
			if _, err := f.store.Get(f.ctx, id); !errors.Is(err, orch.ErrNotFound) {
				f.t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
			}
			if h, err := f.store.History(f.ctx, id); err != nil || len(h) != 0 {
				f.t.Fatalf("History after Delete: %v, %v; want none", h, err)
			}
			f.claimNone("the task was deleted")
			running := f.append(task("email"))[0]
			f.claimOne(running)
			if err := f.store.Delete(f.ctx, running); !errors.Is(err, orch.ErrRunning) {
				f.t.Fatalf("Delete(running): %v, want ErrRunning", err)
			}
		},
	},
}

var cancelRequestCases = []testCase{
	{
		name: "CancelRequestOutlivesNonFinalOutcomes",
		rule: "a requested cancellation turns a retry, a release or a lost lease into a cancellation; a completion wins",
		fn: func(f *fixture) {
			retried, fs := chained(0)
			retried.Retries = 3
			released, lost, done := task("email"), task("email", retries(3)), task("email")
			f.append(retried, released, lost, done)
			byID := map[orch.ID]orch.Record{}
			for _, r := range f.claim(4) {
				byID[r.ID] = r
			}
			for _, id := range []orch.ID{retried.ID, released.ID, lost.ID, done.ID} {
				if _, err := f.store.Cancel(f.ctx, id); err != nil {
					f.t.Fatalf("Cancel: %v", err)
				}
			}
			res := f.finishResult(retry(byID[retried.ID], "boom", 0),
				orch.Outcome{Lease: byID[released.ID].Lease(), State: orch.StatePending, Error: "stopping"},
				completed(byID[done.ID]))
			f.wantDiff("finish result", orch.FinishResult{Lost: nil, Cancelled: sortedIDsAsIDs(res.Cancelled)},
				orch.FinishResult{Cancelled: sortedIDsAsIDs([]orch.ID{retried.ID, released.ID})})
			rec := f.wantState(retried.ID, orch.StateCancelled)
			if rec.RetriesLeft != 3 || !rec.FinishedAt.Equal(f.now()) {
				f.t.Fatalf("cancelled task: %d retries left, finished %v", rec.RetriesLeft, rec.FinishedAt)
			}
			f.wantOnly(fs, 2, f.now())
			f.wantState(released.ID, orch.StateCancelled)
			f.wantState(done.ID, orch.StateCompleted)
			f.clock.Advance(timeout + buffer)
			f.claimNone("the task whose lease ended was cancelled, not rescued for a rerun")
			f.wantState(lost.ID, orch.StateCancelled)
		},
	},
}
