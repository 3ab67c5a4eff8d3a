package main

import (
	"context"
	"fmt"
	"time"
)

// report writes the summary of a run that left no task unfinished. idle
// says that there was nothing to do from the start.
func (d *demo) report(ctx context.Context, scan scanResult, idle bool) error {
	s, err := d.state(ctx)
	if err != nil {
		return err
	}
	d.progress.end()
	w, key := d.stdout, checksumFile.Key()
	if idle {
		fmt.Fprintf(w, "Nothing left to do: all %d tasks of %s were already finished "+
			"and no new file was found.\n", s.total, key)
	} else {
		fmt.Fprintf(w, "Done: all %d tasks of %s are finished.\n", s.total, key)
	}
	for _, row := range d.summary(s, scan) {
		fmt.Fprintf(w, "  %-10s %s\n", row[0], row[1])
	}
	return nil
}

// summary lists the lines of the report as label and value.
func (d *demo) summary(s progressState, scan scanResult) [][2]string {
	elapsed := time.Since(d.start)
	run := fmt.Sprintf("%d tasks finished in %v", d.tally.finished(),
		elapsed.Round(time.Millisecond))
	if n := d.tally.finished(); n > 0 {
		run += fmt.Sprintf(" (%.0f tasks/s)", float64(n)/elapsed.Seconds())
	}
	rows := [][2]string{
		{"completed", fmt.Sprint(s.done - s.failed)},
		{"failed", fmt.Sprint(s.failed)},
		{"retried", fmt.Sprintf("%d (started more than once)", s.retried)},
		{"appended", fmt.Sprintf("%d new tasks, %d files found",
			scan.appended, scan.files)},
		{"this run", run},
	}
	if scan.skipped > 0 {
		rows = append(rows, [2]string{"skipped",
			fmt.Sprintf("%d directories that could not be read", scan.skipped)})
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
		d.progress.say("interrupted; run the same command again to resume")
		return errInterrupted
	}
	d.progress.say("interrupted: %d tasks are not finished; they stay in %s.\n"+
		"Run the same command again to resume.", left, redact(d.opts.DB))
	return errInterrupted
}
