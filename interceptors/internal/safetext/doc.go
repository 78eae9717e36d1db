// Package safetext bounds text that a caller decides and grpcobs shows: a status message on
// the status page, a failed call's error in its log line. A client can make its request, up to
// grpc-go's 4 MB message limit, part of a server's error message; what grpcobs keeps and writes
// of it must be valid UTF-8 (logs, browsers and exporters expect it) of bounded size.
//
//	msg := safetext.Cut(status.Convert(err).Message(), safetext.MaxMessageBytes)
package safetext
