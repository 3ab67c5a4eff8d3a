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

// Stop stops a running Run as its context ending would: no more claims,
// running handlers get Config.StopTimeout to finish. Stop waits for Run to
// return. It hurries the stop, cancelling running handlers at once, when
// ctx ends first or when Stop was already called; their tasks go back to
// pending without using a retry. Stop returns ctx's error if ctx ended
// before Run returned, and nil otherwise, including for a runner that
// never started.
func (r *Runner) Stop(ctx context.Context) error {
	if !r.started.Load() {
		return nil
	}
	r.stop.request()
	select {
	case <-r.stop.done:
		return nil
	case <-ctx.Done():
	}
	r.stop.hurryNow()
	<-r.stop.done
	return ctx.Err()
}
