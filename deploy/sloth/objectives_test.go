package sloth_test

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"

	"go.yaml.in/yaml/v3"
)

// objectives are grpcobs' objectives from Prometheus rule files: the defaults (objective
// series without labels) and each service's own (with a grpc_service label), in percent as
// Sloth writes them.
type objectives struct {
	defaults   map[string]float64            // "availability" or "latency"
	perService map[string]map[string]float64 // kind, grpc_service
	threshold  string                        // the latency threshold's le
	errorCodes string                        // the server error matcher's regex
}

var (
	objectiveRecord = regexp.MustCompile(`^grpcobs:slo_(availability|latency)_objective:ratio$`)
	vectorValue     = regexp.MustCompile(`vector\(([0-9.]+)\)`)
	thresholdLe     = regexp.MustCompile(`"le", "([^"]*)"`)
	errorCodes      = regexp.MustCompile(`grpc_code=~"([^"]*)"`)
)

func readObjectives(t *testing.T, paths ...string) objectives {
	t.Helper()
	o := objectives{defaults: map[string]float64{}, perService: map[string]map[string]float64{}}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Groups []struct {
				Rules []struct {
					Record string            `yaml:"record"`
					Expr   string            `yaml:"expr"`
					Labels map[string]string `yaml:"labels"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(b, &file); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, g := range file.Groups {
			for _, r := range g.Rules {
				if m := errorCodes.FindStringSubmatch(r.Expr); m != nil && o.errorCodes == "" {
					o.errorCodes = m[1]
				}
				if r.Record == "grpcobs:slo_latency_threshold:seconds" {
					o.threshold = thresholdLe.FindStringSubmatch(r.Expr)[1]
				}
				kind := objectiveRecord.FindStringSubmatch(r.Record)
				if kind == nil {
					continue
				}
				v := vectorValue.FindStringSubmatch(r.Expr)
				if v == nil {
					t.Fatalf("%s: objective %s is %q, want vector(value)", path, r.Record, r.Expr)
				}
				ratio, err := strconv.ParseFloat(v[1], 64)
				if err != nil {
					t.Fatal(err)
				}
				if svc := r.Labels["grpc_service"]; svc != "" {
					if o.perService[kind[1]] == nil {
						o.perService[kind[1]] = map[string]float64{}
					}
					o.perService[kind[1]][svc] = ratio * 100
				} else {
					o.defaults[kind[1]] = ratio * 100
				}
			}
		}
	}
	if len(o.defaults) != 2 || o.threshold == "" || o.errorCodes == "" {
		t.Fatalf("%v: defaults %v, threshold %q, error codes %q: want both defaults, the threshold and the error codes", paths, o.defaults, o.threshold, o.errorCodes)
	}
	return o
}

// TestSpecsHoldGrpcobsObjectives: each Sloth spec gives every service the objective grpcobs'
// rules give it (its own or the default), counts the same codes as server errors and the
// same threshold as slow.
func TestSpecsHoldGrpcobsObjectives(t *testing.T) {
	for _, c := range []struct {
		spec  string
		rules []string
	}{
		{"grpcobs.sloth.yml", []string{"../prometheus/grpc-slo.rules.yml"}},
		{"tests/two-services.sloth.yml", []string{"../prometheus/grpc-slo.rules.yml", "../prometheus/tests/objectives-two-services.rules.yml"}},
	} {
		t.Run(c.spec, func(t *testing.T) {
			s, o := readSpec(t, c.spec), readObjectives(t, c.rules...)
			alerts := map[string]string{"availability": "GRPCServerErrorBudgetBurn", "latency": "GRPCServerLatencyBudgetBurn"}
			for kind, alertname := range alerts {
				services := []string{"any.v1.Other"} // a service without an objective of its own
				for svc := range o.perService[kind] {
					services = append(services, svc)
				}
				for svc := range o.perService[otherKind(kind)] { // with the default of this kind
					services = append(services, svc)
				}
				for _, svc := range services {
					want, ok := o.perService[kind][svc]
					if !ok {
						want = o.defaults[kind]
					}
					if got := s.sloFor(t, alertname, svc).Objective; math.Abs(got-want) > 1e-9 {
						t.Errorf("%s objective of %s = %v%%, want %v%% as in %v", kind, svc, got, want, c.rules)
					}
				}
			}
			for _, x := range s.SLOs {
				q := x.SLI.Events.ErrorQuery
				switch x.Alerting.Name {
				case "GRPCServerErrorBudgetBurn":
					if m := errorCodes.FindStringSubmatch(q); m == nil || m[1] != o.errorCodes {
						t.Errorf("SLO %s counts %v as server errors, want %q", x.Name, m, o.errorCodes)
					}
				case "GRPCServerLatencyBudgetBurn":
					le := regexp.MustCompile(`le="([^"]*)"`).FindStringSubmatch(q)
					fraction := regexp.MustCompile(`histogram_fraction\(0, ([0-9.]+),`).FindStringSubmatch(q)
					if le == nil || fraction == nil || le[1] != o.threshold || !sameNumber(fraction[1], o.threshold) {
						t.Errorf("SLO %s: threshold le %v, histogram_fraction bound %v; want %s", x.Name, le, fraction, o.threshold)
					}
				default:
					t.Errorf("SLO %s alerts as %q, which grpcobs' rules do not", x.Name, x.Alerting.Name)
				}
			}
		})
	}
}

func otherKind(kind string) string {
	if kind == "availability" {
		return "latency"
	}
	return "availability"
}

func sameNumber(a, b string) bool {
	x, errX := strconv.ParseFloat(a, 64)
	y, errY := strconv.ParseFloat(b, 64)
	return errX == nil && errY == nil && x == y
}
