package storetest

import (
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"

	orch "github.com/orchestratum/orchestratum"
)

// Defaults of the tasks and claims the cases make.
const (
	lease   = 30 * time.Second
	buffer  = time.Second
	timeout = 10 * time.Second
)

var defaultQueue = orch.DefaultQueue

// task returns a new task of the executor with a fresh ID, a small JSON
// payload and the case defaults, changed by mods.
func task(executor string, mods ...func(*orch.NewRecord)) orch.NewRecord {
	t := orch.NewRecord{
		ID:       orch.NewID(),
		Executor: executor,
		DataType: "example.com/app.Payload",
		Data:     []byte(`{"n":1}`),
		Queue:    defaultQueue,
		Timeout:  timeout,
		Retries:  3,
	}
	for _, m := range mods {
		m(&t)
	}
	return t
}

func retries(n int) func(*orch.NewRecord)         { return func(t *orch.NewRecord) { t.Retries = n } }
func priority(p int) func(*orch.NewRecord)        { return func(t *orch.NewRecord) { t.Priority = p } }
func runAt(at time.Time) func(*orch.NewRecord)    { return func(t *orch.NewRecord) { t.RunAt = at } }
func delay(d time.Duration) func(*orch.NewRecord) { return func(t *orch.NewRecord) { t.Delay = d } }
func data(b string) func(*orch.NewRecord)         { return func(t *orch.NewRecord) { t.Data = []byte(b) } }
func taskTimeout(d time.Duration) func(*orch.NewRecord) {
	return func(t *orch.NewRecord) { t.Timeout = d }
}

// now is the store's time as stores keep it: microseconds, UTC.
func (f *fixture) now() time.Time { return f.clock.Now().Truncate(time.Microsecond) }

func (f *fixture) append(tasks ...orch.NewRecord) []orch.ID {
	f.t.Helper()
	res, err := f.store.Append(f.ctx, orch.AppendParams{Tasks: tasks})
	if err != nil {
		f.t.Fatalf("Append: %v", err)
	}
	if len(res.IDs) != len(tasks) || len(res.Existed) != len(tasks) {
		f.t.Fatalf("Append of %d tasks returned %d IDs and %d existed flags",
			len(tasks), len(res.IDs), len(res.Existed))
	}
	for i := range tasks {
		if res.Existed[i] || res.IDs[i] != tasks[i].ID {
			f.t.Fatalf("Append: task %d reported as existing task %s", i, res.IDs[i])
		}
	}
	return res.IDs
}

func (f *fixture) claimParams(limit int, executors ...string) orch.ClaimParams {
	if len(executors) == 0 {
		executors = []string{"email"}
	}
	return orch.ClaimParams{
		Executors:     executors,
		Queue:         defaultQueue,
		Limit:         limit,
		Lease:         lease,
		TimeoutBuffer: buffer,
	}
}

func (f *fixture) claim(limit int, executors ...string) []orch.Record {
	f.t.Helper()
	recs, err := f.store.Claim(f.ctx, f.claimParams(limit, executors...))
	if err != nil {
		f.t.Fatalf("Claim: %v", err)
	}
	return recs
}

// claimOne claims with limit 1 and fails the case unless it gets id.
func (f *fixture) claimOne(id orch.ID) orch.Record {
	f.t.Helper()
	recs := f.claim(1)
	if len(recs) != 1 || recs[0].ID != id {
		f.t.Fatalf("Claim(limit 1) = %v, want task %s", ids(recs), id)
	}
	return recs[0]
}

func (f *fixture) claimNone(why string) {
	f.t.Helper()
	if recs := f.claim(10); len(recs) != 0 {
		f.t.Fatalf("Claim returned %v; want nothing: %s", ids(recs), why)
	}
}

func (f *fixture) get(id orch.ID) orch.Record {
	f.t.Helper()
	rec, err := f.store.Get(f.ctx, id)
	if err != nil {
		f.t.Fatalf("Get(%s): %v", id, err)
	}
	return rec
}

func (f *fixture) finish(outcomes ...orch.Outcome) (lost []orch.ID) {
	f.t.Helper()
	return f.finishResult(outcomes...).Lost
}

func (f *fixture) finishResult(outcomes ...orch.Outcome) orch.FinishResult {
	f.t.Helper()
	res, err := f.store.Finish(f.ctx, orch.FinishParams{Outcomes: outcomes})
	if err != nil {
		f.t.Fatalf("Finish: %v", err)
	}
	return res
}

func (f *fixture) heartbeat(leases ...orch.Lease) (lost []orch.ID) {
	f.t.Helper()
	return f.heartbeatResult(leases...).Lost
}

func (f *fixture) heartbeatResult(leases ...orch.Lease) orch.HeartbeatResult {
	f.t.Helper()
	res, err := f.store.Heartbeat(f.ctx, orch.HeartbeatParams{Leases: leases, Lease: lease})
	if err != nil {
		f.t.Fatalf("Heartbeat: %v", err)
	}
	return res
}

func (f *fixture) wantState(id orch.ID, state orch.State) orch.Record {
	f.t.Helper()
	rec := f.get(id)
	if rec.State != state {
		f.t.Fatalf("task %s is %s, want %s (last error %q)", id, rec.State, state, rec.LastError)
	}
	return rec
}

func (f *fixture) wantDiff(what string, got, want any) {
	f.t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		f.t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func completed(r orch.Record) orch.Outcome {
	return orch.Outcome{Lease: r.Lease(), State: orch.StateCompleted}
}

func failed(r orch.Record, msg string) orch.Outcome {
	return orch.Outcome{Lease: r.Lease(), State: orch.StateFailed, Error: msg}
}

func retry(r orch.Record, msg string, d time.Duration) orch.Outcome {
	return orch.Outcome{Lease: r.Lease(), State: orch.StatePending, Error: msg, Delay: d, UseRetry: true}
}

func ids(recs []orch.Record) []string {
	out := make([]string, len(recs))
	for i := range recs {
		out[i] = recs[i].ID.String()
	}
	return out
}

func sortedIDs(in []orch.ID) []string {
	out := make([]string, len(in))
	for i := range in {
		out[i] = in[i].String()
	}
	slices.Sort(out)
	return out
}

// sortedIDsAsIDs returns ids sorted, for comparing sets.
func sortedIDsAsIDs(ids []orch.ID) []orch.ID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b orch.ID) int { return a.Compare(b) })
	return out
}
