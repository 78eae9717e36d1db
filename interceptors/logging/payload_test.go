package logging_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/logging"
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

func TestUnaryPayloadsGoOnTheStartAndFinishLines(t *testing.T) {
	opts := []logging.Option{logging.WithPayloads(nil), logging.WithStartLine()}
	r := startRig(t, rigConfig{serverOpts: opts, clientOpts: opts})
	if err := callEcho(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	_ = callEcho(noDeadline(t), r.Demo(), int32(codes.NotFound))

	request := map[string]any{"message": "hi"}
	failedRequest := map[string]any{"message": "hi", "failCode": 5.0}
	for _, log := range []*logbook{r.serverLog, r.clientLog} {
		entries := log.wait(t, 4)
		side := entries[0].Data["grpc.component"]
		got := make([][3]any, len(entries))
		for i, e := range entries {
			fields := plain(t, e.Data)
			got[i] = [3]any{e.Message, fields["grpc.request.content"], fields["grpc.response.content"]}
		}
		want := [][3]any{
			{"started call", request, nil},
			{"finished call", request, map[string]any{"message": "hi"}},
			{"started call", failedRequest, nil},
			{"finished call", failedRequest, nil},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s lines: message, request, response (-want +got):\n%s", side, diff)
		}
	}
}

func TestEachStreamMessageGetsALine(t *testing.T) {
	opts := []logging.Option{logging.WithPayloads(nil)}
	r := startRig(t, rigConfig{serverOpts: opts, clientOpts: opts})
	if err := callChat(noDeadline(t), r.Demo(), 0); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	a, b := map[string]any{"message": "a"}, map[string]any{"message": "b"}
	for _, side := range []struct {
		log   *logbook
		spans *spanner
		want  [][2]any
	}{
		{r.serverLog, r.serverSpans, [][2]any{
			{"request received", a}, {"response sent", a}, {"request received", b}, {"response sent", b}, {"finished call", nil},
		}},
		{r.clientLog, r.clientSpans, [][2]any{
			{"request sent", a}, {"request sent", b}, {"response received", a}, {"response received", b}, {"finished call", nil},
		}},
	} {
		entries := side.log.wait(t, len(side.want))
		got := make([][2]any, len(entries))
		for i, e := range entries {
			fields := plain(t, e.Data)
			content := fields["grpc.request.content"]
			if content == nil {
				content = fields["grpc.response.content"]
			}
			got[i] = [2]any{e.Message, content}
		}
		if diff := cmp.Diff(side.want, got); diff != "" {
			t.Errorf("%s lines (-want +got):\n%s", entries[0].Data["grpc.component"], diff)
		}
	}
	// A message line carries the call's fields, without an outcome.
	span := r.serverSpans.only(t)
	checkEntry(t, r.serverLog.all()[0], logrus.InfoLevel, "request received", map[string]any{
		"grpc.component":       "server",
		"grpc.service":         demoService,
		"grpc.method":          "Chat",
		"grpc.method_type":     "bidi_stream",
		"peer.address":         "bufconn",
		"trace_id":             span.SpanContext().TraceID().String(),
		"span_id":              span.SpanContext().SpanID().String(),
		"grpc.request.content": a,
	})
}

func TestRedactionWorksOnACopyOfEachMessage(t *testing.T) {
	redactEcho := func(m proto.Message) {
		switch m := m.(type) {
		case *demov1.EchoRequest:
			m.Message = "request redacted"
		case *demov1.EchoResponse:
			m.Message = "response redacted"
		}
	}
	r := startRig(t, rigConfig{
		serverOpts: []logging.Option{logging.WithPayloads(redactEcho)},
		clientOpts: []logging.Option{logging.WithPayloads(logging.RedactFields("message"))},
	})
	resp, err := r.Demo().Echo(noDeadline(t), &demov1.EchoRequest{Message: "secret"})
	if err != nil {
		t.Fatalf("Echo: %v", err)
	}
	if resp.GetMessage() != "secret" {
		t.Errorf("the caller got %q back: redaction changed the real messages", resp.GetMessage())
	}
	for _, tc := range []struct {
		log               *logbook
		request, response string
	}{
		{r.serverLog, "request redacted", "response redacted"},
		{r.clientLog, logging.Redacted, logging.Redacted},
	} {
		fields := plain(t, tc.log.wait(t, 1)[0].Data)
		want := map[string]any{"req": map[string]any{"message": tc.request}, "resp": map[string]any{"message": tc.response}}
		got := map[string]any{"req": fields["grpc.request.content"], "resp": fields["grpc.response.content"]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s payloads (-want +got):\n%s", fields["grpc.component"], diff)
		}
	}
	if got := r.serverLog.out.String() + r.clientLog.out.String(); strings.Contains(got, "secret") {
		t.Errorf("the redacted value reached the output:\n%s", got)
	}
}

func TestAPanickingRedactorWithholdsThePayload(t *testing.T) {
	r := startRig(t, rigConfig{serverOpts: []logging.Option{logging.WithPayloads(func(proto.Message) { panic("no") })}})
	if _, err := r.Demo().Echo(noDeadline(t), &demov1.EchoRequest{Message: "secret"}); err != nil {
		t.Fatalf("Echo: %v", err)
	}
	fields := r.serverLog.wait(t, 1)[0].Data
	want := "<payload withheld: redacting *demov1.EchoRequest panicked: no>"
	if got := fields["grpc.request.content"]; got != want {
		t.Errorf("grpc.request.content = %v, want %q", got, want)
	}
	if strings.Contains(r.serverLog.out.String(), "secret") {
		t.Errorf("the payload reached the output:\n%s", r.serverLog.out.String())
	}
}

// loginType is a message type built at run time, with fields marked debug_redact:
//
//	message Login {
//	  string user = 1;
//	  string password = 2 [debug_redact = true];
//	  int32 pin = 3 [debug_redact = true];
//	  Login inner = 4;
//	  repeated Login history = 5;
//	  map<string, Login> by_name = 6;
//	  bytes key = 7;
//	}
func loginType(t *testing.T) protoreflect.MessageDescriptor {
	t.Helper()
	redact := &descriptorpb.FieldOptions{DebugRedact: proto.Bool(true)}
	optional := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum()
	repeated := descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	str := descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()
	msg := descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum()
	field := func(name string, number int32, label *descriptorpb.FieldDescriptorProto_Label, typ *descriptorpb.FieldDescriptorProto_Type, typeName string, opts *descriptorpb.FieldOptions) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(number), Label: label, Type: typ, Options: opts}
		if typeName != "" {
			f.TypeName = proto.String(typeName)
		}
		return f
	}
	file := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("grpcobs_logging_test/login.proto"),
		Package: proto.String("grpcobs.logging.test"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("Login"),
			Field: []*descriptorpb.FieldDescriptorProto{
				field("user", 1, optional, str, "", nil),
				field("password", 2, optional, str, "", redact),
				field("pin", 3, optional, descriptorpb.FieldDescriptorProto_TYPE_INT32.Enum(), "", redact),
				field("inner", 4, optional, msg, ".grpcobs.logging.test.Login", nil),
				field("history", 5, repeated, msg, ".grpcobs.logging.test.Login", nil),
				field("by_name", 6, repeated, msg, ".grpcobs.logging.test.Login.ByNameEntry", nil),
				field("key", 7, optional, descriptorpb.FieldDescriptorProto_TYPE_BYTES.Enum(), "", nil),
			},
			NestedType: []*descriptorpb.DescriptorProto{{
				Name: proto.String("ByNameEntry"),
				Field: []*descriptorpb.FieldDescriptorProto{
					field("key", 1, optional, str, "", nil),
					field("value", 2, optional, msg, ".grpcobs.logging.test.Login", nil),
				},
				Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
			}},
		}},
	}
	fd, err := protodesc.NewFile(file, nil)
	if err != nil {
		t.Fatalf("build the test message type: %v", err)
	}
	return fd.Messages().ByName("Login")
}

