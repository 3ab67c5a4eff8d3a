package orchestratum_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	orch "github.com/orchestratum/orchestratum"
)

// Times in these tests are written without a weekday, which the parser
// would not check; expected times are formatted with one, which it checks.
const (
	fromLayout = "2006-01-02 15:04:05"
	wantLayout = "Mon 2006-01-02 15:04"
	zoneLayout = "2006-01-02 15:04 MST"
)

func utc(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(fromLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func loadLocation(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("time zone data is missing: %v", err)
	}
	return loc
}

func TestCronNext(t *testing.T) {
	t.Parallel()
	// 2024-01-15 was a Monday; 2024 is a leap year.
	const mon = "2024-01-15 10:30:00"
	tests := []struct {
		expr, from, want string // want "never" for the zero time
	}{
		{"* * * * *", mon, "Mon 2024-01-15 10:31"},
		{"* * * * *", "2024-01-15 10:30:59.999", "Mon 2024-01-15 10:31"},
		{"30 10 * * *", "2024-01-15 10:29:59.999", "Mon 2024-01-15 10:30"},
		{"30 10 * * *", mon, "Tue 2024-01-16 10:30"}, // strictly after
		{"0 * * * *", mon, "Mon 2024-01-15 11:00"},
		{"*/15 * * * *", mon, "Mon 2024-01-15 10:45"},
		{"5-10/2 * * * *", mon, "Mon 2024-01-15 11:05"},
		{"5-10/2 * * * *", "2024-01-15 11:05:00", "Mon 2024-01-15 11:07"},
		{"5-10/2 * * * *", "2024-01-15 11:09:00", "Mon 2024-01-15 12:05"},
		{"5/20 * * * *", mon, "Mon 2024-01-15 10:45"},
		{"5/20 * * * *", "2024-01-15 10:45:00", "Mon 2024-01-15 11:05"},
		{"0,30 9-17 * * *", mon, "Mon 2024-01-15 11:00"},
		{"0,30 9-17 * * *", "2024-01-15 17:30:00", "Tue 2024-01-16 09:00"},
		{"0 1,3-4,22 * * *", mon, "Mon 2024-01-15 22:00"},
		{"0 0-5/2 * * *", mon, "Tue 2024-01-16 00:00"},
		{"05 09 * * *", mon, "Tue 2024-01-16 09:05"},
		{"0 0 * * *", mon, "Tue 2024-01-16 00:00"},
		{"59 23 31 12 *", "2024-12-31 23:59:00", "Wed 2025-12-31 23:59"},
		{" 0\t0  * * * ", mon, "Tue 2024-01-16 00:00"},

		// Days of the month, months and leap years.
		{"0 0 1 * *", mon, "Thu 2024-02-01 00:00"},
		{"0 0 1 1 *", mon, "Wed 2025-01-01 00:00"},
		{"0 0 13 * *", mon, "Tue 2024-02-13 00:00"},
		{"0 0 */10 * *", mon, "Sun 2024-01-21 00:00"},
		{"0 0 29 2 *", mon, "Thu 2024-02-29 00:00"},
		{"0 0 29 2 *", "2024-02-29 00:00:00", "Tue 2028-02-29 00:00"},
		{"0 0 29 2 *", "2096-03-01 00:00:00", "Fri 2104-02-29 00:00"}, // 2100 is no leap year
		{"0 0 29 * *", "2023-01-29 00:00:00", "Wed 2023-03-29 00:00"},
		{"0 0 31 * *", "2024-01-31 00:00:00", "Sun 2024-03-31 00:00"},
		{"0 0 31 * *", "2024-04-01 00:00:00", "Fri 2024-05-31 00:00"},
		{"0 0 30 * *", "2024-01-30 00:00:00", "Sat 2024-03-30 00:00"},
		{"0 0 1 JAN,jul *", mon, "Mon 2024-07-01 00:00"},
		{"0 0 1 mar-May *", mon, "Fri 2024-03-01 00:00"},
		{"0 0 1 */3 *", mon, "Mon 2024-04-01 00:00"},
		{"0 12 * feb *", mon, "Thu 2024-02-01 12:00"},

		// Impossible dates never fire.
		{"0 0 30 2 *", mon, "never"},
		{"0 0 31 2 *", mon, "never"},
		{"0 0 31 4,6,9,11 *", mon, "never"},

		// Days of the week; 0 and 7 are both Sunday.
		{"0 0 * * 1", mon, "Mon 2024-01-22 00:00"},
		{"0 0 * * 0", mon, "Sun 2024-01-21 00:00"},
		{"0 0 * * 7", mon, "Sun 2024-01-21 00:00"},
		{"0 0 * * sun", mon, "Sun 2024-01-21 00:00"},
		{"0 0 * * Sat", mon, "Sat 2024-01-20 00:00"},
		{"0 0 * * */7", mon, "Sun 2024-01-21 00:00"},
		{"0 0 * * MON-FRI", "2024-01-19 12:00:00", "Mon 2024-01-22 00:00"},
		{"0 0 * * 5-7", "2024-01-20 12:00:00", "Sun 2024-01-21 00:00"},
		{"0 0 * * 1-5/2", mon, "Wed 2024-01-17 00:00"},
		{"0 0 * * 0,6", mon, "Sat 2024-01-20 00:00"},

		// Both day fields restricted: either matches.
		{"0 0 13 * 5", "2024-02-10 00:00:00", "Tue 2024-02-13 00:00"},
		{"0 0 13 * 5", "2024-02-13 00:00:00", "Fri 2024-02-16 00:00"},
		{"0 0 1-7 * 1", mon, "Mon 2024-01-22 00:00"},
		{"0 0 */2 * 1", mon, "Wed 2024-01-17 00:00"}, // odd days or Mondays
		{"0 0 13 * */7", "2024-02-10 00:00:00", "Sun 2024-02-11 00:00"},
		{"0 0 31 2 1", mon, "Mon 2024-02-05 00:00"},

		// Descriptors.
		{"@hourly", mon, "Mon 2024-01-15 11:00"},
		{"@daily", mon, "Tue 2024-01-16 00:00"},
		{"@midnight", mon, "Tue 2024-01-16 00:00"},
		{"@DAILY", mon, "Tue 2024-01-16 00:00"},
		{"@weekly", mon, "Sun 2024-01-21 00:00"},
		{"@monthly", mon, "Thu 2024-02-01 00:00"},
		{"@yearly", mon, "Wed 2025-01-01 00:00"},
		{"@annually", mon, "Wed 2025-01-01 00:00"},
	}
	for _, tt := range tests {
		s, err := orch.ParseCron(tt.expr, nil)
		if err != nil {
			t.Errorf("ParseCron(%q): %v", tt.expr, err)
			continue
		}
		got := s.Next(utc(t, tt.from))
		if tt.want == "never" {
			if !got.IsZero() {
				t.Errorf("%q.Next(%s) = %s, want the zero time", tt.expr, tt.from, got)
			}
			continue
		}
		if got.Format(wantLayout) != tt.want || got.Location() != time.UTC {
			t.Errorf("%q.Next(%s) = %s, want %s UTC", tt.expr, tt.from, got, tt.want)
		}
	}
}

func TestCronDaylightSaving(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone, expr, from, want string
	}{
		// New York springs forward at 2:00 on 10 March 2024, and falls
		// back at 2:00 on 3 November 2024, repeating 1:00-1:59.
		{"America/New_York", "30 2 * * *", "2024-03-09 03:00 EST", "2024-03-11 02:30 EDT"},
		{"America/New_York", "30 2 * * *", "2024-03-10 01:59 EST", "2024-03-11 02:30 EDT"},
		{"America/New_York", "* * * * *", "2024-03-10 01:59 EST", "2024-03-10 03:00 EDT"},
		{"America/New_York", "0 * * * *", "2024-03-10 01:00 EST", "2024-03-10 03:00 EDT"},
		{"America/New_York", "0 3 * * *", "2024-03-10 01:00 EST", "2024-03-10 03:00 EDT"},
		{"America/New_York", "0 0 * * *", "2024-03-09 12:00 EST", "2024-03-10 00:00 EST"},
		{"America/New_York", "0 0 * * *", "2024-03-10 12:00 EDT", "2024-03-11 00:00 EDT"},
		{"America/New_York", "30 1 * * *", "2024-11-03 00:00 EDT", "2024-11-03 01:30 EDT"},
		{"America/New_York", "30 1 * * *", "2024-11-03 01:30 EDT", "2024-11-04 01:30 EST"},
		{"America/New_York", "30 1 * * *", "2024-11-03 01:10 EST", "2024-11-04 01:30 EST"},
		{"America/New_York", "*/15 * * * *", "2024-11-03 01:45 EDT", "2024-11-03 02:00 EST"},
		{"America/New_York", "*/15 * * * *", "2024-11-03 01:20 EST", "2024-11-03 02:00 EST"},
		{"America/New_York", "0 2 * * *", "2024-11-02 12:00 EDT", "2024-11-03 02:00 EST"},
		// Berlin springs forward at 2:00 on 31 March 2024, and falls
		// back at 3:00 on 27 October 2024, repeating 2:00-2:59.
		{"Europe/Berlin", "30 2 * * *", "2024-03-30 12:00 CET", "2024-04-01 02:30 CEST"},
		{"Europe/Berlin", "* 2 * * *", "2024-03-31 01:59 CET", "2024-04-01 02:00 CEST"},
		{"Europe/Berlin", "0 0 * * *", "2024-03-30 12:00 CET", "2024-03-31 00:00 CET"},
		{"Europe/Berlin", "30 2 * * *", "2024-10-26 12:00 CEST", "2024-10-27 02:30 CEST"},
		{"Europe/Berlin", "30 2 * * *", "2024-10-27 02:30 CEST", "2024-10-28 02:30 CET"},
		{"Europe/Berlin", "0 * * * *", "2024-10-27 01:30 CEST", "2024-10-27 02:00 CEST"},
		{"Europe/Berlin", "0 * * * *", "2024-10-27 02:00 CEST", "2024-10-27 03:00 CET"},
		{"Europe/Berlin", "0 * * * *", "2024-10-27 02:30 CET", "2024-10-27 03:00 CET"},
		// Samoa skipped 30 December 2011 when it crossed the date line.
		{"Pacific/Apia", "0 12 30 12 *", "2011-12-29 12:00 -10", "2012-12-30 12:00 +14"},
	}
	for _, tt := range tests {
		loc := loadLocation(t, tt.zone)
		from, err := time.ParseInLocation(zoneLayout, tt.from, loc)
		if err != nil {
			t.Fatal(err)
		}
		got := orch.MustParseCron(tt.expr, loc).Next(from)
		if got.Format(zoneLayout) != tt.want || got.Location() != loc {
			t.Errorf("%q in %s: Next(%s) = %s (%s), want %s", tt.expr, tt.zone,
				tt.from, got.Format(zoneLayout), got.Location(), tt.want)
		}
	}
}

