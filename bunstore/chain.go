package bunstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"

	orch "github.com/orchestratum/orchestratum"
)

// encodeChain returns a task's chain as the JSON text of the chain column,
// or NULL when it has none.
func encodeChain(c *orch.Chain) (any, error) {
	if c == nil || len(c.OnSuccess)+len(c.OnFailure)+len(c.OnCancel) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode follow-ups: %w", err)
	}
	return string(b), nil
}

func decodeChain(s sql.NullString) (*orch.Chain, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	var c orch.Chain
	if err := json.Unmarshal([]byte(s.String), &c); err != nil {
		return nil, fmt.Errorf("decode follow-ups: %w", err)
	}
	return &c, nil
}

// followUps returns the tasks to append when task id, whose chain column
// holds chain, reaches state, followed by extra; all are IfAbsent, so that
// a chain appended twice stores its tasks once. A chain column that does
// not decode is logged and left out: failing here would fail the write of
// the task's final state, again and again.
func (s *Store) followUps(id orch.ID, chain sql.NullString, state orch.State,
	extra []orch.NewRecord) []orch.NewRecord {
	c, err := decodeChain(chain)
	if err != nil {
		s.log.Error("orchestratum: stored follow-ups of a task do not decode; appending none",
			slog.String("task_id", id.String()), slog.Any("error", err))
	}
	out := append(append([]orch.NewRecord(nil), c.For(state)...), extra...)
	for i := range out {
		out[i].IfAbsent = true
	}
	return out
}
