package bunstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// sqliteOps runs the store's writes on SQLite. SQLite has one writer at a
// time; the writes of this process take turns on a mutex, so they never
// wait in SQLite's busy handler for each other, and the busy timeout only
// arbitrates between processes.
type sqliteOps struct {
	s    *Store
	turn writeTurn

	claimSQL, rescueSQL, heartbeatSQL, finishSQL string
}

func newSQLiteOps(s *Store) *sqliteOps {
	t := s.table
	return &sqliteOps{
		s:    s,
		turn: newWriteTurn(),
		claimSQL: `UPDATE ` + t + ` SET is_running = 1, attempt = attempt + 1, lease_token = ?1,
			locked_until = ?2 + min(min(max(timeout_ms, 0), ?4 / 1000) * 1000 + ?3, ?4)
			WHERE id IN (SELECT id FROM ` + t + `
				WHERE queue = ?5 AND is_running = 0 AND is_completed = 0 AND is_failed = 0
				AND is_cancelled = 0 AND run_at <= ?2
				AND executor IN (SELECT value FROM json_each(?6))
				ORDER BY priority DESC, run_at, id LIMIT ?7)
			RETURNING ` + columns,
		rescueSQL: `UPDATE ` + t + ` SET is_running = 0, locked_until = NULL, lease_token = NULL,
			cancel_requested = 0, last_error = ?2,
			is_cancelled = cancel_requested,
			is_failed = (cancel_requested = 0 AND retries_left <= 0),
			finished_at = CASE WHEN cancel_requested = 1 OR retries_left <= 0 THEN ?1 END,
			retries_left = CASE WHEN cancel_requested = 1 THEN retries_left
				ELSE max(retries_left - 1, 0) END
			WHERE is_running = 1 AND (locked_until <= ?1 OR locked_until IS NULL)
			RETURNING id, attempt, is_failed, is_cancelled, chain`,
		heartbeatSQL: `UPDATE ` + t + ` SET locked_until = ?1
			WHERE id = ?2 AND lease_token = ?3 AND is_running = 1
			RETURNING cancel_requested`,
		// A requested cancellation turns a pending outcome into a
		// cancellation; a completion or a failure wins over it.
		finishSQL: `UPDATE ` + t + ` SET is_running = 0, locked_until = NULL, lease_token = NULL,
			cancel_requested = 0, is_completed = ?1, is_failed = ?2,
			is_cancelled = (?3 OR (cancel_requested = 1 AND NOT ?1 AND NOT ?2)),
			finished_at = coalesce(?4, CASE WHEN cancel_requested = 1 THEN ?12 END),
			run_at = coalesce(?5, run_at),
			retries_left = max(retries_left - CASE WHEN cancel_requested = 1 THEN 0 ELSE ?6 END, 0),
			last_error = coalesce(?7, last_error), result = ?8, result_type = ?9
			WHERE id = ?10 AND lease_token = ?11 AND is_running = 1
			RETURNING attempt, chain, is_cancelled`,
	}
}

func (o *sqliteOps) close() error { return nil }

func (o *sqliteOps) take(ctx context.Context) (context.Context, func(), error) {
	return o.turn.take(ctx)
}

// write runs fn in an immediate transaction, one writer of this process
// at a time. When writers of other processes keep the file busy past the
// busy timeout (SQLite's busy handler is not fair, and a writer can starve
// under load), it tries again until ctx ends or busyGiveUp has passed,
// so that "database is locked" does not reach the caller.
func (o *sqliteOps) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	ctx, release, err := o.turn.take(ctx)
	if err != nil {
		return err
	}
	defer release()
	giveUp := time.Now().Add(busyGiveUp)
	for attempt := 1; ; attempt++ {
		err := inTx(ctx, o.s.db.DB, fn)
		if !isBusy(err) || time.Now().After(giveUp) || ctx.Err() != nil {
			return err
		}
		if waitBusy(ctx, attempt) != nil {
			return err
		}
	}
}

// waitBusy waits before the attempt-th retry of a busy write: a random
// few milliseconds, more for later attempts, so that writers of several
// processes do not retry in step. It returns ctx's error if ctx ends.
func waitBusy(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(min(attempt, 20))*int64(5*time.Millisecond))) + time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// busyGiveUp bounds how long a write keeps trying a busy SQLite file, on
// top of the busy timeout of each try.
const busyGiveUp = time.Minute

// isBusy reports an SQLite error that says another connection holds the
// lock: SQLITE_BUSY (5) or SQLITE_LOCKED (6), in their extended forms too.
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	code := coded.Code() & 0xff
	return code == 5 || code == 6
}

func (o *sqliteOps) append(ctx context.Context, c conn, tasks []orch.NewRecord) (orch.AppendResult, error) {
	return o.s.appendTasks(ctx, c, tasks)
}

