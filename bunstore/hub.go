package bunstore

import (
	"sync"

	orch "github.com/orchestratum/orchestratum"
)

// The payloads of the store's notifications on PostgreSQL.
const (
	wakePayload   = "append"
	cancelPayload = "cancel"
)

// hub fans wake-ups out to the subscribers of a store and its Tx views.
type hub struct {
	mu   sync.Mutex
	subs map[*orch.Subscription]subscriber
}

type subscriber struct{ wake, cancel chan struct{} }

func newHub() *hub { return &hub{subs: make(map[*orch.Subscription]subscriber)} }

func (h *hub) subscribe() *orch.Subscription {
	sub := subscriber{wake: make(chan struct{}, 1), cancel: make(chan struct{}, 1)}
	out := &orch.Subscription{Wake: sub.wake, Cancel: sub.cancel}
	out.Close = func() {
		h.mu.Lock()
		delete(h.subs, out)
		h.mu.Unlock()
	}
	h.mu.Lock()
	h.subs[out] = sub
	h.mu.Unlock()
	return out
}

// notify wakes every subscriber that is not already due a wake-up.
func (h *hub) notify() { h.send(false) }

// notifyCancel tells every subscriber that a cancellation was requested.
func (h *hub) notifyCancel() { h.send(true) }

func (h *hub) send(cancel bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, sub := range h.subs {
		ch := sub.wake
		if cancel {
			ch = sub.cancel
		}
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// deliver passes a notification from another process to the subscribers.
func (h *hub) deliver(payload string) { h.send(payload == cancelPayload) }
