package sloth_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// scenarios pairs each promtool test file of grpcobs' own rules with the Sloth spec of the
// same objectives.
var scenarios = []struct{ grpcobsTest, spec string }{
	{"../prometheus/tests/availability.test.yml", "grpcobs.sloth.yml"},
	{"../prometheus/tests/latency.test.yml", "grpcobs.sloth.yml"},
	{"../prometheus/tests/objectives.test.yml", "tests/two-services.sloth.yml"},
}

// promtool is the pinned promtool that `make` builds (GRPCOBS_PROMTOOL). Without it the test
// skips, unless GRPCOBS_REQUIRE_TOOLS=1 (as under make) makes it fail.
func promtool(t *testing.T) string {
	t.Helper()
	path := os.Getenv("GRPCOBS_PROMTOOL")
	if path == "" {
		if os.Getenv("GRPCOBS_REQUIRE_TOOLS") == "1" {
			t.Fatal("GRPCOBS_PROMTOOL is not set but GRPCOBS_REQUIRE_TOOLS=1: run through make (make prometheus builds it)")
		}
		t.Skip("GRPCOBS_PROMTOOL not set; run through make, which builds the pinned promtool into .bin")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("GRPCOBS_PROMTOOL=%s: %v (make prometheus builds it)", path, err)
	}
	return path
}

// TestSlothRulesAlertOnGrpcobsScenarios runs the scenarios of grpcobs' own promtool tests
// against the rules Sloth generates from the spec: the same input series, evaluated at the
// same times, must fire the same alerts (the same name, severity, job and service), with
// Sloth's own labels and annotations added. The PromQL checks of grpcobs' recorded series
// are left out: Sloth records its own.
func TestSlothRulesAlertOnGrpcobsScenarios(t *testing.T) {
	bin := promtool(t)
	for _, sc := range scenarios {
		t.Run(filepath.Base(sc.grpcobsTest), func(t *testing.T) {
			rules, err := filepath.Abs(strings.TrimSuffix(sc.spec, ".sloth.yml") + ".rules.yml")
			if err != nil {
				t.Fatal(err)
			}
			converted := convertScenarios(t, sc.grpcobsTest, readSpec(t, sc.spec), rules)
			path := filepath.Join(t.TempDir(), filepath.Base(sc.grpcobsTest))
			if err := os.WriteFile(path, converted, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "test", "rules", path).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool test rules on Sloth's %s: %v\n%s\nthe converted test:\n%s", rules, err, out, converted)
			}
		})
	}
}

// convertScenarios rewrites a grpcobs promtool test file for the Sloth rules: rule_files is
// Sloth's output, promql_expr_test goes, and every expected alert gets the labels and
// annotations Sloth adds for the SLO that covers its service.
func convertScenarios(t *testing.T, path string, s spec, rules string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	file["rule_files"] = []string{rules}
	var alerts int
	for _, test := range list(t, file["tests"]) {
		tc := dict(t, test)
		delete(tc, "promql_expr_test")
		for _, art := range list(t, tc["alert_rule_test"]) {
			a := dict(t, art)
			alertname, _ := a["alertname"].(string)
			for _, exp := range list(t, a["exp_alerts"]) {
				e := dict(t, exp)
				labels, annotations := dict(t, e["exp_labels"]), dict(t, e["exp_annotations"])
				severity, _ := labels["severity"].(string)
				service, _ := labels["grpc_service"].(string)
				o := s.sloFor(t, alertname, service)
				labels["sloth_service"] = s.Service
				labels["sloth_slo"] = o.Name
				labels["sloth_id"] = s.Service + "-" + o.Name
				labels["sloth_severity"] = severity
				// Sloth's alert value is the short window's ratio, grpcobs' the long one's: the
				// description, which shows it, is grpcobs' only.
				delete(annotations, "description")
				annotations["title"] = fmt.Sprintf("(%s) %s %s SLO error budget burn rate is too fast.", severity, s.Service, o.Name)
				alerts++
			}
		}
	}
	if alerts == 0 {
		t.Fatalf("%s expects no firing alert: nothing to compare", path)
	}
	out, err := yaml.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func list(t *testing.T, v any) []any {
	t.Helper()
	if v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%v is a %T, want a list", v, v)
	}
	return l
}

func dict(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is a %T, want a mapping", v, v)
	}
	return m
}
