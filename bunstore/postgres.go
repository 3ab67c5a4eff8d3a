package bunstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// pgOps runs the store's writes on PostgreSQL. A claim is one statement
// that locks due rows with FOR UPDATE SKIP LOCKED, so concurrent claimers
// pass each other by instead of queueing; batches of heartbeats and
// outcomes travel as one JSON parameter, which every driver can send.
//
// The statements are written so that their plan cannot depend on table
// statistics, which a queue outdates all the time: rows are found by
// primary key from an array (id = ANY (ARRAY(...))) rather than by a join
// the planner might turn into a scan of the whole table.
//
// Times come from the database's clock (statement_timestamp()) unless the
// store has an injected clock, which the $1 of every statement carries.
type pgOps struct {
	s *Store

	claimSQL, expiredSQL, rescueSQL, heartbeatSQL, finishSQL, notifySQL string
}

// pgNow is the statements' time: the injected clock's, or the database's.
const pgNow = `coalesce($1::timestamptz, statement_timestamp())`

func newPGOps(s *Store) *pgOps {
	t := s.table
	return &pgOps{
		s: s,
		claimSQL: `UPDATE ` + t + ` AS t SET is_running = true, attempt = t.attempt + 1,
				lease_token = $5,
				locked_until = ` + pgNow + ` +
					least(least(greatest(t.timeout_ms, 0), $7 / 1000) * 1000 + $6, $7)
					* interval '1 microsecond'
			WHERE t.id = ANY (ARRAY(SELECT ` + s.funcName("claimable") + `($2,
				ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), $4, ` + pgNow + `)))
			RETURNING ` + qualified("t"),
		// The earliest lease end (a missing one first), read through the
		// lease index: an EXISTS here would let stale statistics choose a
		// scan of the whole table. No row means no running task.
		expiredSQL: `SELECT locked_until IS NULL OR locked_until <= ` + pgNow + ` FROM ` + t + `
			WHERE is_running ORDER BY locked_until NULLS FIRST LIMIT 1`,
		rescueSQL: `UPDATE ` + t + ` SET is_running = false, locked_until = NULL, lease_token = NULL,
				cancel_requested = false, last_error = $2,
				is_cancelled = cancel_requested,
				is_failed = (NOT cancel_requested AND retries_left <= 0),
				finished_at = CASE WHEN cancel_requested OR retries_left <= 0 THEN ` + pgNow + ` END,
				retries_left = CASE WHEN cancel_requested THEN retries_left
					ELSE greatest(retries_left - 1, 0) END
			WHERE is_running AND (locked_until <= ` + pgNow + ` OR locked_until IS NULL)
			RETURNING id, attempt, is_failed, is_cancelled, chain`,
		heartbeatSQL: `UPDATE ` + t + ` AS t
			SET locked_until = ` + pgNow + ` + $2 * interval '1 microsecond'
			FROM jsonb_to_recordset($3::jsonb) AS l(id uuid, token text)
			WHERE t.id = l.id AND t.lease_token = l.token AND t.is_running
				AND t.id = ANY (ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements($3::jsonb) AS e))
			RETURNING t.id, t.cancel_requested`,
		// A requested cancellation turns a pending outcome into a
		// cancellation; a completion or a failure wins over it.
		finishSQL: `UPDATE ` + t + ` AS t SET is_running = false, locked_until = NULL,
				lease_token = NULL, cancel_requested = false, is_completed = o.completed,
				is_failed = o.failed,
				is_cancelled = o.cancelled OR (t.cancel_requested AND NOT o.completed AND NOT o.failed),
				finished_at = CASE WHEN o.completed OR o.failed OR o.cancelled OR t.cancel_requested
					THEN ` + pgNow + ` END,
				run_at = CASE WHEN o.completed OR o.failed OR o.cancelled OR t.cancel_requested
					THEN t.run_at ELSE ` + pgNow + ` + o.delay_us * interval '1 microsecond' END,
				retries_left = greatest(t.retries_left -
					CASE WHEN t.cancel_requested THEN 0 ELSE o.retry_used END, 0),
				last_error = coalesce(o.error, t.last_error),
				result = o.result, result_type = o.result_type
			FROM jsonb_to_recordset($2::jsonb) AS o(id uuid, token text, completed boolean,
				failed boolean, cancelled boolean, delay_us bigint, retry_used integer,
				error text, result text, result_type text)
			WHERE t.id = o.id AND t.lease_token = o.token AND t.is_running
				AND t.id = ANY (ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements($2::jsonb) AS e))
			RETURNING t.id, t.attempt, t.chain, t.is_cancelled`,
		notifySQL: `SELECT pg_notify($1, $2)`,
	}
}

