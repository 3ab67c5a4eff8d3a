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
// Times come from the database's clock (statement_timestamp()) unless the
// store has an injected clock, which the $1 of every statement carries.
type pgOps struct {
	s *Store

	claimSQL, rescueSQL, heartbeatSQL, finishSQL, notifySQL string
}

// pgNow is the statements' time: the injected clock's, or the database's.
const pgNow = `coalesce($1::timestamptz, statement_timestamp())`

func newPGOps(s *Store) *pgOps {
	t := s.table
	return &pgOps{
		s: s,
		claimSQL: `UPDATE ` + t + ` AS t SET is_running = true, attempt = t.attempt + 1,
				lease_token = $5,
				locked_until = ` + pgNow + ` + least(least(greatest(t.timeout_ms, 0), $7 / 1000) * 1000 + $6, $7)
					* interval '1 microsecond'
			WHERE t.id = ANY (ARRAY(SELECT ` + s.funcName("claimable") + `($2,
				ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), $4, ` + pgNow + `)))
			RETURNING ` + qualified("t"),
		rescueSQL: `UPDATE ` + t + ` SET is_running = false, locked_until = NULL, lease_token = NULL,
				last_error = $2,
				is_failed = (retries_left = 0),
				finished_at = CASE WHEN retries_left = 0 THEN ` + pgNow + ` END,
				retries_left = greatest(retries_left - 1, 0)
			WHERE is_running AND locked_until <= ` + pgNow,
		heartbeatSQL: `UPDATE ` + t + ` AS t
			SET locked_until = ` + pgNow + ` + $2 * interval '1 microsecond'
			FROM jsonb_to_recordset($3::jsonb) AS l(id uuid, token text)
			WHERE t.id = l.id AND t.lease_token = l.token AND t.is_running
				AND t.id = ANY (ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements($3::jsonb) AS e))
			RETURNING t.id`,
		finishSQL: `UPDATE ` + t + ` AS t SET is_running = false, locked_until = NULL,
				lease_token = NULL, is_completed = o.completed, is_failed = o.failed,
				finished_at = CASE WHEN o.completed OR o.failed THEN ` + pgNow + ` END,
				run_at = CASE WHEN o.completed OR o.failed THEN t.run_at
					ELSE ` + pgNow + ` + o.delay_us * interval '1 microsecond' END,
				retries_left = greatest(t.retries_left - o.retry_used, 0),
				last_error = coalesce(o.error, t.last_error)
			FROM jsonb_to_recordset($2::jsonb) AS o(id uuid, token text, completed boolean,
				failed boolean, delay_us bigint, retry_used integer, error text)
			WHERE t.id = o.id AND t.lease_token = o.token AND t.is_running
				AND t.id = ANY (ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements($2::jsonb) AS e))
			RETURNING t.id`,
		notifySQL: `SELECT pg_notify($1, '')`,
	}
}

func (o *pgOps) close() error { return nil }

// turn is free on PostgreSQL, whose writers need no turns.
func (o *pgOps) turn() func() { return func() {} }

// now is the $1 of every statement: nil for the database's clock.
func (o *pgOps) now() any {
	if o.s.now == nil {
		return nil
	}
	return o.s.clock()
}

func (o *pgOps) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
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

// appendRowsPG is how many tasks one INSERT carries: 10 parameters each,
// under PostgreSQL's limit of 65,535 per statement.
const appendRowsPG = 1000

// append inserts the tasks and queues a notification, which PostgreSQL
// delivers to listeners when (and only if) the transaction commits.
func (o *pgOps) append(ctx context.Context, c conn, tasks []orch.NewRecord) error {
	for start := 0; start < len(tasks); start += appendRowsPG {
		chunk := tasks[start:min(start+appendRowsPG, len(tasks))]
		args := make([]any, 1, 1+len(chunk)*10)
		args[0] = o.now()
		for i := range chunk {
			t := &chunk[i]
			var runAt any
			if !t.RunAt.IsZero() {
				runAt = t.RunAt.UTC()
			}
			args = append(args, t.ID, t.Executor, t.DataType, string(t.Data), t.Queue,
				t.Priority, t.Timeout.Milliseconds(), t.Retries, runAt, t.Delay.Microseconds())
		}
		if _, err := c.ExecContext(ctx, o.insertSQL(len(chunk)), args...); err != nil {
			return fmt.Errorf("insert tasks: %w", err)
		}
	}
	if _, err := c.ExecContext(ctx, o.notifySQL, o.s.channel()); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

func (o *pgOps) insertSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + o.s.table + ` (id, executor, data_type, data, queue,
		priority, timeout_ms, retries_left, run_at, created_at) VALUES `)
	for i := range n {
		p := 2 + i*10
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,coalesce($%d::timestamptz, %s + $%d * interval '1 microsecond'),%s)",
			p, p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, pgNow, p+9, pgNow)
	}
	return b.String()
}