// newLogin fills a Login, at the top level and at every depth.
func newLogin(md protoreflect.MessageDescriptor) *dynamicpb.Message {
	leaf := func(user string) *dynamicpb.Message {
		m := dynamicpb.NewMessage(md)
		m.Set(md.Fields().ByName("user"), protoreflect.ValueOfString(user))
		m.Set(md.Fields().ByName("password"), protoreflect.ValueOfString("hunter2"))
		m.Set(md.Fields().ByName("pin"), protoreflect.ValueOfInt32(1234))
		m.Set(md.Fields().ByName("key"), protoreflect.ValueOfBytes([]byte("private key")))
		return m
	}
	top := leaf("top")
	top.Set(md.Fields().ByName("inner"), protoreflect.ValueOfMessage(leaf("inner")))
	history := top.Mutable(md.Fields().ByName("history")).List()
	history.Append(protoreflect.ValueOfMessage(leaf("old")))
	byName := top.Mutable(md.Fields().ByName("by_name")).Map()
	byName.Set(protoreflect.ValueOfString("x").MapKey(), protoreflect.ValueOfMessage(leaf("mapped")))
	return top
}

func TestFieldsMarkedDebugRedactAreAlwaysRedacted(t *testing.T) {
	md := loginType(t)
	leaf := func(user string, key any) map[string]any {
		m := map[string]any{"user": user, "password": logging.Redacted} // pin is cleared
		if key != nil {
			m["key"] = key
		}
		return m
	}
	keyB64 := "cHJpdmF0ZSBrZXk="      // "private key"
	redactedB64 := "W1JFREFDVEVEXQ==" // "[REDACTED]"
	for _, tc := range []struct {
		name   string
		redact logging.Redactor
		want   map[string]any
	}{
		{
			name: "debug_redact only",
			want: map[string]any{
				"user": "top", "password": logging.Redacted, "key": keyB64, "inner": leaf("inner", keyB64),
				"history": []any{leaf("old", keyB64)}, "byName": map[string]any{"x": leaf("mapped", keyB64)},
			},
		},
		{
			name:   "and RedactFields",
			redact: logging.RedactFields("key", "history"),
			want: map[string]any{
				"user": "top", "password": logging.Redacted, "key": redactedB64, "inner": leaf("inner", redactedB64),
				"byName": map[string]any{"x": leaf("mapped", redactedB64)},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := newLogbook()
			msg := newLogin(md)
			before := proto.Clone(msg)
			rep, _ := logging.NewServer(log.Logger, logging.WithPayloads(tc.redact)).ServerReporter(context.Background(),
				interceptors.CallMeta{Service: "s.S", Method: "Login", Typ: interceptors.Unary, ReqOrNil: msg})
			rep.PostMsgReceive(msg, nil, 0)
			rep.PostCall(nil, 0)
			fields := plain(t, log.wait(t, 1)[0].Data)
			if diff := cmp.Diff(tc.want, fields["grpc.request.content"]); diff != "" {
				t.Errorf("logged request (-want +got):\n%s", diff)
			}
			if !proto.Equal(before, msg) {
				t.Error("redaction changed the message itself")
			}
		})
	}
}
