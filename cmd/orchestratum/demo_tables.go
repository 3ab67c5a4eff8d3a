package main

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	orch "github.com/orchestratum/orchestratum"
)

// The demo's own tables, beside the tasks table in the same database.
// demo_files records every file the demo knows and the task that
// checksums it; demo_results holds what the tasks computed. done_at is in
// microseconds since the Unix epoch (UTC), as the tasks table keeps times.
var demoSchema = []string{
	`CREATE TABLE IF NOT EXISTS demo_files (
		path    TEXT PRIMARY KEY,
		task_id TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS demo_results (
		path    TEXT PRIMARY KEY,
		sha256  TEXT NOT NULL,
		size    BIGINT NOT NULL,
		lines   BIGINT NOT NULL,
		task_id TEXT NOT NULL,
		done_at BIGINT NOT NULL
	)`,
}

// fileRow is a row of demo_files.
type fileRow struct {
	bun.BaseModel `bun:"table:demo_files"`

	Path   string `bun:"path,pk"`
	TaskID string `bun:"task_id"`
}

// resultRow is a row of demo_results.
type resultRow struct {
	bun.BaseModel `bun:"table:demo_results"`

	Path   string `bun:"path,pk"`
	SHA256 string `bun:"sha256"`
	Size   int64  `bun:"size"`
	Lines  int64  `bun:"lines"`
	TaskID string `bun:"task_id"`
	DoneAt int64  `bun:"done_at"`
}

// demoTablesLock is the key of the PostgreSQL advisory lock that
// serialises the creation of the demo's tables.
const demoTablesLock = "orchestratum demo tables"

// createDemoTables creates the demo's tables where they are missing, in a
// transaction. On PostgreSQL, CREATE TABLE IF NOT EXISTS is not safe
// against itself: of two sessions that create the same table at once, one
// fails on a duplicate key of pg_type. So the transaction first takes an
// advisory lock that demos starting together wait their turn for.
func createDemoTables(ctx context.Context, db *bun.DB) error {
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if db.Dialect().Name() == dialect.PG {
			_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))",
				demoTablesLock)
			if err != nil {
				return fmt.Errorf("take the lock: %w", err)
			}
		}
		for _, q := range demoSchema {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create demo tables: %w", err)
	}
	return nil
}

// insertFiles inserts a demo_files row for each path not yet known, with
// no task yet, and returns the paths it inserted.
func insertFiles(ctx context.Context, tx bun.Tx, paths []string) ([]string, error) {
	rows := make([]fileRow, len(paths))
	for i, p := range paths {
		rows[i].Path = p
	}
	var fresh []string
	err := tx.NewInsert().Model(&rows).
		On("CONFLICT (path) DO NOTHING").
		Returning("path").
		Scan(ctx, &fresh)
	if err != nil {
		return nil, fmt.Errorf("insert demo_files: %w", err)
	}
	return fresh, nil
}

// setTaskIDs records in demo_files the task appended for each path.
func setTaskIDs(ctx context.Context, tx bun.Tx, paths []string, ids []orch.ID) error {
	rows := make([]fileRow, len(paths))
	for i := range paths {
		rows[i] = fileRow{Path: paths[i], TaskID: ids[i].String()}
	}
	_, err := tx.NewUpdate().Model(&rows).Column("task_id").Bulk().Exec(ctx)
	if err != nil {
		return fmt.Errorf("record task ids in demo_files: %w", err)
	}
	return nil
}

// saveResult inserts a result unless its file has one already: a task may
// run again after its result was written (at-least-once delivery).
func saveResult(ctx context.Context, db bun.IDB, r *resultRow) error {
	_, err := db.NewInsert().Model(r).On("CONFLICT (path) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("insert demo_results: %w", err)
	}
	return nil
}

// countRetried counts the tasks of the executor key that have started more
// than once: retried after a failure or rescued from a stopped run.
func countRetried(ctx context.Context, db bun.IDB, table, key string) (int, error) {
	n, err := db.NewSelect().Table(table).
		Where("executor = ?", key).Where("attempt > 1").
		Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count retried tasks: %w", err)
	}
	return int(n), nil
}

// runningIDs returns the tasks of the executor key that are marked
// running. Before this process starts its runner, they belong to a run
// that stopped without finishing them (or to another live process).
func runningIDs(ctx context.Context, db bun.IDB, table, key string) ([]orch.ID, error) {
	var ids []orch.ID
	err := db.NewSelect().Table(table).Column("id").
		Where("executor = ?", key).Where("is_running").
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("list running tasks: %w", err)
	}
	return ids, nil
}