func (o *pgOps) claim(ctx context.Context, p orch.ClaimParams) ([]orch.Record, error) {
	executors, err := json.Marshal(p.Executors)
	if err != nil {
		return nil, err
	}
	now := o.now()
	if _, err := o.s.db.DB.ExecContext(ctx, o.rescueSQL, now, orch.ErrLeaseExpired.Error()); err != nil {
		return nil, fmt.Errorf("rescue expired leases: %w", err)
	}
	rows, err := o.s.db.DB.QueryContext(ctx, o.claimSQL, now, p.Queue, string(executors), p.Limit,
		newToken(), p.TimeoutBuffer.Microseconds(), p.Lease.Microseconds())
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

type pgLease struct {
	ID    orch.ID `json:"id"`
	Token string  `json:"token"`
}

func (o *pgOps) heartbeat(ctx context.Context, p orch.HeartbeatParams) ([]orch.ID, error) {
	leases := make([]pgLease, len(p.Leases))
	for i, l := range p.Leases {
		leases[i] = pgLease{ID: l.ID, Token: l.Token}
	}
	batch, err := json.Marshal(leases)
	if err != nil {
		return nil, err
	}
	rows, err := o.s.db.DB.QueryContext(ctx, o.heartbeatSQL, o.now(), p.Lease.Microseconds(), string(batch))
	if err != nil {
		return nil, fmt.Errorf("renew leases: %w", err)
	}
	return lostIDs(rows, leaseIDs(p.Leases))
}

type pgOutcome struct {
	ID        orch.ID `json:"id"`
	Token     string  `json:"token"`
	Completed bool    `json:"completed"`
	Failed    bool    `json:"failed"`
	DelayUS   int64   `json:"delay_us"`
	RetryUsed int     `json:"retry_used"`
	Error     *string `json:"error"`
}

func (o *pgOps) finish(ctx context.Context, p orch.FinishParams) ([]orch.ID, error) {
	outcomes := make([]pgOutcome, len(p.Outcomes))
	ids := make([]orch.ID, len(p.Outcomes))
	for i := range p.Outcomes {
		oc := &p.Outcomes[i]
		f := settle(oc, time.Time{})
		outcomes[i] = pgOutcome{ID: oc.ID, Token: oc.Token, Completed: f.completed,
			Failed: f.failed, DelayUS: oc.Delay.Microseconds(), RetryUsed: f.retryUsed}
		if oc.Error != "" {
			outcomes[i].Error = &oc.Error
		}
		ids[i] = oc.ID
	}
	batch, err := json.Marshal(outcomes)
	if err != nil {
		return nil, err
	}
	rows, err := o.s.db.DB.QueryContext(ctx, o.finishSQL, o.now(), string(batch))
	if err != nil {
		return nil, fmt.Errorf("record outcomes: %w", err)
	}
	return lostIDs(rows, ids)
}

// lostIDs reads the IDs a statement updated and returns those of want
// that it did not.
func lostIDs(rows *sql.Rows, want []orch.ID) ([]orch.ID, error) {
	defer rows.Close()
	done := make(map[orch.ID]bool, len(want))
	for rows.Next() {
		var id orch.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		done[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var lost []orch.ID
	for _, id := range want {
		if !done[id] {
			lost = append(lost, id)
		}
	}
	return lost, nil
}

func leaseIDs(ls []orch.Lease) []orch.ID {
	ids := make([]orch.ID, len(ls))
	for i := range ls {
		ids[i] = ls[i].ID
	}
	return ids
}

// qualified is the columns list with each column prefixed by alias.
func qualified(alias string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
