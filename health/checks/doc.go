// Package checks holds ready-made health checkers for the dependencies a gRPC server
// usually has: a TCP endpoint, an upstream gRPC server's own health service, an SQL
// database, and an HTTP endpoint. Each returns a health.CheckFunc to register on a
// health.Registry; each honours its context, so the registry's Timeout bounds it; and each
// fails with an error that says what it tried and what went wrong. Bad input (an empty
// address, a nil connection) gives a checker that fails with a clear error, never a panic.
//
//	registry.Register("postgres", checks.SQL(db))
//	registry.Register("cache", checks.TCP("redis:6379"))
//	registry.Register("users", checks.GRPC(usersConn, "users.v1.UserService"))
//	registry.Register("search", checks.HTTP("http://search:9200/_cluster/health"),
//		health.NonCritical())
package checks
