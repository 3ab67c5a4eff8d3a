package orchestratum

import (
	"context"
	"errors"
	"fmt"

	"github.com/orchestratum/orchestratum/codec"
)

// FollowUp is a task to append when another one finishes. Build it with
// Then and attach it with OnSuccess, OnFailure or OnCancel when appending
// the first task, or with AddFollowUp from its handler.
type FollowUp struct {
	key, dataType string
	data          []byte
	opts          []Option
	err           error
}

// Then returns a follow-up task of executor e with payload data and the
// given options; its run-at time and delay count from the moment its
// parent finishes. The options may chain further follow-ups.
func Then[T any](e *Executor[T], data T, opts ...Option) FollowUp {
	if err := e.check(); err != nil {
		return FollowUp{err: fmt.Errorf("follow-up: %w", err)}
	}
	payload, err := codec.Encode(data)
	if err != nil {
		err = fmt.Errorf("follow-up %s: %w", e.key, err)
	}
	return FollowUp{key: e.key, dataType: e.dataType, data: payload, opts: opts, err: err}
}

// buildFollowUps resolves follow-ups with the defaults of cfg.
func buildFollowUps(cfg *Config, fs []FollowUp) ([]NewRecord, error) {
	recs := make([]NewRecord, 0, len(fs))
	for _, f := range fs {
		if f.err != nil {
			return nil, f.err
		}
		o, err := resolveOptions(cfg, f.opts)
		if err != nil {
			return nil, fmt.Errorf("follow-up %s: %w", f.key, err)
		}
		rec, err := o.record(cfg, f.key, f.dataType, f.data)
		if err != nil {
			return nil, err
		}
		rec.IfAbsent = true
		recs = append(recs, rec)
	}
	return recs, nil
}

// resolveOptions applies opts over the defaults of cfg.
func resolveOptions(cfg *Config, opts []Option) (*appendOptions, error) {
	o := &appendOptions{timeout: cfg.DefaultTimeout, retries: cfg.DefaultRetries, queue: DefaultQueue}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o, errors.Join(o.errs...)
}

// runKey is the context key under which a handler's context carries its
// run.
type runKey struct{}

func withRun(ctx context.Context, ru *run) context.Context {
	return context.WithValue(ctx, runKey{}, ru)
}

// AddFollowUp, called from a handler with its context, adds follow-up
// tasks that are appended if and only if this attempt completes, in the
// transaction that records the completion. A handler builds them from its
// payload and its result. Called with any other context it is an error.
func AddFollowUp(ctx context.Context, fs ...FollowUp) error {
	ru, ok := ctx.Value(runKey{}).(*run)
	if !ok {
		return errors.New("add follow-up: the context is not a handler's")
	}
	recs, err := buildFollowUps(&ru.r.cfg, fs)
	if err != nil {
		return fmt.Errorf("add follow-up: %w", err)
	}
	ru.mu.Lock()
	ru.followUps = append(ru.followUps, recs...)
	ru.mu.Unlock()
	return nil
}
