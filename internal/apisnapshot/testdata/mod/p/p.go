// Package p has one exported identifier of each kind apisnapshot records.
package p

import (
	"context"
	"io"
	"time"
)

const Timeout = 3 * time.Second

const Name = "p"

var Default = &Server{Addr: ":0"}

// Server is a struct with an exported, an unexported and an embedded field.
type Server struct {
	io.Reader
	Addr  string
	ready bool
}

func (s *Server) Serve(ctx context.Context, addrs ...string) error { return nil }

func (s Server) Ready() bool { return s.ready }

func (s *Server) stop() {}

type Checker interface {
	Check(ctx context.Context) error
	io.Closer
	private()
}

type Option func(s *Server) error

type Duration = time.Duration

type Set[T comparable] map[T]struct{}

func Map[T, U any](in []T, f func(T) U) []U { return nil }

func New(addr string, opts ...Option) (*Server, error) { return nil, nil }

func unexported() {}
