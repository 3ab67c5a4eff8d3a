package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	orch "github.com/orchestratum/orchestratum"
)

// Cancel implements orchestratum.Store.
func (s *Store) Cancel(ctx context.Context, id orch.ID) (orch.State, error) {
	var st orch.State
	err := s.ops.write(ctx, func(tx *sql.Tx) error {
		var err error
		if st, err = s.flags(ctx, tx, id); err != nil {
			return err
		}
		switch st {
		case orch.StatePending:
			st = orch.StateCancelled
			return s.cancelPending(ctx, tx, id)
		case orch.StateRunning:
			return s.requestCancel(ctx, tx, id)
		}
		return orch.ErrFinished
	})
	switch {
	case errors.Is(err, orch.ErrFinished):
		return st, fmt.Errorf("cancel task %s: %w (%s)", id, err, st)
	case err != nil:
		return "", fmt.Errorf("cancel task %s: %w", id, err)
	case st == orch.StateRunning:
		s.hub.WakeCancel()
	}
	return st, nil
}

// cancelPending cancels a pending task and appends its cancel follow-ups.
func (s *Store) cancelPending(ctx context.Context, tx *sql.Tx, id orch.ID) error {
	var chain sql.NullString
	now := s.clock()
	err := tx.QueryRowContext(ctx, s.rebind("UPDATE "+s.table+" SET is_cancelled = TRUE, "+
		"finished_at = "+s.nowSQL()+" WHERE id = ? RETURNING chain"), s.nowArg(now), id).Scan(&chain)
	if err != nil {
		return err
	}
	o := orch.Outcome{Lease: orch.Lease{ID: id}, State: orch.StateCancelled}
	return s.afterOutcome(ctx, tx, &o, applied{chain: chain}, now)
}

// requestCancel marks a running task for its runner to cancel, and on
// PostgreSQL tells the runners of other processes at commit.
//
// TODO(sqlite cancel latency): SQLite has no notifications, so a runner in
// another process learns of the request at its next heartbeat, up to
// Lease/3 later (10 s by default); one in this process learns at once.
func (s *Store) requestCancel(ctx context.Context, tx *sql.Tx, id orch.ID) error {
	if _, err := tx.ExecContext(ctx, s.rebind("UPDATE "+s.table+
		" SET cancel_requested = TRUE WHERE id = ?"), id); err != nil {
		return err
	}
	if s.pg {
		_, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", s.channel(), cancelPayload)
		return err
	}
	return nil
}

// Retry implements orchestratum.Store.
func (s *Store) Retry(ctx context.Context, p orch.RetryParams) error {
	err := s.ops.write(ctx, func(tx *sql.Tx) error {
		st, err := s.flags(ctx, tx, p.ID)
		switch {
		case err != nil:
			return err
		case st == orch.StateCompleted:
			return orch.ErrCompleted
		case !st.Finished():
			return fmt.Errorf("%w (%s)", orch.ErrNotFinished, st)
		}
		if holder, held, err := s.keyHolder(ctx, tx, p.ID); err != nil || held {
			return errors.Join(err, heldBy(held, holder))
		}
		_, err = tx.ExecContext(ctx, s.rebind("UPDATE "+s.table+" SET is_failed = FALSE, "+
			"is_cancelled = FALSE, finished_at = NULL, retries_left = ?, run_at = "+s.nowSQL()+
			" WHERE id = ?"), p.Retries, s.nowArg(s.clock()), p.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("retry task %s: %w", p.ID, err)
	}
	s.hub.Wake()
	return nil
}

// keyHolder returns the active task that holds the unique key of task id,
// if there is one.
func (s *Store) keyHolder(ctx context.Context, tx *sql.Tx, id orch.ID) (orch.ID, bool, error) {
	var holder orch.ID
	err := tx.QueryRowContext(ctx, s.rebind("SELECT h.id FROM "+s.table+" h JOIN "+s.table+
		" t ON t.executor = h.executor AND t.unique_key = h.unique_key WHERE t.id = ? AND h.id <> t.id "+
		"AND NOT h.is_completed AND NOT h.is_failed AND NOT h.is_cancelled"), id).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return orch.NilID, false, nil
	}
	return holder, err == nil, err
}

func heldBy(held bool, holder orch.ID) error {
	if !held {
		return nil
	}
	return fmt.Errorf("%w: task %s", orch.ErrDuplicate, holder)
}

// Delete implements orchestratum.Store.
func (s *Store) Delete(ctx context.Context, id orch.ID) error {
	err := s.ops.write(ctx, func(tx *sql.Tx) error {
		st, err := s.flags(ctx, tx, id)
		switch {
		case err != nil:
			return err
		case st == orch.StateRunning:
			return orch.ErrRunning
		}
		return s.deleteTasks(ctx, tx, []orch.ID{id})
	})
	if err != nil {
		return fmt.Errorf("delete task %s: %w", id, err)
	}
	return nil
}

// deleteTasks deletes tasks and their history, one statement per table.
func (s *Store) deleteTasks(ctx context.Context, tx *sql.Tx, ids []orch.ID) error {
	if len(ids) == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	for table, col := range map[string]string{s.attempts: "task_id", s.table: "id"} {
		q := s.rebind("DELETE FROM " + table + " WHERE " + col + " IN (" + marks + ")")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// Prune implements orchestratum.Store.
func (s *Store) Prune(ctx context.Context, p orch.PruneParams) (int, error) {
	var n int
	err := s.ops.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.rebind("SELECT id FROM "+s.table+
			" WHERE finished_at IS NOT NULL AND finished_at <= ? ORDER BY finished_at, id LIMIT ?"),
			s.timeArg(s.clock().Add(-p.Age)), p.Limit)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		n = len(ids)
		return s.deleteTasks(ctx, tx, ids)
	})
	if err != nil {
		return 0, fmt.Errorf("prune finished tasks: %w", err)
	}
	return n, nil
}

func scanIDs(rows *sql.Rows) ([]orch.ID, error) {
	defer rows.Close()
	var ids []orch.ID
	for rows.Next() {
		var id orch.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// TryLock implements orchestratum.Store.
func (s *Store) TryLock(ctx context.Context, p orch.LockParams) (bool, error) {
	var held bool
	err := s.ops.write(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		until := s.nowSQL() + " + ?"
		ttl := any(p.TTL.Microseconds())
		if s.pg {
			until = s.nowSQL() + " + ? * interval '1 microsecond'"
		}
		q := s.rebind("INSERT INTO " + s.locks + " (name, holder, until) VALUES (?, ?, " + until + ") " +
			"ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until " +
			"WHERE " + s.locks + ".holder = excluded.holder OR " + s.locks + ".until <= " + s.nowSQL())
		var err error
		held, err = affected(tx.ExecContext(ctx, q, p.Name, p.Holder, s.nowArg(now), ttl, s.nowArg(now)))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("take lock %q: %w", p.Name, err)
	}
	return held, nil
}
