# grpcobs — the README's quick start is `make demo` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

BIN := $(CURDIR)/.bin
export PATH := $(BIN):$(PATH)
export GOTOOLCHAIN ?= local
# Tests that drive real third-party tools (grpc_health_probe, …) fail instead of skipping.
export GRPCOBS_REQUIRE_TOOLS := 1

# Go tools, pinned in tools/go.mod and built into .bin (the Go build cache makes rebuilds cheap),
# in two sets so that `make demo` builds only what it runs: the lint and code-generation tools,
TOOL_PKGS := github.com/bufbuild/buf/cmd/buf \
	google.golang.org/protobuf/cmd/protoc-gen-go \
	google.golang.org/grpc/cmd/protoc-gen-go-grpc \
	honnef.co/go/tools/cmd/staticcheck
TOOLS_STAMP := $(BIN)/.tools-stamp
# and the gRPC clients that the demo and the tests run against a server.
CLIENT_TOOL_PKGS := github.com/fullstorydev/grpcurl/cmd/grpcurl \
	github.com/grpc-ecosystem/grpc-health-probe
CLIENT_TOOLS_STAMP := $(BIN)/.client-tools-stamp
# ghz has its own module (tools/loadtest) so its dependencies do not move the others'.
LOADTEST_STAMP := $(BIN)/.loadtest-stamp

RACE ?= -race

