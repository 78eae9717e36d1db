package otelmetrics

import (
	"fmt"
	"testing"
)

// grpc.target is bounded: the first targets keep their names for the life of the signal, every
// later one is "other", and a connection the signal does not know is "other".
func TestA66TargetsAreBounded(t *testing.T) {
	var targets a66Targets
	for i := range maxA66Targets {
		target := fmt.Sprintf("dns:///host-%d:443", i)
		if got := targets.value(target); got != target {
			t.Fatalf("target %d = %q, want its name", i, got)
		}
	}
	if got := targets.value("dns:///one-too-many:443"); got != "other" {
		t.Errorf("target past the bound = %q, want other", got)
	}
	if got := targets.value("dns:///host-0:443"); got != "dns:///host-0:443" {
		t.Errorf("an admitted target = %q after the bound was reached, want its name", got)
	}
	if got := targets.value(""); got != "other" {
		t.Errorf("an unknown connection's target = %q, want other", got)
	}
}
