package orchestratum

import "sync"

// Hub fans a store's wake-ups out to its subscribers: a store implements
// Subscribe with Hub.Subscribe and calls Wake after appends and
// WakeCancel after cancellation requests. The zero value is ready to use.
type Hub struct {
	mu   sync.Mutex
	subs map[*Subscription]hubEntry
}

type hubEntry struct{ wake, cancel chan struct{} }

// Subscribe returns a new subscription; see Store.Subscribe.
func (h *Hub) Subscribe() *Subscription {
	e := hubEntry{wake: make(chan struct{}, 1), cancel: make(chan struct{}, 1)}
	sub := &Subscription{Wake: e.wake, Cancel: e.cancel}
	sub.Close = func() {
		h.mu.Lock()
		delete(h.subs, sub)
		h.mu.Unlock()
	}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = make(map[*Subscription]hubEntry)
	}
	h.subs[sub] = e
	h.mu.Unlock()
	return sub
}

// Wake sends every subscriber a wake-up, unless one is already waiting.
func (h *Hub) Wake() { h.send(false) }

// WakeCancel tells every subscriber that a cancellation was requested.
func (h *Hub) WakeCancel() { h.send(true) }

func (h *Hub) send(cancel bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.subs {
		ch := e.wake
		if cancel {
			ch = e.cancel
		}
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