# Each mk/*.mk file adds the checks of one part of the project: it may append targets to
# EXTRA_TEST_TARGETS (run by `make test`), Go modules to EXTRA_GO_MODULES (vetted,
# staticchecked and tested like the others) and PHONY targets of its own.
EXTRA_TEST_TARGETS :=
EXTRA_GO_MODULES :=
DEMO_DEPS :=
include $(sort $(wildcard mk/*.mk))

GO_MODULES := . $(patsubst %/go.mod,%,$(wildcard bench/go.mod)) $(EXTRA_GO_MODULES)

.PHONY: test tools generate generate-check lint fmt-check vet staticcheck buf-lint unit bench-smoke demo demo-deps demo-bins up up-check bench loadtest loadtest-check soak fuzz help

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(TOOLS_STAMP): tools/go.mod tools/go.sum
	@mkdir -p $(BIN)
	@echo ">> building buf, protoc-gen-go, protoc-gen-go-grpc and staticcheck into .bin (a cold build takes minutes)"
	cd tools && go build -o $(BIN)/ $(TOOL_PKGS)
	@touch $@

$(CLIENT_TOOLS_STAMP): tools/go.mod tools/go.sum
	@mkdir -p $(BIN)
	@echo ">> building grpcurl and grpc_health_probe into .bin (a cold build takes a minute or two)"
	cd tools && go build -o $(BIN)/ $(CLIENT_TOOL_PKGS) && mv -f $(BIN)/grpc-health-probe $(BIN)/grpc_health_probe
	@touch $@

$(LOADTEST_STAMP): tools/loadtest/go.mod tools/loadtest/go.sum
	@mkdir -p $(BIN)
	cd tools/loadtest && go build -o $(BIN)/ github.com/bojand/ghz/cmd/ghz
	@touch $@

tools: $(TOOLS_STAMP) $(CLIENT_TOOLS_STAMP) ## build the pinned Go tools into .bin

test: lint generate-check unit bench-smoke up-check loadtest-check $(EXTRA_TEST_TARGETS) ## every check: format, vet, staticcheck, buf lint, generated code, tests under -race
	@echo ">> all checks passed"

lint: fmt-check vet staticcheck buf-lint ## static checks only

fmt-check:
	@echo ">> gofmt"
	@out="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	@echo ">> go vet"
	@for m in $(GO_MODULES); do (cd $$m && go vet ./...); done

staticcheck: $(TOOLS_STAMP)
	@echo ">> staticcheck"
	@for m in $(GO_MODULES); do (cd $$m && staticcheck ./...); done

buf-lint: $(TOOLS_STAMP)
	@echo ">> buf lint"
	buf lint

generate: $(TOOLS_STAMP) ## regenerate the committed protobuf code (offline, local plugins)
	buf generate

generate-check: $(TOOLS_STAMP) ## fail when `buf generate` would change a committed file
	@echo ">> generated code is up to date"
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	buf generate --output "$$tmp"; \
	if ! diff -r --exclude='*.proto' "$$tmp/proto" proto >/dev/null; then \
		diff -r --exclude='*.proto' "$$tmp/proto" proto || true; \
		echo "generated code is stale: run 'make generate' and commit"; exit 1; \
	fi

unit: $(CLIENT_TOOLS_STAMP) ## go test under -race in every module
	@echo ">> go test $(RACE)"
	@for m in $(GO_MODULES); do (cd $$m && go test $(RACE) -count=1 ./...); done

# What `make demo` and `make up` run. The mk/*.mk files add theirs (Prometheus, chromium);
# demo-deps builds them all at once (make -j), so downloads and compiles overlap.
DEMO_DEPS += $(CLIENT_TOOLS_STAMP) demo-bins

demo-deps: $(DEMO_DEPS)

# The demo's own programs, into .demo/ (examples/demo.sh and examples/up.sh build them too
# when run by hand, without GRPCOBS_DEMO_BUILT=1).
demo-bins:
	@mkdir -p .demo
	go build -o .demo/server ./examples/server
	go build -o .demo/client ./examples/client
	cd $(STATUSPAGE_BROWSERTEST) && go build -o $(CURDIR)/.demo/screenshot ./cmd/screenshot

demo: ## run the demo, then stop: server, client, health probes, metrics, traces, alerts, drain
	@echo ">> building what the demo runs: grpcurl, grpc_health_probe, prometheus (a cold build takes a few minutes; later runs start at once)"
	@$(MAKE) --no-print-directory -j4 demo-deps
	@GRPCOBS_DEMO_BUILT=1 examples/demo.sh

up: ## the demo's server, client traffic and Prometheus, kept running for you to explore until Ctrl-C
	@echo ">> building what make up runs: grpcurl, grpc_health_probe, prometheus (a cold build takes a few minutes)"
	@$(MAKE) --no-print-directory -j4 demo-deps
	@GRPCOBS_DEMO_BUILT=1 examples/up.sh

up-check: $(CLIENT_TOOLS_STAMP) $(PROMETHEUS_SERVER_STAMP) demo-bins ## check make up: its URLs answer, its client's mix runs, Ctrl-C stops everything with exit 0
	@echo ">> make up: URLs, traffic, Ctrl-C"
	@scripts/up-check.sh

bench-smoke: ## allocation ceilings per configuration (no -race: it changes allocation counts)
	@echo ">> benchmark smoke: allocs per call under the checked-in ceilings"
	cd bench && go test -count=1 -run '^TestAllocsCeiling' ./...

bench: $(TOOLS_STAMP) ## benchmarks against the anchor stack, interleaved rounds, benchstat summary and plot
	bench/run.sh

loadtest: $(TOOLS_STAMP) $(LOADTEST_STAMP) ## ghz against examples/server, full stack vs observability off
	bench/loadtest.sh

loadtest-check: $(TOOLS_STAMP) $(LOADTEST_STAMP) ## make loadtest runs: both servers start, one short round, every call OK (docs untouched)
	@echo ">> make loadtest: one short round"
	REQUESTS=2000 WARMUP=200 LOADTEST_ROUNDS=1 UPDATE_DOCS=0 REQUIRE_OK=1 bench/loadtest.sh

soak: ## the long soak: 100,000 mixed calls through the full stack on both sides
	scripts/soak.sh

fuzz: ## run every fuzz target for FUZZTIME each (default 60s)
	scripts/fuzz.sh
