package bunstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// insertColumns are the columns an append writes, in the order of the
// values of a row.
const insertColumns = `id, executor, data_type, data, queue, priority, timeout_ms,
	retries_left, run_at, created_at, unique_key, chain`

// rows is how a dialect writes the VALUES rows of an append.
type rows interface {
	// prefix returns the arguments that come before the rows' own.
	prefix() []any
	// row returns the VALUES tuple of a row whose arguments start at the
	// 1-based position first.
	row(first int) string
	// args returns a row's arguments.
	args(t *orch.NewRecord, now time.Time) ([]any, error)
	// perStatement is how many rows one INSERT may carry.
	perStatement() int
}

// appendTasks inserts tasks through c, which is a transaction: tasks that
// cannot collide in bulk, the others one at a time so that each collision
// (a unique key held, an IfAbsent ID present) is resolved on its own.
func (s *Store) appendTasks(ctx context.Context, c conn, tasks []orch.NewRecord) (orch.AppendResult, error) {
	res := orch.AppendResult{IDs: make([]orch.ID, len(tasks)), Existed: make([]bool, len(tasks))}
	now := s.clock()
	var plain []orch.NewRecord
	for i := range tasks {
		res.IDs[i] = tasks[i].ID
		if tasks[i].UniqueKey == "" && !tasks[i].IfAbsent {
			plain = append(plain, tasks[i])
		}
	}
	if err := s.insertBulk(ctx, c, plain, now); err != nil {
		return orch.AppendResult{}, err
	}
	for i := range tasks {
		t := &tasks[i]
		if t.UniqueKey == "" && !t.IfAbsent {
			continue
		}
		id, existed, err := s.insertOne(ctx, c, t, now)
		if err != nil {
			return orch.AppendResult{}, err
		}
		res.IDs[i], res.Existed[i] = id, existed
	}
	return res, nil
}

func (s *Store) insertBulk(ctx context.Context, c conn, tasks []orch.NewRecord, now time.Time) error {
	per := s.rows.perStatement()
	for start := 0; start < len(tasks); start += per {
		chunk := tasks[start:min(start+per, len(tasks))]
		q, args, err := s.insertSQL(chunk, now)
		if err != nil {
			return err
		}
		if _, err := c.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert tasks: %w", err)
		}
	}
	return nil
}

// insertSQL returns the INSERT of tasks and its arguments.
func (s *Store) insertSQL(tasks []orch.NewRecord, now time.Time) (string, []any, error) {
	args := s.rows.prefix()
	var b strings.Builder
	b.WriteString("INSERT INTO " + s.table + " (" + insertColumns + ") VALUES ")
	for i := range tasks {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s.rows.row(len(args) + 1))
		row, err := s.rows.args(&tasks[i], now)
		if err != nil {
			return "", nil, fmt.Errorf("task %s: %w", tasks[i].ID, err)
		}
		args = append(args, row...)
	}
	return b.String(), args, nil
}

// insertOne inserts a task that may collide, and returns the ID it ended
// with and whether that was an existing task's.
func (s *Store) insertOne(ctx context.Context, c conn, t *orch.NewRecord,
	now time.Time) (orch.ID, bool, error) {
	q, args, err := s.insertSQL([]orch.NewRecord{*t}, now)
	if err != nil {
		return orch.NilID, false, err
	}
	q += " ON CONFLICT DO NOTHING"
	// A holder of the key may finish between the insert and the look-up;
	// then the insert is tried again.
	for range 3 {
		ok, err := affected(c.ExecContext(ctx, q, args...))
		if err != nil {
			return orch.NilID, false, fmt.Errorf("insert task %s: %w", t.ID, err)
		}
		if ok {
			return t.ID, false, nil
		}
		id, found, err := s.collision(ctx, c, t)
		if err != nil || found {
			return id, found, err
		}
	}
	return orch.NilID, false, fmt.Errorf("insert task %s: it collided with a task that then vanished, "+
		"three times", t.ID)
}

// collision finds what kept t from being inserted: its own ID, or an
// active task holding its unique key.
func (s *Store) collision(ctx context.Context, c conn, t *orch.NewRecord) (orch.ID, bool, error) {
	var n int
	err := c.QueryRowContext(ctx, s.rebind("SELECT count(*) FROM "+s.table+" WHERE id = ?"), t.ID).Scan(&n)
	switch {
	case err != nil:
		return orch.NilID, false, fmt.Errorf("look up task %s: %w", t.ID, err)
	case n > 0 && t.IfAbsent:
		return t.ID, true, nil
	case n > 0:
		return orch.NilID, false, fmt.Errorf("append task %s: a task with this id exists", t.ID)
	case t.UniqueKey == "":
		return orch.NilID, false, nil
	}
	var holder orch.ID
	err = c.QueryRowContext(ctx, s.rebind("SELECT id FROM "+s.table+
		" WHERE executor = ? AND unique_key = ? AND "+active), t.Executor, t.UniqueKey).Scan(&holder)
	if errors.Is(err, errNoRows) {
		return orch.NilID, false, nil
	}
	if err != nil {
		return orch.NilID, false, fmt.Errorf("look up unique key %q: %w", t.UniqueKey, err)
	}
	return holder, true, nil
}

// active is the condition of a pending or running task.
const active = "NOT is_completed AND NOT is_failed AND NOT is_cancelled"
