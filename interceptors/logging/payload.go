package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Redactor removes what must not be logged from a message, in place. It is given a copy of the
// message, never the message the call sends or receives.
type Redactor func(msg proto.Message)

// Redacted is what a redacted string or bytes field reads.
const Redacted = "[REDACTED]"

// RedactFields returns a Redactor that redacts the fields with the given names (as spelled in
// the .proto, for example "password"), at any depth: in nested messages, lists and map values.
// A redacted string or bytes field reads Redacted; any other field is cleared.
func RedactFields(names ...string) Redactor {
	set := make(map[protoreflect.Name]bool, len(names))
	for _, n := range names {
		set[protoreflect.Name(n)] = true
	}
	return func(msg proto.Message) {
		if msg != nil {
			redactWhere(msg.ProtoReflect(), func(fd protoreflect.FieldDescriptor) bool { return set[fd.Name()] })
		}
	}
}

// isDebugRedact reports whether the .proto marks the field with [debug_redact = true].
func isDebugRedact(fd protoreflect.FieldDescriptor) bool {
	opts, ok := fd.Options().(*descriptorpb.FieldOptions)
	return ok && opts.GetDebugRedact()
}

// redactWhere redacts the populated fields of m that match, and descends into the others.
func redactWhere(m protoreflect.Message, match func(protoreflect.FieldDescriptor) bool) {
	if !m.IsValid() {
		return
	}
	var matched []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case match(fd):
			matched = append(matched, fd)
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					redactWhere(mv.Message(), match)
					return true
				})
			}
		case fd.IsList():
			if fd.Message() != nil {
				list := v.List()
				for i := range list.Len() {
					redactWhere(list.Get(i).Message(), match)
				}
			}
		case fd.Message() != nil:
			redactWhere(v.Message(), match)
		}
		return true
	})
	for _, fd := range matched {
		redactField(m, fd)
	}
}

func redactField(m protoreflect.Message, fd protoreflect.FieldDescriptor) {
	if fd.Cardinality() != protoreflect.Repeated {
		switch fd.Kind() {
		case protoreflect.StringKind:
			m.Set(fd, protoreflect.ValueOfString(Redacted))
			return
		case protoreflect.BytesKind:
			m.Set(fd, protoreflect.ValueOfBytes([]byte(Redacted)))
			return
		}
	}
	m.Clear(fd)
}

// payload is a message rendered as compact protojson: a nested object in JSON output (it is a
// json.Marshaler), its JSON text in text output (it is a fmt.Stringer).
type payload []byte

// MarshalJSON returns the rendered message.
func (p payload) MarshalJSON() ([]byte, error) { return slices.Clip(p), nil }

// String returns the rendered message as text.
func (p payload) String() string { return string(p) }

// render turns a message into what its field holds: a redacted, rendered copy.
func (o *options) render(msg any) any {
	m, ok := msg.(proto.Message)
	if !ok {
		return fmt.Sprintf("<%T is not a protobuf message>", msg)
	}
	return renderMessage(m, o.redact)
}

// renderMessage renders a redacted copy of m. It never renders m unredacted: when redacting
// panics, the result says so instead.
func renderMessage(m proto.Message, redact Redactor) (out any) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("<payload withheld: redacting %T panicked: %v>", m, r)
		}
	}()
	m = proto.Clone(m)
	if m == nil {
		return payload("null")
	}
	redactWhere(m.ProtoReflect(), isDebugRedact)
	if redact != nil {
		redact(m)
	}
	js, err := protojson.Marshal(m)
	if err != nil {
		return fmt.Sprintf("<payload not rendered: %v>", err)
	}
	// protojson varies its whitespace on purpose; compact output is stable.
	var compact bytes.Buffer
	if err := json.Compact(&compact, js); err != nil {
		return fmt.Sprintf("<payload not rendered: %v>", err)
	}
	return payload(compact.Bytes())
}