// The answer does not depend on the location of the argument.
func TestCronNextReturnsScheduleLocation(t *testing.T) {
	t.Parallel()
	ny := loadLocation(t, "America/New_York")
	s := orch.MustParseCron("0 9 * * *", ny)
	got := s.Next(utc(t, "2024-01-15 14:30:00")) // 09:30 in New York
	want := "2024-01-16 09:00 EST"
	if got.Format(zoneLayout) != want || got.Location() != ny {
		t.Errorf("Next = %s in %s, want %s", got.Format(zoneLayout), got.Location(), want)
	}
}

// cronMatcher decides fire times by the definition, minute by minute, to
// check Next's field-by-field search against.
type cronMatcher struct {
	expr             string
	sets             [5]map[int]bool
	domStar, dowStar bool
}

func randomCron(r *rand.Rand) cronMatcher {
	limits := [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}
	starOdds := [5]int{4, 3, 2, 4, 2} // one in n is a star
	var m cronMatcher
	var fields []string
	for i, lim := range limits {
		m.sets[i] = map[int]bool{}
		if r.IntN(starOdds[i]) != 0 || i == 3 && r.IntN(4) != 0 {
			fields = append(fields, "*")
			for v := lim[0]; v <= lim[1]; v++ {
				m.sets[i][v] = true
			}
			continue
		}
		var list []string
		for range 1 + r.IntN(3) {
			v := lim[0] + r.IntN(lim[1]-lim[0]+1)
			m.sets[i][v] = true
			list = append(list, fmt.Sprint(v))
		}
		fields = append(fields, strings.Join(list, ","))
	}
	if m.sets[4][7] {
		m.sets[4][0] = true
	}
	m.expr = strings.Join(fields, " ")
	m.domStar, m.dowStar = fields[2] == "*", fields[4] == "*"
	return m
}

