package codec

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"
)

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// checkUTF8 returns an error naming the first string in v that is not
// valid UTF-8: encoding/json would silently replace its bad bytes with
// U+FFFD, and the payload would not come back as it was appended. Values
// that marshal themselves are not inspected. v must be free of cycles
// (json.Marshal has checked it).
func checkUTF8(v reflect.Value, path string) error {
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		(v.CanAddr() && (reflect.PointerTo(t).Implements(jsonMarshaler) ||
			reflect.PointerTo(t).Implements(textMarshaler))) {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) {
			return fmt.Errorf("%s holds a string that is not valid UTF-8 (%q); "+
				"encoding/json would replace its bad bytes, so use []byte for binary data",
				pathOr(path), truncate(s))
		}
	case reflect.Pointer, reflect.Interface:
		return checkUTF8(v.Elem(), path)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := t.Field(i); f.IsExported() {
				if err := checkUTF8(v.Field(i), path+"."+f.Name); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // bytes travel as base64
		}
		for i := range v.Len() {
			if err := checkUTF8(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			key := fmt.Sprintf("%s[%v]", path, it.Key())
			if err := checkUTF8(it.Key(), key+" (key)"); err != nil {
				return err
			}
			if err := checkUTF8(it.Value(), key); err != nil {
				return err
			}
		}
	}
	return nil
}

func pathOr(path string) string {
	if path == "" {
		return "the payload"
	}
	return "field " + path
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
