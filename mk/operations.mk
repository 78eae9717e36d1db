# Operations (deploy/, issue 17): the Prometheus rules, checked and unit-tested with the pinned
# promtool; the real Prometheus run against a grpcobs server by the deploy/prometheus tests;
# the Grafana dashboard generated from Go (deploy/dashboard, its own module) and checked
# against the committed JSON.

# promtool and prometheus, pinned in tools/prometheus/go.mod (their own module, so Prometheus'
# dependencies move no other tool). One `go build` for both: they share most of their packages.
PROMETHEUS_STAMP := $(BIN)/.prometheus-stamp
PROMETHEUS_CMDS := github.com/prometheus/prometheus/cmd/promtool \
	github.com/prometheus/prometheus/cmd/prometheus
PROMETHEUS_RULES := $(wildcard deploy/prometheus/*.rules.yml)
PROMETHEUS_RULE_TESTS := $(wildcard deploy/prometheus/tests/*.test.yml)

# deploy/prometheus/realprometheus_test.go starts this binary; `make unit` runs it, so unit
# needs it built (and, with GRPCOBS_REQUIRE_TOOLS=1, the test fails rather than skips without it).
export GRPCOBS_PROMETHEUS := $(BIN)/prometheus
unit: $(PROMETHEUS_STAMP)

EXTRA_TEST_TARGETS += prometheus-rules-check prometheus-rules-test dashboard-check
EXTRA_GO_MODULES += deploy/dashboard

.PHONY: prometheus prometheus-rules-check prometheus-rules-test real-prometheus-test dashboard dashboard-check

$(PROMETHEUS_STAMP): tools/prometheus/go.mod tools/prometheus/go.sum
	@mkdir -p $(BIN)
	@echo ">> building the pinned promtool and prometheus into .bin (a cold build takes minutes)"
	cd tools/prometheus && go build -o $(BIN)/ $(PROMETHEUS_CMDS)
	@touch $@

prometheus: $(PROMETHEUS_STAMP) ## build the pinned prometheus and promtool into .bin

prometheus-rules-check: $(PROMETHEUS_STAMP) ## promtool check rules (with its linter, fatal) on every rule file
	@echo ">> promtool check rules"
	promtool check rules --lint=all --lint-fatal $(PROMETHEUS_RULES)

prometheus-rules-test: $(PROMETHEUS_STAMP) ## promtool test rules: healthy hour, fast and slow burns, health outage, client-side codes
	@echo ">> promtool test rules"
	promtool test rules $(PROMETHEUS_RULE_TESTS)

real-prometheus-test: $(PROMETHEUS_STAMP) ## only the real-Prometheus test (make unit runs it too)
	go test $(RACE) -count=1 -run '^TestRealPrometheus' -v ./deploy/prometheus/

dashboard: ## regenerate deploy/dashboard/grpcobs.json from its Go code
	cd deploy/dashboard && go run . -o grpcobs.json

dashboard-check: ## fail when deploy/dashboard/grpcobs.json is not what its Go code generates
	@echo ">> the Grafana dashboard is up to date"
	cd deploy/dashboard && go run . -check grpcobs.json
