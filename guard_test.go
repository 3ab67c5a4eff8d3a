package orchestratum_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// backwards is a broken schedule whose next fire is never after now.
type backwards struct{}

func (backwards) Next(t time.Time) time.Time { return t }

// panicking is a schedule that panics.
type panicking struct{}

func (panicking) Next(time.Time) time.Time { panic("bad schedule") }

// Panics in callbacks other than handlers, and schedules that go back in
// time, are logged; the runner goes on serving tasks and appends nothing
// in a loop.
func TestBadCallbacksDoNotEndTheRunner(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	events := s.events
	s.cfg.OnEvent = func(e orch.Event) {
		events <- e
		panic("bad OnEvent")
	}
	s.cfg.Backoff = func(int) time.Duration { panic("bad Backoff") }
	orch.Register(s.reg, flaky, func(_ context.Context, task *orch.Task[string]) error {
		if task.Attempt == 1 {
			return errors.New("first try fails")
		}
		return nil
	})
	orch.RegisterPeriodic(s.reg, "backwards", backwards{}, notify, func(time.Time) string { return "" })
	orch.RegisterPeriodic(s.reg, "panicking", panicking{}, notify, func(time.Time) string { return "" })
	orch.RegisterPeriodic(s.reg, "bad-payload", orch.Every(time.Millisecond), notify,
		func(time.Time) string { panic("bad payload") })
	s.run()
	id, _ := flaky.Append(t.Context(), s.queue, "x")
	if e := s.eventFor(id); e.Kind != orch.EventRetrying || e.Delay <= 0 {
		t.Fatalf("event %s with delay %v; want a retry with the default backoff", e.Kind, e.Delay)
	}
	if c, _ := s.queue.Count(t.Context(), "notify"); c.Total() != 0 {
		t.Fatalf("broken periodic tasks appended %d tasks, want none", c.Total())
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	for key, want := range map[string]string{
		"":                       "the key is empty",
		strings.Repeat("k", 513): "the key is 513 bytes; want at most 512",
		"nul\x00":                "not valid UTF-8 without NUL bytes",
		"bad \xff":               "not valid UTF-8 without NUL bytes",
		strings.Repeat("k", 512): "",
	} {
		_, err := notify.Append(t.Context(), s.queue, "x", orch.WithUniqueKey(key))
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("WithUniqueKey(%.20q): %v; want %q", key, err, want)
		}
	}
	for _, cfg := range []orch.Config{{DefaultRetries: 1 << 40}, {Concurrency: 1 << 30},
		{Queues: map[string]int{"q": 1 << 30}}, {PollInterval: time.Nanosecond}} {
		if _, err := orch.NewRunner(s.store, s.reg, cfg); err == nil {
			t.Errorf("NewRunner(%+v) accepted it", cfg)
		}
	}
	var zero orch.Executor[string]
	if err := orch.RegisterPeriodic(s.reg, "zero", orch.Every(time.Second), &zero,
		func(time.Time) string { return "" }); err == nil {
		t.Error("RegisterPeriodic of a zero Executor was accepted")
	}
	if err := orch.RegisterPeriodic(s.reg, "bad-option", orch.Every(time.Second), notify,
		func(time.Time) string { return "" }, orch.WithTimeout(0)); err == nil {
		t.Error("RegisterPeriodic with a bad option was accepted")
	}
	if err := orch.RegisterHandler(s.reg, notify, orch.HandlerFunc[string](nil)); err == nil {
		t.Error("RegisterHandler of a nil HandlerFunc was accepted")
	}
	var nilExec *orch.Executor[string]
	if _, err := notify.Append(t.Context(), s.queue, "x", orch.OnSuccess(orch.Then(nilExec, ""))); err == nil {
		t.Error("a follow-up of a nil executor was accepted")
	}
}

func TestPermanentSnoozeFails(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	orch.Register(s.reg, notify, func(context.Context, *orch.Task[string]) error {
		return orch.Permanent(orch.Snooze(time.Millisecond))
	})
	s.run()
	id, _ := notify.Append(t.Context(), s.queue, "x")
	if e := s.eventFor(id); e.Kind != orch.EventFailed {
		t.Fatalf("event %s, want failed", e.Kind)
	}
}