// The rows of an append on SQLite: times computed here, in microseconds.
func (o *sqliteOps) prefix() []any     { return nil }
func (o *sqliteOps) perStatement() int { return 500 } // 12 values each, of SQLite's 32,766
func (o *sqliteOps) row(int) string    { return "(?,?,?,?,?,?,?,?,?,?,?,?)" }

func (o *sqliteOps) args(t *orch.NewRecord, now time.Time) ([]any, error) {
	runAt := now.Add(t.Delay)
	if !t.RunAt.IsZero() {
		runAt = t.RunAt
	}
	chain, err := encodeChain(t.Chain)
	if err != nil {
		return nil, err
	}
	return []any{t.ID, t.Executor, t.DataType, string(t.Data), t.Queue, t.Priority,
		t.Timeout.Milliseconds(), t.Retries, micros(runAt), micros(now),
		nullString(t.UniqueKey), chain}, nil
}

func (o *sqliteOps) claim(ctx context.Context, p orch.ClaimParams) ([]orch.Record, error) {
	executors, err := json.Marshal(p.Executors)
	if err != nil {
		return nil, err
	}
	now := o.s.clock()
	token := orch.NewID().String()
	var recs []orch.Record
	err = o.write(ctx, func(tx *sql.Tx) error {
		if err := o.rescue(ctx, tx, now); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, o.claimSQL, token, micros(now), p.TimeoutBuffer.Microseconds(),
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

// rescue settles the tasks whose lease ended, recording the lost attempt
// and appending the failure follow-ups of those that failed.
func (o *sqliteOps) rescue(ctx context.Context, tx *sql.Tx, now time.Time) error {
	rows, err := tx.QueryContext(ctx, o.rescueSQL, micros(now), orch.ErrLeaseExpired.Error())
	if err != nil {
		return fmt.Errorf("rescue expired leases: %w", err)
	}
	rescued, err := scanRescued(rows)
	if err != nil {
		return fmt.Errorf("rescue expired leases: %w", err)
	}
	return o.s.settleRescued(ctx, tx, rescued, now)
}

func (o *sqliteOps) heartbeat(ctx context.Context, p orch.HeartbeatParams) (orch.HeartbeatResult, error) {
	until := micros(o.s.clock().Add(p.Lease))
	var res orch.HeartbeatResult
	err := o.write(ctx, func(tx *sql.Tx) error {
		res = orch.HeartbeatResult{}
		stmt, err := tx.PrepareContext(ctx, o.heartbeatSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, l := range p.Leases {
			var cancel bool
			err := stmt.QueryRowContext(ctx, until, l.ID, l.Token).Scan(&cancel)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				res.Lost = append(res.Lost, l.ID)
			case err != nil:
				return fmt.Errorf("renew lease of %s: %w", l.ID, err)
			case cancel:
				res.Cancelled = append(res.Cancelled, l.ID)
			}
		}
		return nil
	})
	return res, err
}

func (o *sqliteOps) finish(ctx context.Context, p orch.FinishParams) (orch.FinishResult, error) {
	now := o.s.clock()
	var res orch.FinishResult
	err := o.write(ctx, func(tx *sql.Tx) error {
		res = orch.FinishResult{}
		stmt, err := tx.PrepareContext(ctx, o.finishSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range p.Outcomes {
			oc := &p.Outcomes[i]
			a, ok, err := o.finishOne(ctx, tx, stmt, oc, now)
			switch {
			case err != nil:
				return err
			case !ok:
				res.Lost = append(res.Lost, oc.ID)
			case a.cancelled && !oc.State.Finished():
				res.Cancelled = append(res.Cancelled, oc.ID)
			}
		}
		return nil
	})
	return res, err
}

// finishOne applies one outcome and returns what the row became, or false
// when its lease was not held.
func (o *sqliteOps) finishOne(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, oc *orch.Outcome,
	now time.Time) (applied, bool, error) {
	f := settle(oc, now)
	var runAt, finished any
	if f.reschedule {
		runAt = micros(f.runAt)
	}
	if f.final {
		finished = micros(now)
	}
	var result any
	if oc.Result != nil {
		result = string(oc.Result)
	}
	var a applied
	err := stmt.QueryRowContext(ctx, f.completed, f.failed, f.cancelled, finished, runAt,
		f.retryUsed, nullString(oc.Error), result, nullString(oc.ResultType), oc.ID, oc.Token,
		micros(now)).Scan(&a.attempt, &a.chain, &a.cancelled)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("record outcome of %s: %w", oc.ID, err)
	}
	return a, true, o.s.afterOutcome(ctx, tx, oc, a, now)
}
