package codec

import (
	"fmt"
	"reflect"
	"slices"
)

// TypeName returns the stable name of t: the import path and name of a
// named type, built from its parts for pointers, slices, arrays and maps,
// and Go's own spelling for the rest.
func TypeName(t reflect.Type) string {
	if t == nil {
		return "nil"
	}
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name()
		}
		return t.PkgPath() + "." + t.Name()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + TypeName(t.Elem())
	case reflect.Slice:
		return "[]" + TypeName(t.Elem())
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), TypeName(t.Elem()))
	case reflect.Map:
		return "map[" + TypeName(t.Key()) + "]" + TypeName(t.Elem())
	default:
		return t.String()
	}
}

// NameOf returns the stable name of T; see TypeName.
func NameOf[T any]() string {
	return TypeName(reflect.TypeFor[T]())
}

// MismatchError reports a stored data_type that is neither the name a
// process registered nor one of its aliases.
type MismatchError struct {
	Found    string   // the data_type stored with the task
	Expected string   // the registered type's name
	Aliases  []string // other names accepted for it
}

// Error names the type found and the ones expected.
func (e *MismatchError) Error() string {
	msg := fmt.Sprintf("data type mismatch: expected %q, found %q", e.Expected, e.Found)
	if len(e.Aliases) > 0 {
		msg += fmt.Sprintf(" (also accepted: %q)", e.Aliases)
	}
	return msg
}

// Matches returns nil when found is expected or one of aliases, and a
// *MismatchError otherwise.
func Matches(found, expected string, aliases []string) error {
	if found == expected || slices.Contains(aliases, found) {
		return nil
	}
	return &MismatchError{Found: found, Expected: expected, Aliases: aliases}
}
