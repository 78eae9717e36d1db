package checks

import "reflect"

// isNil reports whether v is nil or a nil pointer in an interface, which a checker must
// turn into an error instead of calling a method on it.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
