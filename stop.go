package orchestratum

import (
	"context"
	"sync"
)

// stopper carries stop requests to a running Runner: the first asks for a
// graceful stop, a second (or a Stop whose context ends) hurries it.
type stopper struct {
	mu       sync.Mutex
	graceful chan struct{} // closed by the first stop request
	hurry    chan struct{} // closed by the second, or a deadline
	done     chan struct{} // closed when Run returns
}

func newStopper() stopper {
	return stopper{
		graceful: make(chan struct{}),
		hurry:    make(chan struct{}),
		done:     make(chan struct{}),
	}
}

// request closes graceful on the first call and hurry on later ones.
func (s *stopper) request() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.graceful:
		s.hurryLocked()
	default:
		close(s.graceful)
	}
}

func (s *stopper) hurryNow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hurryLocked()
}

func (s *stopper) hurryLocked() {
	select {
	case <-s.hurry:
	default:
		close(s.hurry)
	}
}

// Stop stops Run as its context ending would: no more claims, running
// handlers get Config.StopTimeout to finish, and Stop waits for Run to
// return. A second Stop hurries the stop: running handlers are cancelled at
// once, and their tasks go back to pending without using a retry. When
// ctx ends before Run returns, Stop hurries the stop too and returns ctx's
// error at once; Run returns when the hurried stop is done (it may still
// be recording outcomes in a store that is slow to answer). Stop before
// Run makes Run return at once.
func (r *Runner) Stop(ctx context.Context) error {
	r.stop.request()
	if !r.started.Load() {
		return nil
	}
	select {
	case <-r.stop.done:
		return nil
	case <-ctx.Done():
	}
	r.stop.hurryNow()
	return ctx.Err()
}
