package orchestratum_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

type Email struct{ To, Subject string }

var sendEmail = orch.NewExecutor[Email]("send-email")

func TestStringKeyedAppend(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	if err := s.reg.Declare(sendEmail); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	id, err := s.queue.Append(ctx, "send-email", Email{To: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ptrID, err := s.queue.Append(ctx, "send-email", &Email{To: "b@example.com"})
	if err != nil {
		t.Fatalf("append of *Email: %v", err)
	}
	for _, id := range []orch.ID{id, ptrID} {
		rec := s.get(id)
		if rec.DataType != "github.com/orchestratum/orchestratum_test.Email" || rec.Executor != "send-email" {
			t.Fatalf("stored executor %q, data type %q", rec.Executor, rec.DataType)
		}
	}
	var unknown *orch.UnknownExecutorError
	_, err = s.queue.Append(ctx, "send-sms", "hi")
	if !errors.As(err, &unknown) || unknown.Key != "send-sms" || !strings.Contains(err.Error(), `"send-sms"`) {
		t.Fatalf("append to an unknown key: %v; want an UnknownExecutorError naming send-sms", err)
	}
	_, err = s.queue.Append(ctx, "send-email", "not an email")
	want := "expects a payload of type github.com/orchestratum/orchestratum_test.Email, found string"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("append of the wrong type: %v; want it to say %q", err, want)
	}
	_, err = s.queue.Append(ctx, "send-email", nil)
	if err == nil || !strings.Contains(err.Error(), "found nil") {
		t.Fatalf("append of nil: %v; want it to say found nil", err)
	}
	if c, _ := s.queue.Count(ctx, ""); c.Pending != 2 {
		t.Fatalf("%d tasks stored, want the 2 valid ones", c.Pending)
	}
}

func TestAppendOptions(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{DefaultTimeout: 7 * time.Second, DefaultRetries: -1})
	ctx := t.Context()
	id, err := sendEmail.Append(ctx, s.queue, Email{})
	if err != nil {
		t.Fatal(err)
	}
	if rec := s.get(id); rec.Timeout != 7*time.Second || rec.RetriesLeft != 0 {
		t.Fatalf("defaults gave timeout %v, retries %d; want 7s and 0", rec.Timeout, rec.RetriesLeft)
	}
	at := s.clock.Now().Add(time.Hour)
	id, err = sendEmail.Append(ctx, s.queue, Email{}, orch.WithTimeout(time.Second),
		orch.WithRetries(9), orch.WithPriority(4), orch.WithRunAt(at))
	if err != nil {
		t.Fatal(err)
	}
	rec := s.get(id)
	if rec.Timeout != time.Second || rec.RetriesLeft != 9 || rec.Priority != 4 || !rec.RunAt.Equal(at) {
		t.Fatalf("options gave timeout %v, retries %d, priority %d, run at %v",
			rec.Timeout, rec.RetriesLeft, rec.Priority, rec.RunAt)
	}
	id, _ = sendEmail.Append(ctx, s.queue, Email{}, orch.WithDelay(time.Minute))
	if rec := s.get(id); !rec.RunAt.Equal(s.clock.Now().Add(time.Minute)) {
		t.Fatalf("WithDelay(1m) gave run at %v, want %v", rec.RunAt, s.clock.Now().Add(time.Minute))
	}

	for _, tc := range []struct {
		opt  orch.Option
		want string
	}{
		{orch.WithTimeout(0), "WithTimeout: want at least 1ms, found 0s"},
		{orch.WithTimeout(999 * time.Microsecond), "WithTimeout: want at least 1ms, found 999µs"},
		{orch.WithTimeout(-time.Second), "WithTimeout: want at least 1ms, found -1s"},
		{orch.WithRetries(-1), "WithRetries: want 0 to 2147483647, found -1"},
		{orch.WithRetries(1 << 31), "WithRetries: want 0 to 2147483647, found 2147483648"},
		{orch.WithPriority(-1 << 40), "WithPriority: want -2147483647 to 2147483647"},
		{orch.WithDelay(-time.Second), "WithDelay: want 0 to 100 years, found -1s"},
		{orch.WithRunAt(time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)), "WithRunAt: want a time in the years 1 to 9999"},
		{orch.WithQueue("has space"), "WithQueue: queue name \"has space\" has a space"},
	} {
		_, err := sendEmail.Append(ctx, s.queue, Email{}, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("append with a bad option: %v; want %q", err, tc.want)
		}
	}
	if c, _ := s.queue.Count(ctx, ""); c.Total() != 3 {
		t.Fatalf("%d tasks stored, want the 3 valid ones", c.Total())
	}
	if _, err := sendEmail.Append(ctx, s.queue, Email{}, nil); err != nil {
		t.Fatalf("append with a nil option: %v", err)
	}
	var undeclared orch.Executor[Email]
	if _, err := undeclared.Append(ctx, s.queue, Email{}); err == nil ||
		!strings.Contains(err.Error(), "was not declared with NewExecutor") {
		t.Fatalf("append through a zero Executor: %v; want an error saying so", err)
	}
	if err := orch.Register[Email](s.reg, sendEmail, nil); err == nil {
		t.Fatal("Register with a nil function was accepted")
	}
}

