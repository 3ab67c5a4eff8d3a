package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	orch "github.com/orchestratum/orchestratum"
)

// Count implements orchestratum.Store.
func (s *Store) Count(ctx context.Context, p orch.CountParams) (orch.Counts, error) {
	q := "SELECT is_running, is_completed, is_failed, is_cancelled, count(*) FROM " + s.table
	var args []any
	if p.Executor != "" {
		q += " WHERE executor = ?"
		args = append(args, p.Executor)
	}
	q += " GROUP BY is_running, is_completed, is_failed, is_cancelled"
	rows, err := s.conn.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return orch.Counts{}, fmt.Errorf("count tasks: %w", err)
	}
	defer rows.Close()
	var c orch.Counts
	for rows.Next() {
		var running, completed, failed, cancelled bool
		var n int
		if err := rows.Scan(&running, &completed, &failed, &cancelled, &n); err != nil {
			return orch.Counts{}, fmt.Errorf("count tasks: %w", err)
		}
		switch state(running, completed, failed, cancelled) {
		case orch.StateCompleted:
			c.Completed += n
		case orch.StateFailed:
			c.Failed += n
		case orch.StateCancelled:
			c.Cancelled += n
		case orch.StateRunning:
			c.Running += n
		default:
			c.Pending += n
		}
	}
	return c, rows.Err()
}

// stateSQL is the condition of a task in state st.
var stateSQL = map[orch.State]string{
	orch.StatePending:   "NOT is_running AND " + active,
	orch.StateRunning:   "is_running",
	orch.StateCompleted: "is_completed",
	orch.StateFailed:    "is_failed",
	orch.StateCancelled: "is_cancelled",
}

// List implements orchestratum.Store.
func (s *Store) List(ctx context.Context, p orch.ListParams) ([]orch.Record, error) {
	var where []string
	var args []any
	add := func(cond string, arg ...any) {
		where = append(where, cond)
		args = append(args, arg...)
	}
	if p.State != "" {
		cond, ok := stateSQL[p.State]
		if !ok {
			return nil, fmt.Errorf("list tasks: unknown state %q", p.State)
		}
		add(cond)
	}
	if p.Executor != "" {
		add("executor = ?", p.Executor)
	}
	if p.Queue != "" {
		add("queue = ?", p.Queue)
	}
	if !p.From.IsZero() {
		add("created_at >= ?", s.timeArg(p.From))
	}
	if !p.To.IsZero() {
		add("created_at < ?", s.timeArg(p.To))
	}
	if !p.After.IsZero() {
		add("id > ?", p.After)
	}
	if p.Limit <= 0 {
		p.Limit = 100
	}
	q := "SELECT " + columns + " FROM " + s.table
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.conn.QueryContext(ctx, s.rebind(q+" ORDER BY id LIMIT ?"), append(args, p.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	return scanRecords(rows)
}

// History implements orchestratum.Store.
func (s *Store) History(ctx context.Context, id orch.ID) ([]orch.Attempt, error) {
	rows, err := s.conn.QueryContext(ctx, s.rebind("SELECT attempt, at, kind, error FROM "+
		s.attempts+" WHERE task_id = ? ORDER BY attempt"), id)
	if err != nil {
		return nil, fmt.Errorf("history of task %s: %w", id, err)
	}
	defer rows.Close()
	var out []orch.Attempt
	for rows.Next() {
		var a orch.Attempt
		var at dbTime
		var kind string
		if err := rows.Scan(&a.Attempt, &at, &kind, &a.Error); err != nil {
			return nil, fmt.Errorf("history of task %s: %w", id, err)
		}
		a.At, a.Kind = at.t, orch.AttemptKind(kind)
		out = append(out, a)
	}
	return out, rows.Err()
}

// flags reads the state of a task inside a transaction, locking its row
// on PostgreSQL; it wraps ErrNotFound.
func (s *Store) flags(ctx context.Context, tx *sql.Tx, id orch.ID) (orch.State, error) {
	q := "SELECT is_running, is_completed, is_failed, is_cancelled FROM " + s.table + " WHERE id = ?"
	if s.pg {
		q += " FOR UPDATE"
	}
	var running, completed, failed, cancelled bool
	err := tx.QueryRowContext(ctx, s.rebind(q), id).Scan(&running, &completed, &failed, &cancelled)
	if errors.Is(err, sql.ErrNoRows) {
		return "", orch.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	return state(running, completed, failed, cancelled), nil
}
