package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressBar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    progressState
		want string
	}{
		{"start", progressState{total: 500},
			"[------------------------]   0%  0/500  0/s  retried 0  failed 0"},
		{"midway", progressState{done: 250, total: 500, rate: 123.4, retried: 7, failed: 1},
			"[############------------]  50%  250/500  123/s  retried 7  failed 1"},
		{"almost", progressState{done: 499, total: 500},
			"[#######################-]  99%  499/500  0/s  retried 0  failed 0"},
		{"held", progressState{done: 10, total: 10, held: 3, heldWait: 4 * time.Second},
			"[########################] 100%  10/10  0/s  retried 0  failed 0" +
				"  3 held elsewhere, free in 4s if abandoned"},
		{"stale", progressState{done: 5, total: 10, stale: 1500 * time.Millisecond},
			"[############------------]  50%  5/10  0/s  retried 0  failed 0" +
				"  (not read for 1.5s, retrying)"},
	}
	for _, tt := range tests {
		if got := tt.s.bar(); got != tt.want {
			t.Errorf("%s: bar\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	s := progressState{done: 250, total: 500, rate: 99.5, retried: 7, failed: 1,
		held: 2, heldWait: 3 * time.Second}
	want := "progress: 250/500 tasks finished (50%), 100 tasks/s, 7 retried, 1 failed; " +
		"2 tasks held by another process or a stopped run: if stopped, due again in 3s, " +
		"when the leases end"
	if got := s.line(); got != want {
		t.Errorf("line\n got %q\nwant %q", got, want)
	}
	s = progressState{done: 1, total: 2, stale: 2 * time.Second}
	want = "progress: 1/2 tasks finished (50%), 0 tasks/s, 0 retried, 0 failed; " +
		"counts not read for 2s, retrying"
	if got := s.line(); got != want {
		t.Errorf("stale line\n got %q\nwant %q", got, want)
	}
}

// Off a terminal, a line is written at most every plainEvery, except the
// final one.
func TestProgressPlainThrottles(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := newProgress(&b)
	for range 5 {
		p.update(progressState{total: 10}, false)
	}
	p.update(progressState{done: 10, total: 10}, true)
	got := lines(b.String())
	if len(got) != 2 || !strings.Contains(got[1], "10/10") {
		t.Errorf("wrote %d lines, want the first and the final:\n%s", len(got), b.String())
	}
}

// On a terminal, a log line or a message first erases the bar.
func TestProgressClearsBarForLogs(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := &progress{w: &b, tty: true}
	p.update(progressState{total: 10}, false)
	p.Write([]byte("level=WARN msg=x\n"))
	p.say("done")
	want := "\r[------------------------]   0%  0/10  0/s  retried 0  failed 0\x1b[K" +
		"\r\x1b[Klevel=WARN msg=x\ndone\n"
	if b.String() != want {
		t.Errorf("wrote %q\nwant  %q", b.String(), want)
	}
}
