package orchestratum_test

import (
	"testing"

	orch "github.com/orchestratum/orchestratum"
)

func TestIDsIncreaseAndParse(t *testing.T) {
	t.Parallel()
	prev := orch.NewID()
	for range 10_000 {
		id := orch.NewID()
		if id.Compare(prev) <= 0 {
			t.Fatalf("NewID() = %s after %s; want strictly increasing", id, prev)
		}
		if v := id[6] >> 4; v != 7 {
			t.Fatalf("id %s has version %d, want 7", id, v)
		}
		back, err := orch.ParseID(id.String())
		if err != nil || back != id {
			t.Fatalf("ParseID(%s) = %s, %v", id, back, err)
		}
		prev = id
	}
	for _, bad := range []string{"", "not-a-uuid", "01234567-89ab-cdef-0123-456789abcdeg",
		"0123456789abcdef0123456789abcdef0123"} {
		if _, err := orch.ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) = nil error", bad)
		}
	}
}
