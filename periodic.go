package orchestratum

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/orchestratum/orchestratum/codec"
)

// periodic is a task appended each time its schedule fires.
type periodic struct {
	name     string
	schedule Schedule
	key      string
	dataType string
	payload  func(fire time.Time) ([]byte, error)
	opts     []Option
}

// RegisterPeriodic makes every runner built on r append a task of executor
// e each time s fires, with the payload that payload returns for the fire
// time and the given options; the task is due at the fire time. However
// many runners, in however many processes, serve the registry, each fire
// appends one task: its ID is derived from name and the fire time, and
// the store keeps the first task with an ID. Fires that come while no
// runner runs are skipped. The name must be unique in the registry and
// stable: it is what ties the fires of all processes together.
func RegisterPeriodic[T any](r *Registry, name string, s Schedule, e *Executor[T],
	payload func(fire time.Time) T, opts ...Option) error {
	if err := validateName("periodic task name", name); err != nil {
		return fmt.Errorf("register periodic task: %w", err)
	}
	if err := e.check(); err != nil {
		return fmt.Errorf("register periodic task %q: %w", name, err)
	}
	if s == nil || payload == nil {
		return fmt.Errorf("register periodic task %q: schedule and payload must not be nil", name)
	}
	if _, err := resolveOptions(&Config{DefaultTimeout: DefaultTimeout}, opts); err != nil {
		return fmt.Errorf("register periodic task %q: %w", name, err)
	}
	p := &periodic{name: name, schedule: s, key: e.key, dataType: e.dataType, opts: opts,
		payload: func(fire time.Time) ([]byte, error) { return codec.Encode(payload(fire)) }}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, old := range r.periodic {
		if old.name == name {
			return fmt.Errorf("register periodic task %q: the name is taken", name)
		}
	}
	r.periodic = append(r.periodic, p)
	return nil
}

// periodicID is the ID of the task that name's fire at fire appends: a
// version 8 UUID whose first 48 bits are the fire time in milliseconds,
// like a version 7 UUID, and whose rest is a hash of the name and the
// exact fire time.
func periodicID(name string, fire time.Time) ID {
	h := sha256.New()
	h.Write([]byte(name))
	binary.Write(h, binary.BigEndian, fire.UnixNano())
	var id ID
	copy(id[:], h.Sum(nil))
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(fire.UnixMilli()))
	copy(id[0:6], ts[2:8])
	id[6] = id[6]&0x0f | 0x80 // version 8
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}

// periodicLoop fires the registry's periodic tasks until ctx ends.
func (r *Runner) periodicLoop(ctx context.Context) {
	done := make(chan struct{})
	ps := r.reg.periodicTasks()
	for _, p := range ps {
		go func() {
			defer func() { done <- struct{}{} }()
			r.fireLoop(ctx, p)
		}()
	}
	for range ps {
		<-done
	}
}

// fireLoop waits for each fire of p and appends its task. A schedule that
// panics, or returns a time that is not after its argument, ends it.
func (r *Runner) fireLoop(ctx context.Context, p *periodic) {
	for {
		now := r.cfg.Now()
		var fire time.Time
		if err := guard("Schedule.Next", func() { fire = p.schedule.Next(now) }); err != nil {
			logPanic(r.log, err)
			return
		}
		if fire.IsZero() {
			r.log.InfoContext(ctx, "orchestratum: periodic task fires no more",
				slog.String("periodic", p.name))
			return
		}
		if !fire.After(now) {
			r.log.ErrorContext(ctx, "orchestratum: periodic task's schedule went back in time; "+
				"it fires no more", slog.String("periodic", p.name), slog.Time("now", now),
				slog.Time("next", fire))
			return
		}
		t := time.NewTimer(fire.Sub(r.cfg.Now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := r.fire(ctx, p, fire); err != nil && ctx.Err() == nil {
			r.log.ErrorContext(ctx, "orchestratum: appending a periodic task failed",
				slog.String("periodic", p.name), slog.Time("fire", fire), slog.Any("error", err))
		}
	}
}

// fire appends the task of one fire, unless another runner has.
func (r *Runner) fire(ctx context.Context, p *periodic, fire time.Time) error {
	var data []byte
	var err error
	if perr := guard("periodic payload", func() { data, err = p.payload(fire) }); perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	o, err := resolveOptions(&r.cfg, append([]Option{WithRunAt(fire)}, p.opts...))
	if err != nil {
		return err
	}
	rec, err := o.record(&r.cfg, p.key, p.dataType, data)
	if err != nil {
		return err
	}
	rec.ID, rec.IfAbsent = periodicID(p.name, fire), true
	_, err = r.store.Append(ctx, AppendParams{Tasks: []NewRecord{rec}})
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}
