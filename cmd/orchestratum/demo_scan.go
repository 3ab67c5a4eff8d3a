package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// scanBatch is how many files one transaction records and appends.
const scanBatch = 300

// scanResult counts what a scan found.
type scanResult struct {
	files      int // regular files under the root
	appended   int // of which were new: one task appended each
	badNames   int // of which were skipped: their paths are not valid UTF-8
	unreadable int // directories that could not be read, skipped
}

// line is the scan's result as a line for the log.
func (r scanResult) line() string {
	l := fmt.Sprintf("found %s: %s appended", count(r.files, "file", "files"),
		count(r.appended, "new task", "new tasks"))
	if skips := r.skips(); len(skips) > 0 {
		l += "; skipped " + strings.Join(skips, " and ")
	}
	return l
}

// skips says what the scan skipped and why, one phrase per reason.
func (r scanResult) skips() []string {
	var s []string
	if r.badNames > 0 {
		s = append(s, fmt.Sprintf("%s whose %s not valid UTF-8, which "+
			"a task's JSON payload cannot hold", count(r.badNames, "file", "files"),
			plural(r.badNames, "path is", "paths are")))
	}
	if r.unreadable > 0 {
		s = append(s, fmt.Sprintf("%s that could not be read",
			count(r.unreadable, "directory", "directories")))
	}
	return s
}

// checkDir returns the absolute form of dir after checking that it is a
// directory.
func checkDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("--dir %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("--dir %s: %w", dir, pathCause(err))
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("--dir %s: not a directory", dir)
	}
	if !utf8.ValidString(abs) {
		return "", fmt.Errorf("--dir %q: the path is not valid UTF-8, which "+
			"a task's JSON payload cannot hold", abs)
	}
	return abs, nil
}

// scan walks root and, for every regular file the database does not know
// yet, records it in demo_files and appends its task in one transaction
// per batch. Symbolic links, devices, sockets and the like are left out;
// files whose paths are not valid UTF-8 are skipped and counted, since a
// task's JSON payload cannot hold them.
func (d *demo) scan(ctx context.Context, root string) (scanResult, error) {
	s := &scanner{d: d, root: root, batch: make([]string, 0, scanBatch)}
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		return s.visit(ctx, path, e, err)
	})
	if err == nil {
		err = s.flush(ctx)
	}
	if err != nil {
		return s.res, fmt.Errorf("scan %s: %w", root, err)
	}
	return s.res, nil
}

// scanner is the state of a scan: what it found, and the batch of paths
// not yet appended.
type scanner struct {
	d     *demo
	root  string
	res   scanResult
	batch []string
}

// visit is the filepath.WalkDirFunc of a scan.
func (s *scanner) visit(ctx context.Context, path string, e fs.DirEntry, err error) error {
	switch {
	case err != nil && path == s.root:
		return err
	case err != nil:
		s.res.unreadable++ // skip it, keep walking
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case !e.Type().IsRegular():
		return nil
	}
	s.res.files++
	if !utf8.ValidString(path) {
		s.res.badNames++
		return nil
	}
	if s.batch = append(s.batch, path); len(s.batch) == scanBatch {
		return s.flush(ctx)
	}
	return nil
}

// flush appends the tasks of the batch, if any, and empties it.
func (s *scanner) flush(ctx context.Context) error {
	if len(s.batch) == 0 {
		return nil
	}
	n, err := s.d.appendFiles(ctx, s.batch)
	s.res.appended += n
	s.batch = s.batch[:0]
	s.d.progress.scanning(s.res.files, s.res.appended)
	return err
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
