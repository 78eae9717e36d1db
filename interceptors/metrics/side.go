package metrics

// side holds what tells the server's series from the client's: their names and help texts,
// which are those of go-grpc-prometheus (and of go-grpc-middleware's providers/prometheus), so
// that dashboards and alerts built for it keep working.
type side struct {
	started, handled, msgReceived, msgSent, handling, inFlight metricText
	// attempts counts the attempts of calls (WithAttempts); clients only, empty on servers.
	attempts metricText
	// msgSend and msgRecv time each message sent and received (WithClientStreamSendHistogram,
	// WithClientStreamRecvHistogram); clients only, empty on servers.
	msgSend, msgRecv metricText
}

// metricText is a metric's name (without namespace) and help text.
type metricText struct {
	name, help string
}

var serverSide = side{
	started:     metricText{"grpc_server_started_total", "Total number of RPCs started on the server."},
	handled:     metricText{"grpc_server_handled_total", "Total number of RPCs completed on the server, regardless of success or failure."},
	msgReceived: metricText{"grpc_server_msg_received_total", "Total number of RPC stream messages received on the server."},
	msgSent:     metricText{"grpc_server_msg_sent_total", "Total number of gRPC stream messages sent by the server."},
	handling:    metricText{"grpc_server_handling_seconds", "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."},
	inFlight:    metricText{"grpc_server_in_flight", "Number of RPCs started on the server and not yet completed."},
}

var clientSide = side{
	started:     metricText{"grpc_client_started_total", "Total number of RPCs started on the client."},
	handled:     metricText{"grpc_client_handled_total", "Total number of RPCs completed by the client, regardless of success or failure."},
	msgReceived: metricText{"grpc_client_msg_received_total", "Total number of RPC stream messages received by the client."},
	msgSent:     metricText{"grpc_client_msg_sent_total", "Total number of gRPC stream messages sent by the client."},
	handling:    metricText{"grpc_client_handling_seconds", "Histogram of response latency (seconds) of the gRPC until it is finished by the application."},
	inFlight:    metricText{"grpc_client_in_flight", "Number of RPCs started by the client and not yet completed."},
	attempts:    metricText{"grpc_client_attempts_total", "Total number of attempts of RPCs made by the client, retries included, by the code each attempt ended with."},
	// The names and help texts of go-grpc-middleware's providers/prometheus.
	msgSend: metricText{"grpc_client_msg_send_handling_seconds", "Histogram of response latency (seconds) of the gRPC single message send."},
	msgRecv: metricText{"grpc_client_msg_recv_handling_seconds", "Histogram of response latency (seconds) of the gRPC single message receive."},
}
