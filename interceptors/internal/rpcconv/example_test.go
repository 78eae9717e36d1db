package rpcconv_test

import (
	"fmt"
	"os"

	"github.com/grpcobs/grpcobs/interceptors/internal/rpcconv"
	"google.golang.org/grpc/codes"
)

func ExampleServerAttributes() {
	for _, target := range [][2]string{
		{"example.com:443", "dns:///example.com:443"},
		{"passthrough:///bufnet", "passthrough:///bufnet"},
		{"unix:relative.sock", "unix:///relative.sock"},
	} {
		for _, kv := range rpcconv.ServerAttributes(target[0], target[1]) {
			fmt.Printf("%s=%s ", kv.Key, kv.Value.String())
		}
		fmt.Println("from", target[0])
	}
	// Output:
	// server.address=example.com server.port=443 from example.com:443
	// server.address=bufnet from passthrough:///bufnet
	// server.address=relative.sock from unix:relative.sock
}

func ExampleCodeName() {
	fmt.Println(rpcconv.CodeName(codes.Canceled), codes.Canceled.String())
	fmt.Println(rpcconv.CodeName(codes.Code(42)))
	// Output:
	// CANCELLED Canceled
	// CODE(42)
}

func ExampleConventionsFromEnv() {
	const optIn = "OTEL_SEMCONV_STABILITY_OPT_IN"
	if was, set := os.LookupEnv(optIn); set {
		defer func() { _ = os.Setenv(optIn, was) }()
	} else {
		defer func() { _ = os.Unsetenv(optIn) }()
	}
	for _, env := range []string{"", "http,rpc/old", "rpc/old,rpc/dup"} {
		_ = os.Setenv(optIn, env)
		conv := rpcconv.ConventionsFromEnv()
		fmt.Printf("%q: current %v, legacy %v\n", env, conv&rpcconv.Current != 0, conv&rpcconv.Legacy != 0)
	}
	// Output:
	// "": current true, legacy false
	// "http,rpc/old": current false, legacy true
	// "rpc/old,rpc/dup": current true, legacy true
}
