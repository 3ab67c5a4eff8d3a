package storetest

import (
	"time"

	orch "github.com/orchestratum/orchestratum"
)

var leaseCases = []testCase{
	{
		name: "ExpiredLeaseIsRescued",
		rule: "once a lease ends the task is claimable again, in its place in line, and the lost run counts as a failed attempt",
		fn: func(f *fixture) {
			id := f.append(task("email", retries(2)))[0]
			first := f.claimOne(id)
			later := f.append(task("email", runAt(f.clock.Now().Add(time.Second))))[0]
			f.clock.Advance(timeout + buffer)
			second := f.claimOne(id) // before the task appended later
			if !second.RunAt.Equal(first.RunAt) {
				f.t.Fatalf("rescued task due %v, want its original %v", second.RunAt, first.RunAt)
			}
			f.claimOne(later)
			if second.Attempt != 2 || second.RetriesLeft != 1 {
				f.t.Fatalf("rescued claim: attempt %d, retries left %d; want 2 and 1",
					second.Attempt, second.RetriesLeft)
			}
			if second.LastError != orch.ErrLeaseExpired.Error() {
				f.t.Fatalf("rescued claim: last error %q, want %q", second.LastError, orch.ErrLeaseExpired)
			}
			if second.LeaseToken == first.LeaseToken {
				f.t.Fatal("a new claim reused the previous claim's lease token")
			}
		},
	},
	{
		name: "ExpiredLeaseWithoutRetriesFails",
		rule: "a task whose lease ends with no retries left fails instead of running again",
		fn: func(f *fixture) {
			id := f.append(task("email", retries(0)))[0]
			f.claimOne(id)
			f.clock.Advance(timeout + buffer)
			f.claimNone("the lost run used the last attempt")
			rec := f.wantState(id, orch.StateFailed)
			if rec.LastError != orch.ErrLeaseExpired.Error() || !rec.FinishedAt.Equal(f.now()) {
				f.t.Fatalf("failed task: last error %q, finished %v; want %q at %v",
					rec.LastError, rec.FinishedAt, orch.ErrLeaseExpired, f.now())
			}
			if rec.LeaseToken != "" || !rec.LockedUntil.IsZero() {
				f.t.Fatalf("failed task keeps lease %q until %v", rec.LeaseToken, rec.LockedUntil)
			}
		},
	},
	{
		name: "LostLeaseCannotFinishOrRenew",
		rule: "a runner whose lease was lost cannot complete, fail or renew the task",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			stale := f.claimOne(id)
			f.clock.Advance(timeout + buffer)
			current := f.claimOne(id)
			for _, o := range []orch.Outcome{completed(stale), failed(stale, "x"), retry(stale, "x", 0)} {
				f.wantDiff("lost from stale "+string(o.State), f.finish(o), []orch.ID{id})
			}
			f.wantDiff("lost from stale heartbeat", f.heartbeat(stale.Lease()), []orch.ID{id})
			f.wantDiff("task after stale writes", f.get(id), current)
			if lost := f.finish(completed(current)); len(lost) != 0 {
				f.t.Fatalf("current lease reported lost: %v", lost)
			}
			f.wantState(id, orch.StateCompleted)
		},
	},
	{
		name: "HeartbeatExtendsLease",
		rule: "a heartbeat moves the lease end to now plus the lease, keeping the task from others",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			r := f.claimOne(id)
			f.clock.Advance(timeout)
			if lost := f.heartbeat(r.Lease()); len(lost) != 0 {
				f.t.Fatalf("heartbeat of a live lease reported lost: %v", lost)
			}
			f.wantDiff("LockedUntil after heartbeat", f.get(id).LockedUntil, f.now().Add(lease))
			f.clock.Advance(lease - time.Microsecond)
			f.claimNone("the renewed lease has a microsecond left")
			f.clock.Advance(time.Microsecond)
			f.claimOne(id)
		},
	},
	{
		name: "HeartbeatOfFinishedTaskIsLost",
		rule: "a heartbeat for a task that is no longer running reports the lease lost",
		fn: func(f *fixture) {
			id := f.append(task("email"))[0]
			r := f.claimOne(id)
			f.finish(completed(r))
			missing := orch.NewID()
			lost := f.heartbeat(r.Lease(), orch.Lease{ID: missing, Token: "x"})
			f.wantDiff("lost", sortedIDs(lost), sortedIDs([]orch.ID{id, missing}))
		},
	},
}
