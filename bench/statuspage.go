package bench

import (
	"context"

	"github.com/grpcobs/grpcobs/interceptors/statuspage"
)

// newStatusPage makes the page of a configuration with grpcobsStatusPage. Tests replace it to
// read what the page recorded.
var newStatusPage = func() (*statuspage.Page, error) { return statuspage.New() }

// grpcobsStatusPage records both sides on one status page, as a service that mounts it does;
// nothing serves the page while the benchmark runs, so the calls pay for recording only.
// With tracing in the same stack, the page keeps each call's trace id.
func grpcobsStatusPage() signal {
	return func(b *builder) {
		page, err := newStatusPage()
		if err != nil {
			// statuspage.New fails only on invalid options, and it is given none.
			panic(err)
		}
		b.stack.shutdown = append(b.stack.shutdown, func(context.Context) error {
			page.Close()
			return nil
		})
		b.serverReportables = append(b.serverReportables, page)
		b.clientReportables = append(b.clientReportables, page)
	}
}
