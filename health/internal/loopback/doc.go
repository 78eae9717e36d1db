// Package loopback gives tests of package health and its checkers a real TCP peer on
// 127.0.0.1 that they can kill and bring back on the same address.
//
//	peer := loopback.Start(t, loopback.Discard)
//	check := checks.TCP(peer.Addr())
//	peer.Stop()    // connections are refused from now on
//	peer.Restart() // and accepted again, on the same address
package loopback
