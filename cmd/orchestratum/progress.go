package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
)

// plainEvery is the least time between two progress lines when the output
// is not a terminal.
const plainEvery = 2 * time.Second

// barWidth is the number of cells of the progress bar.
const barWidth = 24

// progress shows how far a run is: a bar redrawn in place when its writer
// is a terminal, a plain line at most every plainEvery otherwise. It is
// also the writer of the logger, so that a log line never lands in the
// middle of the bar. It is safe for concurrent use.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	last  time.Time // when the last plain line was written
	drawn bool      // the bar is on the current line
}

// progressState is what the progress shows.
type progressState struct {
	pending, running int
	done, total      int // tasks finished, and tasks in all
	failed, retried  int
	rate             float64 // tasks finished per second by this run

	// held tasks were running before this run began, in another process
	// or left by a run that stopped; the leases they had then end within
	// heldWait.
	held     int
	heldWait time.Duration

	// stale is how long reading the progress has been failing; zero when
	// the last read worked.
	stale time.Duration
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, tty: isTerminal(w)}
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// update shows s. Off a terminal it writes only when plainEvery has passed
// since the last line, or when final is set.
func (p *progress) update(s progressState, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", s.bar())
		p.drawn = true
		return
	}
	if now := time.Now(); final || now.Sub(p.last) >= plainEvery {
		p.last = now
		fmt.Fprintln(p.w, s.line())
	}
}

// scanning shows, on a terminal only, how many files a scan has found.
func (p *progress) scanning(files, appended int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintf(p.w, "\rscanning: %d files, %d new\x1b[K", files, appended)
		p.drawn = true
	}
}

// say writes a message on a line of its own.
func (p *progress) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// end leaves the bar as it is and moves to the next line.
func (p *progress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// Write writes b, a log record, in place of the bar; the next update
// draws the bar again below it.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	return p.w.Write(b)
}

// clear erases the bar from the current line. p.mu must be held.
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// percent is the share of tasks finished, rounded down so that 100 means
// all of them.
func (s progressState) percent() int {
	if s.total == 0 {
		return 100
	}
	return int(math.Floor(float64(s.done) * 100 / float64(s.total)))
}

// bar is the state as one line for a terminal.
func (s progressState) bar() string {
	filled := s.percent() * barWidth / 100
	b := fmt.Sprintf("[%s%s] %3d%%  %d/%d  %.0f/s  retried %d  failed %d",
		strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled),
		s.percent(), s.done, s.total, s.rate, s.retried, s.failed)
	if s.held > 0 {
		b += fmt.Sprintf("  %d held elsewhere, free in %v if abandoned", s.held, s.heldWait)
	}
	if s.stale > 0 {
		b += fmt.Sprintf("  (not read for %v, retrying)", s.stale)
	}
	return b
}

// line is the state as a line of a log.
func (s progressState) line() string {
	l := fmt.Sprintf("progress: %d/%d tasks finished (%d%%), %.0f tasks/s, "+
		"%d retried, %d failed", s.done, s.total, s.percent(), s.rate, s.retried, s.failed)
	if s.held > 0 {
		l += fmt.Sprintf("; %s held by another process or a stopped run: if stopped, "+
			"due again in %v, when the leases end", count(s.held, "task", "tasks"), s.heldWait)
	}
	if s.stale > 0 {
		l += fmt.Sprintf("; counts not read for %v, retrying", s.stale)
	}
	return l
}
