package bunstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	orch "github.com/orchestratum/orchestratum"
)

// sqliteOps runs the store's writes on SQLite. SQLite has one writer at a
// time; the writes of this process take turns on a mutex, so they never
// wait in SQLite's busy handler for each other, and the busy timeout only
// arbitrates between processes.
type sqliteOps struct {
	s  *Store
	mu sync.Mutex

	claimSQL, rescueSQL, heartbeatSQL, finishSQL string
}

func newSQLiteOps(s *Store) *sqliteOps {
	t := s.table
	return &sqliteOps{
		s: s,
		claimSQL: `UPDATE ` + t + ` SET is_running = 1, attempt = attempt + 1, lease_token = ?1,
			locked_until = ?2 + min(min(max(timeout_ms, 0), ?4 / 1000) * 1000 + ?3, ?4)
			WHERE id IN (SELECT id FROM ` + t + `
				WHERE queue = ?5 AND is_running = 0 AND is_completed = 0 AND is_failed = 0
				AND run_at <= ?2 AND executor IN (SELECT value FROM json_each(?6))
				ORDER BY priority DESC, run_at, id LIMIT ?7)
			RETURNING ` + columns,
		rescueSQL: `UPDATE ` + t + ` SET is_running = 0, locked_until = NULL, lease_token = NULL,
			last_error = ?2,
			is_failed = (retries_left = 0),
			finished_at = CASE WHEN retries_left = 0 THEN ?1 END,
			retries_left = max(retries_left - 1, 0)
			WHERE is_running = 1 AND locked_until <= ?1`,
		heartbeatSQL: `UPDATE ` + t + ` SET locked_until = ?1
			WHERE id = ?2 AND lease_token = ?3 AND is_running = 1`,
		finishSQL: `UPDATE ` + t + ` SET is_running = 0, locked_until = NULL, lease_token = NULL,
			is_completed = ?1, is_failed = ?2, finished_at = ?3,
			run_at = coalesce(?4, run_at),
			retries_left = max(retries_left - ?5, 0),
			last_error = coalesce(?6, last_error)
			WHERE id = ?7 AND lease_token = ?8 AND is_running = 1`,
	}
}

func (o *sqliteOps) close() error { return nil }

func (o *sqliteOps) turn() func() {
	o.mu.Lock()
	return o.mu.Unlock
}

// write runs fn in an immediate transaction, one writer of this process
// at a time.
func (o *sqliteOps) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	tx, err := o.s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// appendRows is how many tasks one INSERT carries: 10 parameters each,
// well under SQLite's limit of 32,766 per statement.
const appendRows = 500

func (o *sqliteOps) append(ctx context.Context, c conn, tasks []orch.NewRecord) error {
	now := o.s.clock()
	for start := 0; start < len(tasks); start += appendRows {
		chunk := tasks[start:min(start+appendRows, len(tasks))]
		q := insertSQL(o.s.table, len(chunk))
		args := make([]any, 0, len(chunk)*10)
		for i := range chunk {
			t := &chunk[i]
			runAt := now.Add(t.Delay)
			if !t.RunAt.IsZero() {
				runAt = t.RunAt
			}
			args = append(args, t.ID, t.Executor, t.DataType, string(t.Data), t.Queue,
				t.Priority, t.Timeout.Milliseconds(), t.Retries, micros(runAt), micros(now))
		}
		if _, err := c.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert tasks: %w", err)
		}
	}
	return nil
}

// insertSQL is an INSERT of n tasks with ? placeholders.
func insertSQL(table string, n int) string {
	b := []byte("INSERT INTO " + table + ` (id, executor, data_type, data, queue, priority,
		timeout_ms, retries_left, run_at, created_at) VALUES `)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "(?,?,?,?,?,?,?,?,?,?)"...)
	}
	return string(b)
}

func (o *sqliteOps) claim(ctx context.Context, p orch.ClaimParams) ([]orch.Record, error) {
	executors, err := json.Marshal(p.Executors)
	if err != nil {
		return nil, err
	}
	now := micros(o.s.clock())
	token := newToken()
	var recs []orch.Record
	err = o.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, o.rescueSQL, now, orch.ErrLeaseExpired.Error()); err != nil {
			return fmt.Errorf("rescue expired leases: %w", err)
		}
		rows, err := tx.QueryContext(ctx, o.claimSQL, token, now, p.TimeoutBuffer.Microseconds(),
			p.Lease.Microseconds(), p.Queue, string(executors), p.Limit)
		if err != nil {
			return fmt.Errorf("claim tasks: %w", err)
		}
		recs, err = scanRecords(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	sortClaimed(recs)
	return recs, nil
}

func (o *sqliteOps) heartbeat(ctx context.Context, p orch.HeartbeatParams) ([]orch.ID, error) {
	until := micros(o.s.clock().Add(p.Lease))
	var lost []orch.ID
	err := o.write(ctx, func(tx *sql.Tx) error {
		lost = lost[:0]
		stmt, err := tx.PrepareContext(ctx, o.heartbeatSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, l := range p.Leases {
			ok, err := affected(stmt.ExecContext(ctx, until, l.ID, l.Token))
			if err != nil {
				return fmt.Errorf("renew lease of %s: %w", l.ID, err)
			}
			if !ok {
				lost = append(lost, l.ID)
			}
		}
		return nil
	})
	return lost, err
}

func (o *sqliteOps) finish(ctx context.Context, p orch.FinishParams) ([]orch.ID, error) {
	now := o.s.clock()
	var lost []orch.ID
	err := o.write(ctx, func(tx *sql.Tx) error {
		lost = lost[:0]
		stmt, err := tx.PrepareContext(ctx, o.finishSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range p.Outcomes {
			oc := &p.Outcomes[i]
			f := settle(oc, now)
			var runAt any
			if f.reschedule {
				runAt = micros(f.runAt)
			}
			var finished any
			if f.final {
				finished = micros(now)
			}
			ok, err := affected(stmt.ExecContext(ctx, f.completed, f.failed, finished, runAt,
				f.retryUsed, nullString(oc.Error), oc.ID, oc.Token))
			if err != nil {
				return fmt.Errorf("record outcome of %s: %w", oc.ID, err)
			}
			if !ok {
				lost = append(lost, oc.ID)
			}
		}
		return nil
	})
	return lost, err
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
