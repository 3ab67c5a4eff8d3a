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
	attempt, is_running, is_completed, is_failed, run_at, locked_until, lease_token,
	last_error, created_at, finished_at`

type scanner interface{ Scan(dest ...any) error }

// scanRecord reads one row of columns.
func scanRecord(sc scanner) (orch.Record, error) {
	var (
		r                           orch.Record
		data                        string
		timeoutMS                   int64
		running, completed, failed  bool
		runAt, lockedUntil, created dbTime
		finished                    dbTime
		leaseToken, lastError       sql.NullString
	)
	err := sc.Scan(&r.ID, &r.Executor, &r.DataType, &data, &r.Queue, &r.Priority, &timeoutMS,
		&r.RetriesLeft, &r.Attempt, &running, &completed, &failed, &runAt, &lockedUntil,
		&leaseToken, &lastError, &created, &finished)
	if err != nil {
		return orch.Record{}, err
	}
	r.Data = []byte(data)
	r.Timeout = time.Duration(min(timeoutMS, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond
	switch {
	case completed:
		r.State = orch.StateCompleted
	case failed:
		r.State = orch.StateFailed
	case running:
		r.State = orch.StateRunning
	default:
		r.State = orch.StatePending
	}
	r.RunAt, r.LockedUntil, r.CreatedAt, r.FinishedAt = runAt.t, lockedUntil.t, created.t, finished.t
	r.LeaseToken, r.LastError = leaseToken.String, lastError.String
	return r, nil
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