func TestStringKeyedAppendOfInterfacePayload(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	anything := orch.NewExecutor[any]("anything")
	s.reg.Declare(anything)
	for _, v := range []any{42, "text", nil, []int{1}} {
		if _, err := s.queue.Append(t.Context(), "anything", v); err != nil {
			t.Fatalf("append of %#v to an executor of any: %v", v, err)
		}
	}
}

func TestAppendManyIsAtomic(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	ids, err := sendEmail.AppendMany(t.Context(), s.queue, []Email{{To: "a"}, {To: "b"}, {To: "c"}})
	if err != nil || len(ids) != 3 {
		t.Fatalf("AppendMany: %v, %v", ids, err)
	}
	for i, to := range []string{"a", "b", "c"} {
		if rec := s.get(ids[i]); !strings.Contains(string(rec.Data), `"To":"`+to+`"`) {
			t.Fatalf("task %d holds %s, want To %q", i, rec.Data, to)
		}
	}
	if _, err := sendEmail.Append(t.Context(), s.queue, Email{To: "bad \xff"}); err == nil ||
		!strings.Contains(err.Error(), "field .To holds a string that is not valid UTF-8") {
		t.Fatalf("append of invalid UTF-8: %v; want an error naming the field", err)
	}
	ch := orch.NewExecutor[chan int]("chan")
	if _, err := ch.Append(t.Context(), s.queue, make(chan int)); err == nil ||
		!strings.Contains(err.Error(), "encode payload of type chan int") {
		t.Fatalf("append of a channel: %v; want an encode error naming the type", err)
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	reg := orch.NewRegistry()
	noop := func(context.Context, *orch.Task[Email]) error { return nil }
	if err := orch.Register(reg, sendEmail, noop); err != nil {
		t.Fatal(err)
	}
	err := orch.Register(reg, sendEmail, noop)
	if err == nil || !strings.Contains(err.Error(), `executor "send-email" already has a handler`) {
		t.Fatalf("second Register: %v; want an error naming the key", err)
	}
	impostor := orch.NewExecutor[string]("send-email")
	if err := reg.Declare(impostor); err == nil || !strings.Contains(err.Error(), "payload type") {
		t.Fatalf("Declare with another payload type: %v; want an error", err)
	}
	if err := reg.Declare(sendEmail); err != nil {
		t.Fatalf("Declare of a registered executor: %v", err)
	}
	var nilExec *orch.Executor[Email]
	for _, k := range []orch.Kind{&orch.Executor[Email]{}, nilExec, nil} {
		if err := reg.Declare(k); err == nil {
			t.Fatalf("Declare(%#v) was accepted", k)
		}
	}
	if got := reg.Keys(); len(got) != 1 || got[0] != "send-email" {
		t.Fatalf("Keys() = %v, want [send-email]", got)
	}
}

// mailer is a service whose method plugs in as a handler value.
type mailer struct{ sent chan string }

func (m *mailer) Handle(_ context.Context, t *orch.Task[Email]) error {
	m.sent <- t.Data.To
	return nil
}

func TestRegisterHandlerValue(t *testing.T) {
	t.Parallel()
	s := newSystem(t, orch.Config{})
	m := &mailer{sent: make(chan string, 1)}
	if err := orch.RegisterHandler(s.reg, sendEmail, m); err != nil {
		t.Fatal(err)
	}
	s.run()
	sendEmail.Append(t.Context(), s.queue, Email{To: "svc@example.com"})
	select {
	case to := <-m.sent:
		if to != "svc@example.com" {
			t.Fatalf("handler got %q", to)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("handler value not called")
	}
}

func TestNewExecutorRejectsBadKeys(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "has space", "tab\there", strings.Repeat("k", 201), "bad\xffutf8"} {
		if err := orch.ValidateKey(key); err == nil {
			t.Errorf("ValidateKey(%q) = nil, want an error", key)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "executor key is empty") {
			t.Fatalf("NewExecutor(\"\") panicked with %v, want the key error", r)
		}
	}()
	orch.NewExecutor[int]("")
}
