package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// Encode returns v as JSON. An error names v's type and what
// encoding/json could not encode, or the string field that is not valid
// UTF-8 (which encoding/json would silently alter).
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode payload of type %s: %w", TypeName(reflect.TypeOf(v)), err)
	}
	if err := checkUTF8(reflect.ValueOf(v), ""); err != nil {
		return nil, fmt.Errorf("encode payload of type %s: %w", TypeName(reflect.TypeOf(v)), err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if !utf8.Valid(data) {
		// A json.RawMessage or a MarshalJSON method wrote the bad bytes.
		return nil, fmt.Errorf("encode payload of type %s: its JSON is not valid UTF-8 "+
			"(from a json.RawMessage or a MarshalJSON method)", TypeName(reflect.TypeOf(v)))
	}
	return data, nil
}

// Decode returns the JSON data decoded into a new T. An error names T and
// what was wrong with the data.
func Decode[T any](data []byte) (T, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("decode payload into %s: %w", NameOf[T](), err)
	}
	return v, nil
}