func (m cronMatcher) matches(w time.Time) bool {
	byDom, byDow := m.sets[2][w.Day()], m.sets[4][int(w.Weekday())]
	day := byDom || byDow
	if m.domStar || m.dowStar {
		day = byDom && byDow
	}
	return day && m.sets[0][w.Minute()] && m.sets[1][w.Hour()] && m.sets[3][int(w.Month())]
}

// next scans every minute up to end for the first one whose wall time
// matches and was not shown an hour or two before (a repeated hour).
func (m cronMatcher) next(t, end time.Time, loc *time.Location) time.Time {
	wall := func(at time.Time) string { return at.In(loc).Format("2006-01-02 15:04") }
	start := t.Truncate(time.Minute).Add(time.Minute)
	for at := start; at.Before(end); at = at.Add(time.Minute) {
		if m.matches(at.In(loc)) && wall(at) != wall(at.Add(-time.Hour)) &&
			wall(at) != wall(at.Add(-2*time.Hour)) {
			return at.In(loc)
		}
	}
	return time.Time{}
}

func TestCronNextAgreesWithScanning(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC,
		loadLocation(t, "America/New_York"), loadLocation(t, "Europe/Berlin")}
	transitions := []time.Time{utc(t, "2024-03-10 07:00:00"), utc(t, "2024-11-03 06:00:00"),
		utc(t, "2024-03-31 01:00:00"), utc(t, "2024-10-27 01:00:00")}
	const window = 21 * 24 * time.Hour
	for range 200 {
		m := randomCron(r)
		loc := zones[r.IntN(len(zones))]
		from := transitions[r.IntN(len(transitions))].
			Add(time.Duration(r.Int64N(int64(window))) - window/2)
		end := from.Add(window)
		want := m.next(from, end, loc)
		got := orch.MustParseCron(m.expr, loc).Next(from)
		missed := want.IsZero() && !got.IsZero() && got.Before(end)
		if missed || !want.IsZero() && !got.Equal(want) {
			t.Errorf("%q in %s: Next(%s) = %s, want %s", m.expr, loc, from, got, want)
		}
	}
}