func (o *pgOps) close() error { return nil }

// take is free on PostgreSQL, whose writers need no turns.
func (o *pgOps) take(ctx context.Context) (context.Context, func(), error) {
	return ctx, func() {}, nil
}

// now is the $1 of every statement: nil for the database's clock.
func (o *pgOps) now() any {
	if o.s.now == nil {
		return nil
	}
	return o.s.clock()
}

func (o *pgOps) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return inTx(ctx, o.s.db.DB, fn)
}

// append inserts the tasks and queues a notification, which PostgreSQL
// delivers to listeners when (and only if) the transaction commits.
func (o *pgOps) append(ctx context.Context, c conn, tasks []orch.NewRecord) (orch.AppendResult, error) {
	res, err := o.s.appendTasks(ctx, c, tasks)
	if err != nil {
		return res, err
	}
	if _, err := c.ExecContext(ctx, o.notifySQL, o.s.channel(), wakePayload); err != nil {
		return res, fmt.Errorf("notify: %w", err)
	}
	return res, nil
}

// The rows of an append on PostgreSQL: times computed by the database.
func (o *pgOps) prefix() []any     { return []any{o.now()} }
func (o *pgOps) perStatement() int { return 1000 } // 12 values each, of PostgreSQL's 65,535

func (o *pgOps) row(first int) string {
	p := func(i int) string { return fmt.Sprintf("$%d", first+i) }
	return "(" + strings.Join([]string{p(0), p(1), p(2), p(3), p(4), p(5), p(6), p(7),
		"coalesce(" + p(8) + "::timestamptz, " + pgNow + " + " + p(9) + " * interval '1 microsecond')",
		pgNow, p(10), p(11)}, ",") + ")"
}

func (o *pgOps) args(t *orch.NewRecord, _ time.Time) ([]any, error) {
	var runAt any
	if !t.RunAt.IsZero() {
		runAt = t.RunAt.UTC()
	}
	chain, err := encodeChain(t.Chain)
	if err != nil {
		return nil, err
	}
	return []any{t.ID, t.Executor, t.DataType, string(t.Data), t.Queue, t.Priority,
		t.Timeout.Milliseconds(), t.Retries, runAt, t.Delay.Microseconds(),
		nullString(t.UniqueKey), chain}, nil
}

func (o *pgOps) claim(ctx context.Context, p orch.ClaimParams) ([]orch.Record, error) {
	executors, err := json.Marshal(p.Executors)
	if err != nil {
		return nil, err
	}
	if err := o.rescue(ctx); err != nil {
		return nil, err
	}
	rows, err := o.s.db.DB.QueryContext(ctx, o.claimSQL, o.now(), p.Queue, string(executors), p.Limit,
		orch.NewID().String(), p.TimeoutBuffer.Microseconds(), p.Lease.Microseconds())
	if err != nil {
		return nil, fmt.Errorf("claim tasks: %w", err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("claim tasks: %w", err)
	}
	sortClaimed(recs)
	return recs, nil
}

// rescue settles the tasks whose lease ended, in a transaction with their
// history and follow-ups; it looks first, so that the usual claim, with
// nothing to rescue, writes nothing here.
func (o *pgOps) rescue(ctx context.Context) error {
	var expired bool
	err := o.s.db.DB.QueryRowContext(ctx, o.expiredSQL, o.now()).Scan(&expired)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !expired) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look for expired leases: %w", err)
	}
	return o.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, o.rescueSQL, o.now(), orch.ErrLeaseExpired.Error())
		if err != nil {
			return fmt.Errorf("rescue expired leases: %w", err)
		}
		rs, err := scanRescued(rows)
		if err != nil {
			return fmt.Errorf("rescue expired leases: %w", err)
		}
		return o.s.settleRescued(ctx, tx, rs, o.s.clock())
	})
}

