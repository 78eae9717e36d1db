// Package pb stands for the reader's generated code in the docs' snippets
// (pb.RegisterYourServiceServer, pb.GetUserRequest, …): it declares just what they use. Its
// service is the demo service, so that a snippet compiled by the tests also serves calls.
package pb

import (
	demov1 "github.com/grpcobs/grpcobs/proto/grpcobs/demo/v1"
	"google.golang.org/grpc"
)

// YourServiceServer is the reader's service implementation.
type YourServiceServer = demov1.DemoServiceServer

// RegisterYourServiceServer registers the reader's service on s.
func RegisterYourServiceServer(s grpc.ServiceRegistrar, impl YourServiceServer) {
	demov1.RegisterDemoServiceServer(s, impl)
}

// GetUserRequest is a request message of the reader's.
type GetUserRequest struct{ Id string }

// GetId returns the request's id, as generated getters do.
func (r *GetUserRequest) GetId() string {
	if r == nil {
		return ""
	}
	return r.Id
}

// User is a response message of the reader's.
type User struct{ Name string }