func TestCronString(t *testing.T) {
	t.Parallel()
	for expr, want := range map[string]string{
		"  0\t9 * *   MON-FRI ": "0 9 * * MON-FRI",
		"*/5 * * * *":           "*/5 * * * *",
		"@Daily":                "@Daily",
	} {
		s := orch.MustParseCron(expr, nil)
		if got := fmt.Sprint(s); got != want {
			t.Errorf("ParseCron(%q) prints as %q, want %q", expr, got, want)
		}
	}
}

func TestCronErrors(t *testing.T) {
	t.Parallel()
	const descriptors = "@yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"
	tests := []struct{ expr, want string }{
		{"", "want 5 fields or a descriptor such as @daily, found none"},
		{" \t ", "want 5 fields or a descriptor such as @daily, found none"},
		{"* * * *", "want 5 fields, found 4"},
		{"0 * * * * *", "want 5 fields, found 6"},
		{"61 * * * *", "minute 61 is out of range 0-59"},
		{"1-61 * * * *", "minute 61 is out of range 0-59"},
		{"99999999999999999999 * * * *", "minute 99999999999999999999 is out of range 0-59"},
		{"* 24 * * *", "hour 24 is out of range 0-23"},
		{"* * 0 * *", "day-of-month 0 is out of range 1-31"},
		{"* * 32 * *", "day-of-month 32 is out of range 1-31"},
		{"* * * 0 *", "month 0 is out of range 1-12"},
		{"* * * 13 *", "month 13 is out of range 1-12"},
		{"* * * * 8", "day-of-week 8 is out of range 0-7"},
		{"*/0 * * * *", "minute step 0 is out of range 1-59"},
		{"*/60 * * * *", "minute step 60 is out of range 1-59"},
		{"* * * 1-12/13 *", "month step 13 is out of range 1-12"},
		{"* * * * */x", `day-of-week step "x" is not a number`},
		{"5-1 * * * *", "minute range 5-1 is reversed: want low-high"},
		{"* * * * FRI-MON", "day-of-week range FRI-MON is reversed: want low-high"},
		{"a * * * *", `minute "a" is not a number 0-59`},
		{"+5 * * * *", `minute "+5" is not a number 0-59`},
		{"? * * * *", `minute "?" is not a number 0-59`},
		{"* * L * *", `day-of-month "L" is not a number 1-31`},
		{"* * * FOO *", `month "FOO" is not a number 1-12 or a name JAN-DEC`},
		{"* * * * monday", `day-of-week "monday" is not a number 0-7 or a name SUN-SAT`},
		{"JAN * * * *", `minute "JAN" is not a number 0-59`},
		{"1,,2 * * * *", `minute "1,,2" has an empty list element`},
		{"* 1, * * *", `hour "1," has an empty list element`},
		{"1-2-3 * * * *", `minute "1-2-3" is not a value, a range or a step`},
		{"-5 * * * *", `minute "-5" is not a value, a range or a step`},
		{"*/ * * * *", `minute "*/" is not a value, a range or a step`},
		{"@every 5m", "@every is not a cron descriptor; use Every for fixed intervals"},
		{"@often", "unknown descriptor @often; want " + descriptors},
		{"@daily 0", "descriptor @daily takes no fields, found 1 more"},
	}
	for _, tt := range tests {
		_, err := orch.ParseCron(tt.expr, nil)
		want := fmt.Sprintf("cron expression %q: %s", tt.expr, tt.want)
		if err == nil || err.Error() != want {
			t.Errorf("ParseCron(%q) error = %v\nwant %s", tt.expr, err, want)
		}
	}
}

func TestMustParseCronPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		want := `orchestratum: cron expression "61 * * * *": minute 61 is out of range 0-59`
		if got := recover(); got != want {
			t.Errorf("MustParseCron panicked with %v, want %s", got, want)
		}
	}()
	orch.MustParseCron("61 * * * *", nil)
}

func TestEveryAlignsToUnixEpoch(t *testing.T) {
	t.Parallel()
	ny := loadLocation(t, "America/New_York")
	tests := []struct {
		d          time.Duration
		from, want time.Time
	}{
		{time.Hour, utc(t, "2024-01-15 10:20:00"), utc(t, "2024-01-15 11:00:00")},
		{time.Hour, utc(t, "2024-01-15 11:00:00"), utc(t, "2024-01-15 12:00:00")},
		{90 * time.Minute, utc(t, "2024-01-15 10:20:00"), utc(t, "2024-01-15 10:30:00")},
		{24 * time.Hour, utc(t, "2024-01-15 10:20:00"), utc(t, "2024-01-16 00:00:00")},
		// 1 January 1970 was a Thursday.
		{7 * 24 * time.Hour, utc(t, "2024-01-15 10:20:00"), utc(t, "2024-01-18 00:00:00")},
		{time.Hour, utc(t, "1969-12-31 23:59:59"), time.Unix(0, 0)},
		{7 * time.Second, time.Unix(-10, 0), time.Unix(-7, 0)},
		{7 * time.Second, time.Unix(-1, 5e8), time.Unix(0, 0)},
		{7 * time.Second, time.Time{}, time.Time{}.Add(4 * time.Second)},
		{250 * time.Millisecond, time.Unix(100, 1e8), time.Unix(100, 25e7)},
		// Exact durations: the hour after 1:30 EST is 3:00 EDT.
		{time.Hour, time.Date(2024, 3, 10, 1, 30, 0, 0, ny),
			time.Date(2024, 3, 10, 3, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		got := orch.Every(tt.d).Next(tt.from)
		if !got.Equal(tt.want) || got.Location() != tt.from.Location() {
			t.Errorf("Every(%v).Next(%s) = %s, want %s", tt.d, tt.from, got, tt.want)
		}
	}
}

// Every process computes the same fire time for any moment of an interval.
func TestEveryAgreesWithDivision(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		d := time.Duration(1 + r.Int64N(int64(30*24*time.Hour)))
		ns := r.Int64() >> 1 // from 1970 to 2116
		want := (ns/int64(d) + 1) * int64(d)
		if got := orch.Every(d).Next(time.Unix(0, ns)); got.UnixNano() != want {
			t.Fatalf("Every(%v).Next(%d) = %d, want %d", d, ns, got.UnixNano(), want)
		}
	}
}

func TestEveryPanicsOnNonPositive(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -time.Second} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Every(%v) did not panic", d)
				}
			}()
			orch.Every(d)
		}()
	}
}

