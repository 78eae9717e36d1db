package sloth_test

import (
	"os"
	"regexp"
	"testing"

	"go.yaml.in/yaml/v3"
)

// spec is the part of a Sloth spec (prometheus/v1) the tests read.
type spec struct {
	Service string `yaml:"service"`
	SLOs    []slo  `yaml:"slos"`
}

type slo struct {
	Name      string  `yaml:"name"`
	Objective float64 `yaml:"objective"`
	SLI       struct {
		Events struct {
			ErrorQuery string `yaml:"error_query"`
			TotalQuery string `yaml:"total_query"`
		} `yaml:"events"`
	} `yaml:"sli"`
	Alerting struct {
		Name string `yaml:"name"`
	} `yaml:"alerting"`
}

func readSpec(t *testing.T, path string) spec {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(s.SLOs) == 0 {
		t.Fatalf("%s has no SLOs", path)
	}
	return s
}

// serviceMatcher is the grpc_service matcher of an SLO's queries: = for a service's own
// SLO, !~ for a default that leaves those out, none for a default over every service.
var serviceMatcher = regexp.MustCompile(`grpc_service(=|!~)"([^"]*)"`)

// selects tells whether the SLO covers the gRPC service.
func (s slo) selects(t *testing.T, service string) bool {
	t.Helper()
	ms := serviceMatcher.FindAllStringSubmatch(s.SLI.Events.ErrorQuery+s.SLI.Events.TotalQuery, -1)
	if len(ms) == 0 {
		return true
	}
	op, value := ms[0][1], ms[0][2]
	for _, m := range ms[1:] {
		if m[1] != op || m[2] != value {
			t.Fatalf("SLO %q: its queries select grpc_service differently (%v)", s.Name, ms)
		}
	}
	if op == "=" {
		return service == value
	}
	return !regexp.MustCompile(`^(?:` + value + `)$`).MatchString(service)
}

// sloFor is the SLO of the spec that alerts with alertname for the service; exactly one must.
func (s spec) sloFor(t *testing.T, alertname, service string) slo {
	t.Helper()
	var found []slo
	for _, o := range s.SLOs {
		if o.Alerting.Name == alertname && o.selects(t, service) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d SLOs alert %s for %s, want 1", len(found), alertname, service)
	}
	return found[0]
}
