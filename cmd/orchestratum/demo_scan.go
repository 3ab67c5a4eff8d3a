package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/uptrace/bun"
)

// scanBatch is how many files one transaction records and appends.
const scanBatch = 300

// scanResult counts what a scan found.
type scanResult struct {
	files    int // regular files under the root
	appended int // of which were new: one task appended each
	skipped  int // directories that could not be read
}

// checkDir returns the absolute form of dir after checking that it is a
// directory.
func checkDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("--dir %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is in the message already
	}
	if err != nil {
		return "", fmt.Errorf("--dir %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("--dir %s: not a directory", dir)
	}
	return abs, nil
}

// scan walks root and, for every regular file the database does not know
// yet, records it in demo_files and appends its task in one transaction
// per batch. Symbolic links, devices, sockets and the like are left out.
func (d *demo) scan(ctx context.Context, root string) (scanResult, error) {
	var res scanResult
	batch := make([]string, 0, scanBatch)
	flush := func() error {
		n, err := d.appendFiles(ctx, batch)
		res.appended += n
		batch = batch[:0]
		d.progress.scanning(res.files, res.appended)
		return err
	}
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		switch {
		case err != nil && path == root:
			return err
		case err != nil:
			res.skipped++ // an unreadable directory: skip it, keep walking
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case !e.Type().IsRegular():
			return nil
		}
		res.files++
		if batch = append(batch, path); len(batch) == scanBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return res, fmt.Errorf("scan %s: %w", root, err)
	}
	return res, nil
}

// appendFiles records the paths in demo_files and appends a task for each
// one that was not there, in one transaction, and returns how many it
// appended.
func (d *demo) appendFiles(ctx context.Context, paths []string) (int, error) {
	n := 0
	err := d.store.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		fresh, err := insertFiles(ctx, tx, paths)
		if err != nil || len(fresh) == 0 {
			return err
		}
		jobs := make([]FileJob, len(fresh))
		for i, p := range fresh {
			jobs[i] = FileJob{Path: p}
		}
		ids, err := checksumFile.AppendMany(ctx, d.queue.Using(d.store.Tx(tx)), jobs)
		if err != nil {
			return err
		}
		n = len(fresh)
		return setTaskIDs(ctx, tx, fresh, ids)
	})
	return n, err
}