type pgLease struct {
	ID    orch.ID `json:"id"`
	Token string  `json:"token"`
}

func (o *pgOps) heartbeat(ctx context.Context, p orch.HeartbeatParams) (orch.HeartbeatResult, error) {
	leases := make([]pgLease, len(p.Leases))
	ids := make([]orch.ID, len(p.Leases))
	for i, l := range p.Leases {
		leases[i], ids[i] = pgLease{ID: l.ID, Token: l.Token}, l.ID
	}
	batch, err := json.Marshal(leases)
	if err != nil {
		return orch.HeartbeatResult{}, err
	}
	rows, err := o.s.db.DB.QueryContext(ctx, o.heartbeatSQL, o.now(), p.Lease.Microseconds(), string(batch))
	if err != nil {
		return orch.HeartbeatResult{}, fmt.Errorf("renew leases: %w", err)
	}
	defer rows.Close()
	var res orch.HeartbeatResult
	renewed := make(map[orch.ID]bool, len(ids))
	for rows.Next() {
		var id orch.ID
		var cancel bool
		if err := rows.Scan(&id, &cancel); err != nil {
			return orch.HeartbeatResult{}, err
		}
		renewed[id] = true
		if cancel {
			res.Cancelled = append(res.Cancelled, id)
		}
	}
	if err := rows.Err(); err != nil {
		return orch.HeartbeatResult{}, err
	}
	for _, id := range ids {
		if !renewed[id] {
			res.Lost = append(res.Lost, id)
		}
	}
	return res, nil
}

type pgOutcome struct {
	ID         orch.ID `json:"id"`
	Token      string  `json:"token"`
	Completed  bool    `json:"completed"`
	Failed     bool    `json:"failed"`
	Cancelled  bool    `json:"cancelled"`
	DelayUS    int64   `json:"delay_us"`
	RetryUsed  int     `json:"retry_used"`
	Error      *string `json:"error"`
	Result     *string `json:"result"`
	ResultType *string `json:"result_type"`
}

func (o *pgOps) finish(ctx context.Context, p orch.FinishParams) (orch.FinishResult, error) {
	batch, err := json.Marshal(pgOutcomes(p.Outcomes))
	if err != nil {
		return orch.FinishResult{}, err
	}
	var res orch.FinishResult
	err = o.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, o.finishSQL, o.now(), string(batch))
		if err != nil {
			return fmt.Errorf("record outcomes: %w", err)
		}
		applied, err := scanApplied(rows)
		if err != nil {
			return fmt.Errorf("record outcomes: %w", err)
		}
		res = orch.FinishResult{}
		for i := range p.Outcomes {
			oc := &p.Outcomes[i]
			a, ok := applied[oc.ID]
			if !ok {
				res.Lost = append(res.Lost, oc.ID)
				continue
			}
			if a.cancelled && !oc.State.Finished() {
				res.Cancelled = append(res.Cancelled, oc.ID)
			}
			if err := o.s.afterOutcome(ctx, tx, oc, a, o.s.clock()); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

func pgOutcomes(outcomes []orch.Outcome) []pgOutcome {
	out := make([]pgOutcome, len(outcomes))
	for i := range outcomes {
		oc := &outcomes[i]
		f := settle(oc, time.Time{})
		out[i] = pgOutcome{ID: oc.ID, Token: oc.Token, Completed: f.completed, Failed: f.failed,
			Cancelled: f.cancelled, DelayUS: oc.Delay.Microseconds(), RetryUsed: f.retryUsed,
			Error: optional(oc.Error), ResultType: optional(oc.ResultType)}
		if oc.Result != nil {
			s := string(oc.Result)
			out[i].Result = &s
		}
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func scanApplied(rows *sql.Rows) (map[orch.ID]applied, error) {
	defer rows.Close()
	out := make(map[orch.ID]applied)
	for rows.Next() {
		var id orch.ID
		var a applied
		if err := rows.Scan(&id, &a.attempt, &a.chain, &a.cancelled); err != nil {
			return nil, err
		}
		out[id] = a
	}
	return out, rows.Err()
}

// qualified is the columns list with each column prefixed by alias.
func qualified(alias string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
