package protoreg

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1" // declares grpcobs.demo.v1.DemoService
	"go.uber.org/goleak"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var lateFiles atomic.Int32

// A file registered after the index was built (a plugin, a descriptor loaded at run time) is
// found all the same.
func TestDeclaredMethodSeesFilesRegisteredLater(t *testing.T) {
	// The registry is global: each run (-count) registers a file of its own.
	pkg := fmt.Sprintf("grpcobs.protoreg.late%d.v1", lateFiles.Add(1))
	service := pkg + ".Late"
	if Declared(service, "Do") {
		t.Fatalf("%s/Do is declared before its file is registered", service)
	}
	file, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:        proto.String(strings.ReplaceAll(pkg, ".", "/") + "/late.proto"),
		Package:     proto.String(pkg),
		Syntax:      proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Msg")}},
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("Late"),
			Method: []*descriptorpb.MethodDescriptorProto{{
				Name:       proto.String("Do"),
				InputType:  proto.String("." + pkg + ".Msg"),
				OutputType: proto.String("." + pkg + ".Msg"),
			}},
		}},
	}, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatalf("build the file: %v", err)
	}
	if err := protoregistry.GlobalFiles.RegisterFile(file); err != nil {
		t.Fatalf("register the file: %v", err)
	}
	if !Declared(service, "Do") {
		t.Errorf("%s/Do is not declared after its file was registered", service)
	}
	if Declared(service, "Undo") {
		t.Errorf("%s/Undo is declared; the service has no such method", service)
	}
}

func TestDeclaredMethod(t *testing.T) {
	for _, tc := range []struct {
		service, method string
		want            bool
	}{
		{"grpcobs.demo.v1.DemoService", "Echo", true},
		{"grpcobs.demo.v1.DemoService", "Chat", true},
		{"grpcobs.demo.v1.DemoService", "Missing", false},
		{"grpcobs.demo.v1.EchoRequest", "Echo", false}, // a message, not a service
		{"grpcobs.demo.v1", "DemoService", false},      // a package
		{"DemoService", "Echo", false},
		{"unknown", "unknown", false},
		{"", "", false},
	} {
		if got := Declared(tc.service, tc.method); got != tc.want {
			t.Errorf("Declared(%q, %q) = %v, want %v", tc.service, tc.method, got, tc.want)
		}
	}
}
