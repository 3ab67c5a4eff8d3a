package orchestratum

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseCron parses expr into a schedule in UTC.
func parseCron(expr string) (*cronSchedule, error) {
	fields := strings.Fields(expr)
	s := &cronSchedule{expr: strings.Join(fields, " "), loc: time.UTC}
	if len(fields) > 0 && strings.HasPrefix(fields[0], "@") {
		var err error
		if fields, err = expandDescriptor(fields); err != nil {
			return nil, err
		}
	}
	switch len(fields) {
	case 0:
		return nil, errors.New("want 5 fields or a descriptor such as @daily, found none")
	case 5:
	default:
		return nil, fmt.Errorf("want 5 fields, found %d", len(fields))
	}
	sets := make([]bitset, len(cronFields))
	for i, f := range cronFields {
		var err error
		if sets[i], err = f.parse(fields[i]); err != nil {
			return nil, err
		}
	}
	s.minute, s.hour, s.dom, s.month, s.dow = sets[0], sets[1], sets[2], sets[3], sets[4]
	if s.dow.has(7) {
		s.dow = s.dow&^(1<<7) | 1 // 7 is Sunday, as 0 is
	}
	s.domStar, s.dowStar = fields[2] == "*", fields[4] == "*"
	return s, nil
}

// expandDescriptor returns the five fields a descriptor such as @daily
// stands for.
func expandDescriptor(fields []string) ([]string, error) {
	name := strings.ToLower(fields[0])
	spec, ok := cronDescriptors[name]
	switch {
	case name == "@every":
		return nil, errors.New("@every is not a cron descriptor; use Every for fixed intervals")
	case !ok:
		return nil, fmt.Errorf("unknown descriptor %s; want @yearly, @annually, "+
			"@monthly, @weekly, @daily, @midnight or @hourly", fields[0])
	case len(fields) > 1:
		return nil, fmt.Errorf("descriptor %s takes no fields, found %d more",
			fields[0], len(fields)-1)
	}
	return strings.Fields(spec), nil
}

// cronField describes one field of a cron expression.
type cronField struct {
	name      string
	low, high int
	names     []string // names[i] stands for low+i
}

var cronFields = []cronField{
	{name: "minute", low: 0, high: 59},
	{name: "hour", low: 0, high: 23},
	{name: "day-of-month", low: 1, high: 31},
	{name: "month", low: 1, high: 12, names: []string{
		"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
		"JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", low: 0, high: 7, names: []string{
		"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// parse parses a comma-separated list of terms.
func (f cronField) parse(text string) (bitset, error) {
	var set bitset
	for term := range strings.SplitSeq(text, ",") {
		if term == "" {
			return 0, fmt.Errorf("%s %q has an empty list element", f.name, text)
		}
		b, err := f.parseTerm(term)
		if err != nil {
			return 0, err
		}
		set |= b
	}
	return set, nil
}

// parseTerm parses *, a value or a range, each with an optional step.
func (f cronField) parseTerm(term string) (bitset, error) {
	span, stepText, hasStep := strings.Cut(term, "/")
	lo, hi, err := f.parseSpan(term, span, hasStep)
	if err != nil {
		return 0, err
	}
	step := 1
	if hasStep {
		if step, err = f.parseStep(term, stepText); err != nil {
			return 0, err
		}
	}
	var set bitset
	for v := lo; v <= hi; v += step {
		set |= 1 << v
	}
	return set, nil
}

// parseSpan parses the part of a term before its step: *, a value, or a
// range. A lone value with a step runs to the field's maximum.
func (f cronField) parseSpan(term, span string, hasStep bool) (lo, hi int, err error) {
	if span == "*" {
		return f.low, f.high, nil
	}
	first, last, isRange := strings.Cut(span, "-")
	if first == "" || isRange && (last == "" || strings.Contains(last, "-")) {
		return 0, 0, f.malformed(term)
	}
	if lo, err = f.value(first); err != nil {
		return 0, 0, err
	}
	switch {
	case !isRange && hasStep:
		return lo, f.high, nil
	case !isRange:
		return lo, lo, nil
	}
	if hi, err = f.value(last); err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("%s range %s is reversed: want low-high", f.name, span)
	}
	return lo, hi, nil
}

// parseStep parses the step of term, the text after its slash.
func (f cronField) parseStep(term, text string) (int, error) {
	if text == "" {
		return 0, f.malformed(term)
	}
	if !isDigits(text) {
		return 0, fmt.Errorf("%s step %q is not a number", f.name, text)
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > f.high {
		return 0, fmt.Errorf("%s step %s is out of range 1-%d", f.name, text, f.high)
	}
	return n, nil
}

// value parses a number or a name.
func (f cronField) value(text string) (int, error) {
	for i, name := range f.names {
		if strings.EqualFold(text, name) {
			return f.low + i, nil
		}
	}
	if !isDigits(text) {
		return 0, fmt.Errorf("%s %q is not %s", f.name, text, f.want())
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < f.low || n > f.high {
		return 0, fmt.Errorf("%s %s is out of range %d-%d", f.name, text, f.low, f.high)
	}
	return n, nil
}

// want describes the values f accepts.
func (f cronField) want() string {
	want := fmt.Sprintf("a number %d-%d", f.low, f.high)
	if len(f.names) > 0 {
		want += fmt.Sprintf(" or a name %s-%s", f.names[0], f.names[len(f.names)-1])
	}
	return want
}

func (f cronField) malformed(term string) error {
	return fmt.Errorf("%s %q is not a value, a range or a step", f.name, term)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
