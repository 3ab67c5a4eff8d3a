package memstore

import (
	"container/heap"

	orch "github.com/orchestratum/orchestratum"
)

// itemHeap orders heap entries by run-at time, or, when byPriority is set,
// by priority (highest first), then run-at time, then ID: the order in
// which due tasks are claimed. It implements heap.Interface.
type itemHeap struct {
	list       []entry
	byPriority bool
}

func (h *itemHeap) entries() []entry { return h.list }

func (h *itemHeap) less(a, b entry) bool {
	ra, rb := &a.it.rec, &b.it.rec
	if h.byPriority && ra.Priority != rb.Priority {
		return ra.Priority > rb.Priority
	}
	if !ra.RunAt.Equal(rb.RunAt) {
		return ra.RunAt.Before(rb.RunAt)
	}
	return ra.ID.Compare(rb.ID) < 0
}

// dropStale pops entries at the top that no longer stand for a pending
// task at this place.
func (h *itemHeap) dropStale() {
	for len(h.list) > 0 {
		e := h.list[0]
		if e.gen == e.it.gen && e.it.rec.State == orch.StatePending {
			return
		}
		heap.Pop(h)
	}
}

func (h *itemHeap) Len() int           { return len(h.list) }
func (h *itemHeap) Less(i, j int) bool { return h.less(h.list[i], h.list[j]) }
func (h *itemHeap) Swap(i, j int)      { h.list[i], h.list[j] = h.list[j], h.list[i] }
func (h *itemHeap) Push(x any)         { h.list = append(h.list, x.(entry)) }

func (h *itemHeap) Pop() any {
	n := len(h.list) - 1
	e := h.list[n]
	h.list[n] = entry{}
	h.list = h.list[:n]
	return e
}
