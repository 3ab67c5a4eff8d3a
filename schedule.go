package orchestratum

import (
	"fmt"
	"math/bits"
	"time"
)

// Schedule says when a periodic task fires. Every process that asks a
// schedule gets the same answer, which is what lets processes agree on one
// task per fire without talking to each other.
type Schedule interface {
	// Next returns the first fire time strictly after t, or the zero time
	// when the schedule never fires again. Implementations must be
	// deterministic and safe for concurrent use.
	Next(t time.Time) time.Time
}

// Every returns a schedule that fires every d, at the instants that are
// whole multiples of d since the Unix epoch, so that all processes agree on
// the fire times without talking to each other: Every(time.Hour) fires on
// the hour, Every(24*time.Hour) at midnight UTC. The intervals are exact
// durations that ignore wall clocks and daylight saving time; use
// [ParseCron] for wall-clock times. Next returns its times in the location
// of its argument; String returns text such as "every 1h30m0s".
//
// Every panics if d is not positive, as time.NewTicker does: d is nearly
// always a constant, so a bad one is a programming error.
func Every(d time.Duration) Schedule {
	if d <= 0 {
		panic(fmt.Sprintf("orchestratum: Every needs a positive interval, found %v", d))
	}
	return every(d)
}

type every time.Duration

var unixEpoch = time.Unix(0, 0)

func (e every) Next(t time.Time) time.Time {
	d := time.Duration(e)
	// Truncate counts from year 1, not from 1970: shift its remainder by
	// the epoch's own to get the remainder since the epoch.
	r := pastMultiple(t, d) - pastMultiple(unixEpoch, d)
	if r < 0 {
		r += d
	}
	return t.Round(0).Add(d - r)
}

func (e every) String() string { return "every " + time.Duration(e).String() }

// pastMultiple returns how far t is past a multiple of d since year 1.
func pastMultiple(t time.Time, d time.Duration) time.Duration {
	return t.Sub(t.Truncate(d))
}

// cronHorizonYears is how many calendar years after the start Next
// searches: the longest gap between two fire times of an expression is
// eight years, from one 29th of February to the next across 2100.
const cronHorizonYears = 8

// ParseCron parses a standard five-field cron expression, evaluated on the
// wall clock of loc (nil means UTC), and returns its [Schedule]. The
// schedule's String method returns the expression with its fields separated
// by single spaces.
//
// The fields, separated by spaces, are:
//
//	minute        0-59
//	hour          0-23
//	day-of-month  1-31
//	month         1-12 or JAN-DEC
//	day-of-week   0-7 or SUN-SAT, where both 0 and 7 mean Sunday
//
// Each field is a comma-separated list of terms: * for every value, a
// number or a name, a range such as 1-5 or MON-FRI, and a step over either,
// such as */15, 9-17/2 or 5/20 (5 to the field's maximum in steps of 20).
// Names are case-insensitive. Instead of the five fields an expression may
// be one of the descriptors @yearly (or @annually), @monthly, @weekly,
// @daily (or @midnight) and @hourly. There is no seconds field and no
// @every: [Every] covers fixed intervals.
//
// A day matches as classic cron decides: when both the day-of-month and the
// day-of-week fields are restricted, a day matches if either does, so
// "0 0 13 * FRI" fires on every 13th and every Friday; when one of them is
// *, only the other applies. Here only a bare * counts as unrestricted;
// Vixie cron and cronie also count a field that begins with *, such as
// */2, and then require both fields to match.
//
// Fire times are wall-clock times in loc, and Next returns them in loc.
// Around daylight saving time changes:
//
//   - A wall time that the clocks skip does not exist, so it does not fire
//     that day: "30 2 * * *" skips the day New York jumps from 2:00 to 3:00.
//   - A wall time that the clocks show twice fires once, at its first
//     occurrence, so "*/15 * * * *" pauses while an hour repeats; use
//     [Every] for a steady interval.
//
// Vixie cron differs on both for jumps under three hours: it runs a job
// whose fixed time was skipped right after the jump, and runs jobs with a
// * in the minute or hour field again in a repeated hour.
//
// Next searches at least eight years past its argument, the longest gap
// between fire times on the calendar (from one 29th of February to the
// next across 2100), and returns the zero time for an expression that
// never fires, such as "0 0 30 2 *".
func ParseCron(expr string, loc *time.Location) (Schedule, error) {
	s, err := parseCron(expr)
	if err != nil {
		return nil, fmt.Errorf("cron expression %q: %w", expr, err)
	}
	if loc == nil {
		loc = time.UTC
	}
	s.loc = loc
	return s, nil
}

