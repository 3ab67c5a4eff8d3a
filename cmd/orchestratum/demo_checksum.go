package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/uptrace/bun"

	orch "github.com/orchestratum/orchestratum"
)

// FileJob is the payload of a checksum task: the file to read.
type FileJob struct {
	Path string `json:"path"`
}

// checksumFile is the demo's task kind. The data type is named explicitly
// so that moving FileJob out of package main leaves stored tasks readable.
var checksumFile = orch.NewExecutor[FileJob]("demo.checksum",
	orch.WithDataType("orchestratum.demo.FileJob"))

// errInjected fails the first attempts that --fail-rate picks.
var errInjected = errors.New("failed on purpose to show a retry (--fail-rate)")

// checksum is the handler of checksumFile: it sums the file and stores the
// result.
func (d *demo) checksum(ctx context.Context, t *orch.Task[FileJob]) error {
	if err := pause(ctx, d.opts.WorkDelay); err != nil {
		return err
	}
	if t.Attempt == 1 && failsFirst(t.Data.Path, d.opts.FailRate) {
		return errInjected
	}
	sum, err := sumFile(t.Data.Path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return orch.Permanent(err) // no retry brings the file back
	}
	if err != nil {
		return err
	}
	// The store's RunInTx takes the same write turn as the store's own
	// writes, so on SQLite the two never wait for each other.
	return d.store.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return saveResult(ctx, tx, &resultRow{
			Path:   t.Data.Path,
			SHA256: sum.sha256,
			Size:   sum.size,
			Lines:  sum.lines,
			TaskID: t.ID.String(),
			DoneAt: time.Now().UnixMicro(),
		})
	})
}

// failsFirst reports whether the first attempt at path fails on purpose.
// It maps the path to a number in [0, 1), from the first 8 bytes of its
// SHA-256, and compares it with rate, so the same files fail on every run.
// SHA-256 mixes every byte into every bit, so paths that differ in one
// character land far apart and the share of failures is rate even among
// similar names.
func failsFirst(path string, rate float64) bool {
	sum := sha256.Sum256([]byte(path))
	return float64(binary.BigEndian.Uint64(sum[:8])>>11)/(1<<53) < rate
}

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// fileSum is what a checksum task computes.
type fileSum struct {
	sha256 string // hex
	size   int64
	lines  int64 // newlines, plus one for a last line without one
}

// sumFile reads the file at path once and computes its fileSum.
func sumFile(path string) (fileSum, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileSum{}, err
	}
	defer f.Close()
	h := sha256.New()
	var lc lineCounter
	size, err := io.Copy(io.MultiWriter(h, &lc), f)
	if err != nil {
		return fileSum{}, fmt.Errorf("read %s: %w", path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return fileSum{sha256: sum, size: size, lines: lc.lines()}, nil
}

// lineCounter is a writer that counts the lines written to it.
type lineCounter struct {
	newlines int64
	last     byte
	any      bool
}

func (c *lineCounter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		c.newlines += int64(bytes.Count(p, []byte{'\n'}))
		c.last, c.any = p[len(p)-1], true
	}
	return len(p), nil
}

// lines counts a last line that lacks its newline too.
func (c *lineCounter) lines() int64 {
	if c.any && c.last != '\n' {
		return c.newlines + 1
	}
	return c.newlines
}
