package bunstore

import (
	"database/sql"
	"fmt"
	"math"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// columns lists the task columns in the order scanRecord reads them.
const columns = `id, executor, data_type, data, queue, priority, timeout_ms, retries_left,
	attempt, is_running, is_completed, is_failed, is_cancelled, cancel_requested, run_at,
	locked_until, lease_token, last_error, created_at, finished_at, unique_key, result,
	result_type, chain`

type scanner interface{ Scan(dest ...any) error }

// scanRecord reads one row of columns.
func scanRecord(sc scanner) (orch.Record, error) {
	var (
		r                                     orch.Record
		data                                  string
		timeoutMS                             int64
		running, completed, failed, cancelled bool
		runAt, lockedUntil, created, finished dbTime
		leaseToken, lastError, uniqueKey      sql.NullString
		result, resultType, chain             sql.NullString
	)
	err := sc.Scan(&r.ID, &r.Executor, &r.DataType, &data, &r.Queue, &r.Priority, &timeoutMS,
		&r.RetriesLeft, &r.Attempt, &running, &completed, &failed, &cancelled,
		&r.CancelRequested, &runAt, &lockedUntil, &leaseToken, &lastError, &created, &finished,
		&uniqueKey, &result, &resultType, &chain)
	if err != nil {
		return orch.Record{}, err
	}
	// A chain column that does not decode (a row written by hand) must not
	// make a claim fail; the task's follow-ups are then left out, and
	// followUps logs it when they would be appended.
	r.Chain, _ = decodeChain(chain)
	r.Data = []byte(data)
	r.Timeout = time.Duration(min(timeoutMS, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond
	r.State = state(running, completed, failed, cancelled)
	r.RunAt, r.LockedUntil, r.CreatedAt, r.FinishedAt = runAt.t, lockedUntil.t, created.t, finished.t
	r.LeaseToken, r.LastError = leaseToken.String, lastError.String
	r.UniqueKey, r.ResultType = uniqueKey.String, resultType.String
	if result.Valid {
		r.Result = []byte(result.String)
	}
	return r, nil
}

// state is the state the flag columns stand for.
func state(running, completed, failed, cancelled bool) orch.State {
	switch {
	case completed:
		return orch.StateCompleted
	case failed:
		return orch.StateFailed
	case cancelled:
		return orch.StateCancelled
	case running:
		return orch.StateRunning
	}
	return orch.StatePending
}

// scanRecords reads every row of rows and closes it.
func scanRecords(rows *sql.Rows) ([]orch.Record, error) {
	defer rows.Close()
	var out []orch.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// dbTime scans a time column: microseconds since the epoch on SQLite, a
// timestamp on PostgreSQL, NULL as the zero time.
type dbTime struct{ t time.Time }

func (d *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.t = time.Time{}
	case int64:
		d.t = time.UnixMicro(v).UTC()
	case time.Time:
		d.t = v.UTC()
	default:
		return fmt.Errorf("scan time: want microseconds or a timestamp, found %T", src)
	}
	return nil
}

// micros is a time as SQLite stores it.
func micros(t time.Time) int64 { return t.UnixMicro() }

// nullString stores "" as NULL.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