// MustParseCron is like [ParseCron] but panics if the expression is not
// valid, for schedules declared as package-level variables.
func MustParseCron(expr string, loc *time.Location) Schedule {
	s, err := ParseCron(expr, loc)
	if err != nil {
		panic("orchestratum: " + err.Error())
	}
	return s
}

type cronSchedule struct {
	expr                          string
	loc                           *time.Location
	minute, hour, dom, month, dow bitset
	domStar, dowStar              bool
}

func (s *cronSchedule) String() string { return s.expr }

// Next finds the first matching wall time after t's, then the first
// instant that shows it; wall times that do not exist, or whose first
// instant is not after t, are passed over.
func (s *cronSchedule) Next(t time.Time) time.Time {
	w := wallMinute(t.In(s.loc)).Add(time.Minute)
	limit := w.Year() + cronHorizonYears
	for {
		var found bool
		if w, found = s.nextWall(w, limit); !found {
			return time.Time{}
		}
		if at, ok := firstInstant(w, s.loc); ok && at.After(t) {
			return at
		}
		w = w.Add(time.Minute)
	}
}

// nextWall returns the first wall time at or after w that the expression
// matches, in a year no later than limit. Wall times are carried as UTC
// times, which have no gaps and no repeats.
func (s *cronSchedule) nextWall(w time.Time, limit int) (time.Time, bool) {
	for w.Year() <= limit {
		y, mo, d := w.Date()
		h, mi, _ := w.Clock()
		nextHour, hourFound := s.hour.next(h)
		nextMinute, minuteFound := s.minute.next(mi)
		switch {
		case !s.month.has(int(mo)):
			w = civil(y, mo+1, 1, 0, 0)
		case !s.dayMatches(w) || !hourFound:
			w = civil(y, mo, d+1, 0, 0)
		case nextHour > h:
			w = civil(y, mo, d, nextHour, 0)
		case !minuteFound:
			w = civil(y, mo, d, h+1, 0)
		default:
			return civil(y, mo, d, h, nextMinute), true
		}
	}
	return time.Time{}, false
}

// dayMatches applies the day-of-month and day-of-week fields to the date
// of w. A bare * holds every day, so "both" then means "the other one".
func (s *cronSchedule) dayMatches(w time.Time) bool {
	byDom := s.dom.has(w.Day())
	byDow := s.dow.has(int(w.Weekday()))
	if s.domStar || s.dowStar {
		return byDom && byDow
	}
	return byDom || byDow
}

func civil(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// wallMinute returns the wall time t shows, to the minute, carried in UTC.
func wallMinute(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, _ := t.Clock()
	return civil(y, mo, d, h, mi)
}

// firstInstant returns the first instant at which a clock in loc shows the
// wall time w, or false when loc's clocks skip w. No zone in the tz
// database is a day or more away from UTC, so only the zones in effect
// within a day of w read as UTC can hold it; a fixed zone holds every w.
func firstInstant(w time.Time, loc *time.Location) (time.Time, bool) {
	const day = 24 * 60 * 60
	u := w.Unix()
	for z := time.Unix(u-day, 0).In(loc); z.Unix() <= u+day; {
		start, end := z.ZoneBounds()
		_, offset := z.Zone()
		at := time.Unix(u-int64(offset), 0).In(loc)
		if (start.IsZero() || !at.Before(start)) && (end.IsZero() || at.Before(end)) {
			return at, true
		}
		if end.IsZero() {
			break
		}
		z = end
	}
	return time.Time{}, false
}

// bitset holds the values of one cron field, value v as bit v.
type bitset uint64

func (b bitset) has(v int) bool { return b&(1<<v) != 0 }

// next returns the smallest value in b that is at least v.
func (b bitset) next(v int) (int, bool) {
	rest := b >> v << v
	return bits.TrailingZeros64(uint64(rest)), rest != 0
}

var cronDescriptors = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}
