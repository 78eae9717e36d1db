# Operations (deploy/, issue 17): the Prometheus rules, checked and unit-tested with the pinned
# promtool; the real Prometheus run against a grpcobs server by the deploy/prometheus tests;
# the Grafana dashboard generated from Go (deploy/dashboard, its own module) and checked
# against the committed JSON.

# promtool and prometheus, pinned in tools/prometheus/go.mod (their own module, so Prometheus'
# dependencies move no other tool), built with PROMETHEUS_TAGS: remove_all_sd leaves out every
# service discovery but file and HTTP (AWS, Azure, GCE, Kubernetes, …: the demo and the tests
# scrape static targets): 1044 packages instead of 1518; builtinassets stays off (the web UI needs
# npm). prometheus has a stamp of its own: the demo needs it, not promtool (which imports
# Kubernetes' client for `promtool check service-discovery`). Both builds share their packages.
PROMETHEUS_TAGS := remove_all_sd
PROMETHEUS_BUILD := go build -tags $(PROMETHEUS_TAGS) -ldflags=-s -o $(BIN)/
PROMETHEUS_SERVER_STAMP := $(BIN)/.prometheus-server-stamp
PROMETHEUS_STAMP := $(BIN)/.prometheus-stamp
PROMETHEUS_RULES := $(wildcard deploy/prometheus/*.rules.yml)
PROMETHEUS_RULE_TESTS := $(wildcard deploy/prometheus/tests/*.test.yml)

# deploy/prometheus/realprometheus_test.go starts this binary; `make unit` runs it, so unit
# needs it built (and, with GRPCOBS_REQUIRE_TOOLS=1, the test fails rather than skips without it).
export GRPCOBS_PROMETHEUS := $(BIN)/prometheus
unit: $(PROMETHEUS_STAMP)

EXTRA_TEST_TARGETS += prometheus-rules-check prometheus-rules-test dashboard-check
EXTRA_GO_MODULES += deploy/dashboard

.PHONY: prometheus prometheus-rules-check prometheus-rules-test real-prometheus-test dashboard dashboard-check

$(PROMETHEUS_SERVER_STAMP): tools/prometheus/go.mod tools/prometheus/go.sum
	@mkdir -p $(BIN)
	@echo ">> building the pinned prometheus into .bin, tags $(PROMETHEUS_TAGS) (a cold build takes 3 to 5 minutes on two free cores, more on a busy machine)"
	cd tools/prometheus && $(PROMETHEUS_BUILD) github.com/prometheus/prometheus/cmd/prometheus
	@touch $@

# $(PROMETHEUS_STAMP): both binaries.
$(PROMETHEUS_STAMP): $(PROMETHEUS_SERVER_STAMP)
	@echo ">> building the pinned promtool into .bin, tags $(PROMETHEUS_TAGS) (it shares prometheus' packages)"
	cd tools/prometheus && $(PROMETHEUS_BUILD) github.com/prometheus/prometheus/cmd/promtool
	@touch $@

DEMO_DEPS += $(PROMETHEUS_SERVER_STAMP)

prometheus: $(PROMETHEUS_STAMP) ## build the pinned prometheus and promtool into .bin

prometheus-rules-check: $(PROMETHEUS_STAMP) ## promtool check rules (with its linter, fatal) on every rule file
	@echo ">> promtool check rules"
	promtool check rules --lint=all --lint-fatal $(PROMETHEUS_RULES)

prometheus-rules-test: $(PROMETHEUS_STAMP) ## promtool test rules: healthy hour, fast and slow burns, objectives per service, health outage, client-side codes
	@echo ">> promtool test rules"
	promtool test rules $(PROMETHEUS_RULE_TESTS)

real-prometheus-test: $(PROMETHEUS_STAMP) ## only the real-Prometheus test (make unit runs it too)
	go test $(RACE) -count=1 -run '^TestRealPrometheus' -v ./deploy/prometheus/

dashboard: ## regenerate deploy/dashboard/grpcobs.json from its Go code
	cd deploy/dashboard && go run . -o grpcobs.json

dashboard-check: ## fail when deploy/dashboard/grpcobs.json is not what its Go code generates
	@echo ">> the Grafana dashboard is up to date"
	cd deploy/dashboard && go run . -check grpcobs.json
