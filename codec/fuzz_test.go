package codec_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/orchestratum/orchestratum/codec"
)

// Fuzzed is built from fuzz input: a payload with the kinds of values
// whose round trip is easiest to get wrong.
type Fuzzed struct {
	S     string
	I     int64
	U     uint64
	F     float64
	B     []byte
	List  []string
	Map   map[string]int32
	When  time.Time
	Inner *Box[[]string]
	Raw   json.RawMessage
}

// FuzzRoundTrip checks that every payload Encode accepts comes back equal,
// and that Encode rejects only what encoding/json cannot keep.
func FuzzRoundTrip(f *testing.F) {
	f.Add("plain", int64(1), uint64(2), 1.5, []byte("b"), int64(0), "x")
	f.Add("nul\x00 ü 🚀", int64(math.MaxInt64), uint64(math.MaxUint64), -0.0, []byte{}, int64(-1), "")
	f.Add("bad \xff utf8", int64(math.MinInt64), uint64(0), math.SmallestNonzeroFloat64, []byte(nil), int64(1e18), "\u2028")
	f.Fuzz(func(t *testing.T, s string, i int64, u uint64, fl float64, b []byte, unixNano int64, key string) {
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			return // encoding/json rejects these, with an error
		}
		in := Fuzzed{
			S: s, I: i, U: u, F: fl, B: b,
			List:  strings.Split(s, " "),
			Map:   map[string]int32{key: int32(i)},
			When:  time.Unix(0, unixNano).In(time.FixedZone("", int(i%841)*60)), // whole minutes, as RFC 3339 keeps them
			Inner: &Box[[]string]{V: []string{key}},
			Raw:   json.RawMessage(`{"k":` + string(mustJSON(t, s)) + `}`),
		}
		data, err := codec.Encode(in)
		valid := utf8.ValidString(s) && utf8.ValidString(key)
		if !valid {
			if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
				t.Fatalf("Encode of invalid UTF-8 returned %v, want an error saying so", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		out, err := codec.Decode[Fuzzed](data)
		if err != nil {
			t.Fatalf("Decode(%s): %v", data, err)
		}
		// Raw JSON comes back equal in value; its bytes may be re-escaped.
		if !rawEqual(in.Raw, out.Raw) {
			t.Fatalf("raw JSON %s came back as %s", in.Raw, out.Raw)
		}
		out.Raw = in.Raw
		if d := cmp.Diff(in, out); d != "" {
			t.Fatalf("round trip changed the payload (-in +out):\n%s", d)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawEqual compares raw JSON by value.
func rawEqual(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
}
