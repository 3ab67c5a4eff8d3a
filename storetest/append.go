package storetest

import (
	"errors"
	"strings"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

var appendCases = []testCase{
	{
		name: "AppendGetRoundTrip",
		rule: "Append stores every field exactly; Get returns it pending, attempt 0, created and due now",
		fn: func(f *fixture) {
			payload := `{"big":9007199254740993,"s":"nul\u0000 ünïcödé 🚀 \"q\"","nil":null,` +
				`"empty":[],"at":"2026-01-02T03:04:05.123456789+05:30"}`
			in := task("email", data(payload), priority(7), retries(5), taskTimeout(90*time.Second))
			f.append(in)
			want := orch.Record{
				ID:          in.ID,
				Executor:    "email",
				DataType:    in.DataType,
				Data:        []byte(payload),
				Queue:       defaultQueue,
				Priority:    7,
				Timeout:     90 * time.Second,
				State:       orch.StatePending,
				RetriesLeft: 5,
				CreatedAt:   f.now(),
				RunAt:       f.now(),
			}
			f.wantDiff("Get after Append", f.get(in.ID), want)
		},
	},
	{
		name: "AppendLargePayload",
		rule: "a payload of several MiB comes back byte for byte",
		fn: func(f *fixture) {
			big := `{"blob":"` + strings.Repeat("abcdefghij", 400_000) + `"}`
			id := f.append(task("email", data(big)))[0]
			if got := f.get(id).Data; string(got) != big {
				f.t.Fatalf("payload of %d bytes came back as %d bytes", len(big), len(got))
			}
		},
	},
	{
		name: "AppendIsAtomic",
		rule: "a batch with an existing ID is an error and stores none of its tasks",
		fn: func(f *fixture) {
			first := f.append(task("email"))[0]
			fresh := task("email")
			dup := task("email")
			dup.ID = first
			_, err := f.store.Append(f.ctx, orch.AppendParams{Tasks: []orch.NewRecord{fresh, dup}})
			if err == nil {
				f.t.Fatal("Append with an existing ID returned nil, want an error")
			}
			if _, err := f.store.Get(f.ctx, fresh.ID); !errors.Is(err, orch.ErrNotFound) {
				f.t.Fatalf("Get(task from the failed batch) error = %v, want ErrNotFound", err)
			}
		},
	},
	{
		name: "AppendRunAtAndDelay",
		rule: "RunAt sets the due time (kept to the microsecond); Delay adds to now",
		fn: func(f *fixture) {
			at := time.Date(2027, 1, 2, 3, 4, 5, 678901234, time.FixedZone("IST", 5*3600+1800))
			a := f.append(task("email", runAt(at)))[0]
			b := f.append(task("email", delay(90*time.Second)))[0]
			f.wantDiff("RunAt", f.get(a).RunAt, at.UTC().Truncate(time.Microsecond))
			f.wantDiff("RunAt after Delay", f.get(b).RunAt, f.now().Add(90*time.Second))
		},
	},
	{
		name: "GetMissing",
		rule: "Get of an unknown ID wraps ErrNotFound",
		fn: func(f *fixture) {
			if _, err := f.store.Get(f.ctx, orch.NewID()); !errors.Is(err, orch.ErrNotFound) {
				f.t.Fatalf("Get(unknown) error = %v, want ErrNotFound", err)
			}
		},
	},
}