func TestEveryString(t *testing.T) {
	t.Parallel()
	if got := fmt.Sprint(orch.Every(90 * time.Minute)); got != "every 1h30m0s" {
		t.Errorf("Every(90m) prints as %q", got)
	}
}

// Schedules hold no mutable state, so one may serve many goroutines.
func TestScheduleConcurrentNext(t *testing.T) {
	t.Parallel()
	schedules := []orch.Schedule{orch.Every(time.Minute),
		orch.MustParseCron("*/5 9-17 * * MON-FRI", loadLocation(t, "Europe/Berlin"))}
	from := utc(t, "2024-01-15 10:30:00")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			s := schedules[i%len(schedules)]
			for at := from; at.Before(from.Add(24 * time.Hour)); {
				at = s.Next(at)
			}
		})
	}
	wg.Wait()
}

func FuzzParseCron(f *testing.F) {
	seeds := []string{"* * * * *", "0 0 29 2 *", "0 0 30 2 *", "*/7 1-5/2 13 * FRI",
		"30 1,2 * * *", "0 0 1-7 JAN-mar 0,7", "5/20 */3 */10 */2 */2", "@weekly",
		"@every 1h", "61 * * * *", "1,,2 * * * *", "5-1 * * * *", ""}
	for _, seed := range seeds {
		f.Add(seed, int64(1_710_050_000)) // around New York's spring forward in 2024
	}
	ny := loadLocation(f, "America/New_York")
	f.Fuzz(func(t *testing.T, expr string, sec int64) {
		s, err := orch.ParseCron(expr, ny)
		if err != nil {
			return
		}
		if _, err := orch.ParseCron(fmt.Sprint(s), ny); err != nil {
			t.Fatalf("%q prints as %q, which does not parse: %v", expr, s, err)
		}
		const span = 400 * 365 * 24 * 60 * 60 // years 1570 to 2370
		from := time.Unix(sec%span, 0)
		next := s.Next(from)
		if next.IsZero() {
			return
		}
		if !next.After(from) || next.Location() != ny {
			t.Fatalf("%q: Next(%s) = %s, want a later time in New York", expr, from, next)
		}
		// Next is constant up to the fire time and later after it, hence
		// monotonic.
		if mid := from.Add(next.Sub(from) / 2); !s.Next(mid).Equal(next) {
			t.Fatalf("%q: Next(%s) = %s but Next(%s) = %s", expr, from, next, mid, s.Next(mid))
		}
		if after := s.Next(next); !after.IsZero() && !after.After(next) {
			t.Fatalf("%q: Next(%s) = %s, not after it", expr, next, after)
		}
	})
}
