package main

import (
	"context"
	"fmt"
	"time"
)

// report writes the summary of a run that left no task unfinished, from
// its last state s. idle says that there was nothing to do from the start.
func (d *demo) report(s progressState, scan scanResult, idle bool) {
	d.progress.end()
	w, key := d.stdout, checksumFile.Key()
	switch {
	case s.total == 0:
		fmt.Fprintf(w, "Nothing to do: no file found and no task of %s in the database.\n", key)
	case idle:
		fmt.Fprintf(w, "Nothing left to do: %s of %s %s already finished "+
			"and no new file was found.\n", allTasks(s.total), key, plural(s.total, "was", "were"))
	default:
		fmt.Fprintf(w, "Done: %s of %s %s finished.\n",
			allTasks(s.total), key, plural(s.total, "is", "are"))
	}
	for _, row := range d.summary(s, scan) {
		fmt.Fprintf(w, "  %-10s %s\n", row[0], row[1])
	}
}

// allTasks is "the task" or "all N tasks".
func allTasks(n int) string {
	if n == 1 {
		return "the one task"
	}
	return fmt.Sprintf("all %d tasks", n)
}

// summary lists the lines of the report as label and value.
func (d *demo) summary(s progressState, scan scanResult) [][2]string {
	elapsed := time.Since(d.start)
	n := int(d.tally.finished())
	run := fmt.Sprintf("%s finished in %v", count(n, "task", "tasks"),
		elapsed.Round(time.Millisecond))
	if n > 0 {
		run += fmt.Sprintf(" (%.0f tasks/s)", float64(n)/elapsed.Seconds())
	}
	rows := [][2]string{
		{"completed", fmt.Sprint(s.done - s.failed)},
		{"failed", fmt.Sprint(s.failed)},
		{"retried", fmt.Sprintf("%d (started more than once)", s.retried)},
		{"appended", fmt.Sprintf("%s, %s found",
			count(scan.appended, "new task", "new tasks"), count(scan.files, "file", "files"))},
		{"this run", run},
	}
	for _, skip := range scan.skips() {
		rows = append(rows, [2]string{"skipped", skip})
	}
	return append(rows, [2]string{"results", "table demo_results in " + redact(d.opts.DB)})
}

// stopped returns err, unless ctx ended: then it says how to resume and
// returns errInterrupted.
func (d *demo) stopped(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	d.progress.end()
	left, cerr := d.left(context.WithoutCancel(ctx))
	if cerr != nil {
		d.progress.say("interrupted.\nRun the same command again to resume.")
		return errInterrupted
	}
	d.progress.say("interrupted: %s not finished and %s in %s.\n"+
		"Run the same command again to resume.", count(left, "task is", "tasks are"),
		plural(left, "stays", "stay"), redact(d.opts.DB))
	return errInterrupted
}

// count is n followed by the noun one or many, as n needs.
func count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}

// plural returns one when n is 1, and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
