package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/internal/fault"
)

var errNoRows = sql.ErrNoRows

// settlement is what an outcome writes to its task's row.
type settlement struct {
	completed, failed, cancelled bool
	final                        bool      // finished_at is set to now
	reschedule                   bool      // run_at is set to runAt
	runAt                        time.Time //
	retryUsed                    int       // subtracted from retries_left
}

func settle(o *orch.Outcome, now time.Time) settlement {
	switch o.State {
	case orch.StateCompleted:
		return settlement{completed: true, final: true}
	case orch.StateFailed:
		return settlement{failed: true, final: true}
	case orch.StateCancelled:
		return settlement{cancelled: true, final: true}
	}
	s := settlement{reschedule: true, runAt: now.Add(o.Delay)}
	if o.UseRetry {
		s.retryUsed = 1
	}
	return s
}

// applied is what a statement that applied an outcome returns of its row.
type applied struct {
	attempt   int
	chain     sql.NullString
	cancelled bool // the row ended cancelled, as asked or because it was requested
}

// afterOutcome records an applied outcome's failed attempt in the history
// and, when the task reached a final state, appends its follow-ups; tx is
// the transaction that applied the outcome. A pending outcome whose task
// had its cancellation requested ended it cancelled.
func (s *Store) afterOutcome(ctx context.Context, tx *sql.Tx, o *orch.Outcome, a applied,
	now time.Time) error {
	if o.Error != "" {
		if err := s.recordAttempt(ctx, tx, o.ID, a.attempt, o.Kind, o.Error, now); err != nil {
			return err
		}
	}
	state, extra := o.State, o.FollowUps
	if a.cancelled && !state.Finished() {
		state, extra = orch.StateCancelled, nil
	}
	if !state.Finished() {
		return nil
	}
	// Crash tests stop here: the task's final state is written, its
	// follow-ups are not, and the transaction holding both is open.
	fault.Point("bunstore.final-before-follow-ups")
	fs := s.followUps(o.ID, a.chain, state, extra)
	if len(fs) == 0 {
		return nil
	}
	_, err := s.ops.append(ctx, tx, fs)
	return err
}

// rescued is a task whose lease ended, as the rescue left it.
type rescued struct {
	id     orch.ID
	failed bool
	applied
}

func scanRescued(rows *sql.Rows) ([]rescued, error) {
	defer rows.Close()
	var out []rescued
	for rows.Next() {
		var r rescued
		if err := rows.Scan(&r.id, &r.applied.attempt, &r.failed, &r.cancelled, &r.chain); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// settleRescued records the lost attempts of rescued tasks and appends
// the failure follow-ups of those that failed.
func (s *Store) settleRescued(ctx context.Context, tx *sql.Tx, rs []rescued, now time.Time) error {
	for _, r := range rs {
		o := orch.Outcome{Lease: orch.Lease{ID: r.id}, State: orch.StatePending,
			Error: orch.ErrLeaseExpired.Error(), Kind: orch.KindLeaseLost}
		if r.failed {
			o.State = orch.StateFailed
		}
		if err := s.afterOutcome(ctx, tx, &o, r.applied, now); err != nil {
			return err
		}
	}
	return nil
}

// recordAttempt adds a failed attempt to a task's history.
func (s *Store) recordAttempt(ctx context.Context, tx *sql.Tx, id orch.ID, attempt int,
	kind orch.AttemptKind, msg string, now time.Time) error {
	q := s.rebind("INSERT INTO " + s.attempts + " (task_id, attempt, at, kind, error) VALUES (?, ?, " +
		s.nowSQL() + ", ?, ?) ON CONFLICT DO NOTHING")
	if _, err := tx.ExecContext(ctx, q, id, attempt, s.nowArg(now), string(kind), msg); err != nil {
		return fmt.Errorf("record attempt %d of %s: %w", attempt, id, err)
	}
	return nil
}

// sortClaimed puts a claimed batch in claim order: a database may return
// the rows of an UPDATE … RETURNING in any order.
func sortClaimed(recs []orch.Record) {
	slices.SortFunc(recs, func(a, b orch.Record) int {
		if a.Priority != b.Priority {
			return b.Priority - a.Priority
		}
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return a.ID.Compare(b.ID)
	})
}

// inTx runs fn in a transaction on db, committing it when fn returns nil.
func inTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
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

// affected reports whether a statement changed a row.
func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
