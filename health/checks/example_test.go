package checks_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/grpcobs/grpcobs/health/checks"
)

func ExampleTCP() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	check := checks.TCP(lis.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	fmt.Println("listening:", check(ctx))
	_ = lis.Close()
	fmt.Println("closed, fails:", check(ctx) != nil)
	fmt.Println("no address:", checks.TCP("")(ctx))
	// Output:
	// listening: <nil>
	// closed, fails: true
	// no address: tcp: no address to dial
}
