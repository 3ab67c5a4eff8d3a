package codec_test

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orchestratum/orchestratum/codec"
)

type Box[T any] struct{ V T }

type Event struct {
	ID    uint64
	At    time.Time
	Tags  []string
	Attrs map[string]any
	Inner *Box[[]int]
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	in := Event{
		ID:    math.MaxUint64,
		At:    time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -3*3600-30*60)),
		Attrs: map[string]any{"s": "\x00\u00e9\U0001F600", "n": nil},
		Inner: &Box[[]int]{V: []int{}},
	}
	data, err := codec.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "\\u003c") || strings.HasSuffix(string(data), "\n") {
		t.Fatalf("encoded %s: want no HTML escapes and no trailing newline", data)
	}
	out, err := codec.Decode[Event](data)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, out); d != "" {
		t.Fatalf("round trip changed the value (-in +out):\n%s", d)
	}
}

func TestErrorsNameTheType(t *testing.T) {
	t.Parallel()
	if _, err := codec.Encode(func() {}); err == nil || !strings.Contains(err.Error(), "func()") {
		t.Fatalf("Encode(func) error = %v, want one naming func()", err)
	}
	_, err := codec.Decode[Box[int]]([]byte(`{"V":"x"}`))
	want := "decode payload into github.com/orchestratum/orchestratum/codec_test.Box[int]"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Decode error = %v, want it to contain %q", err, want)
	}
	if _, err := codec.Decode[int]([]byte(`1 2`)); err == nil {
		t.Fatal("Decode of trailing data returned nil error")
	}
}

func TestTypeName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[int](), "int"},
		{reflect.TypeFor[Event](), "github.com/orchestratum/orchestratum/codec_test.Event"},
		{reflect.TypeFor[*[]map[string]Event](), "*[]map[string]github.com/orchestratum/orchestratum/codec_test.Event"},
		{reflect.TypeFor[[3]byte](), "[3]uint8"},
		{reflect.TypeFor[Box[time.Time]](), "github.com/orchestratum/orchestratum/codec_test.Box[time.Time]"},
		{reflect.TypeFor[any](), "interface {}"},
		{nil, "nil"},
	} {
		if got := codec.TypeName(tc.typ); got != tc.want {
			t.Errorf("TypeName(%v) = %q, want %q", tc.typ, got, tc.want)
		}
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	if err := codec.Matches("old.T", "new.T", []string{"old.T"}); err != nil {
		t.Fatalf("alias rejected: %v", err)
	}
	err := codec.Matches("other.T", "new.T", []string{"old.T"})
	want := `data type mismatch: expected "new.T", found "other.T" (also accepted: ["old.T"])`
	if err == nil || err.Error() != want {
		t.Fatalf("Matches error = %v, want %s", err, want)
	}
}
