package bunstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/bunstore"
)

func newTask() orch.NewRecord {
	return orch.NewRecord{ID: orch.NewID(), Executor: "e", DataType: "int", Data: []byte("1"),
		Queue: orch.DefaultQueue, Timeout: time.Second}
}

// RunInTx commits the caller's writes and the tasks appended through the
// Tx view together, or neither; a write through the store itself from
// inside fails at once on SQLite instead of waiting for ever.
func TestRunInTx(t *testing.T) {
	s := newSQLiteStore(t, bunstore.Options{})
	db := s.DB()
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE notes (id TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	kept, dropped := newTask(), newTask()
	write := func(task orch.NewRecord, fail error) error {
		return s.RunInTx(t.Context(), func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO notes VALUES (?)", task.ID.String()); err != nil {
				return err
			}
			if _, err := s.Tx(tx).Append(ctx, orch.AppendParams{Tasks: []orch.NewRecord{task}}); err != nil {
				return err
			}
			return fail
		})
	}
	if err := write(kept, nil); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := write(dropped, boom); !errors.Is(err, boom) {
		t.Fatalf("RunInTx returned %v, want fn's error", err)
	}
	var notes int
	db.QueryRowContext(t.Context(), "SELECT count(*) FROM notes").Scan(&notes)
	_, errKept := s.Get(t.Context(), kept.ID)
	_, errDropped := s.Get(t.Context(), dropped.ID)
	if notes != 1 || errKept != nil || !errors.Is(errDropped, orch.ErrNotFound) {
		t.Fatalf("notes %d, kept task %v, dropped task %v; want 1 note, the committed task only",
			notes, errKept, errDropped)
	}

	err := s.RunInTx(t.Context(), func(ctx context.Context, tx bun.Tx) error {
		_, err := s.Append(ctx, orch.AppendParams{Tasks: []orch.NewRecord{newTask()}})
		return err
	})
	if !errors.Is(err, bunstore.ErrInTx) {
		t.Fatalf("append through the store inside RunInTx: %v, want ErrInTx", err)
	}
	err = s.RunInTx(t.Context(), func(context.Context, bun.Tx) error {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := s.Append(ctx, orch.AppendParams{Tasks: []orch.NewRecord{newTask()}})
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("append with an unrelated context inside RunInTx: %v, want its deadline", err)
	}
}
