# SLOs as a Sloth spec (deploy/sloth, issue 22): the specs, the rules the pinned Sloth
# generates from them (committed, so a team can take them without Sloth), and their checks.
# `make test` builds Sloth only when a spec, the pin or the rules changed since they were
# generated (deploy/sloth/generated.sha256 says); a cold build takes minutes.
# deploy/sloth/scenarios_test.go (in `make unit`) runs the promtool scenarios of
# deploy/prometheus/tests against those rules.

# sloth, pinned in tools/sloth/go.mod (its own module: Sloth's Kubernetes dependencies move no
# other tool). Rebuilt only when the stamp is older than the pin.
SLOTH_STAMP := $(BIN)/.sloth-stamp
SLOTH_SPECS := $(wildcard deploy/sloth/*.sloth.yml deploy/sloth/tests/*.sloth.yml)
SLOTH_RULES := $(patsubst %.sloth.yml,%.rules.yml,$(SLOTH_SPECS))
SLOTH_INPUTS := tools/sloth/go.mod tools/sloth/go.sum $(SLOTH_SPECS)
SLOTH_MANIFEST := deploy/sloth/generated.sha256
# Sloth names its version in the header of what it generates; built as a tool it cannot find
# it, so the build sets it from the pin.
SLOTH_VERSION := $(shell awk '$$1 == "github.com/slok/sloth" { print $$2 }' tools/sloth/go.mod)

# deploy/sloth/scenarios_test.go runs this promtool (built by $(PROMETHEUS_STAMP), a prerequisite
# of `unit` in mk/operations.mk).
export GRPCOBS_PROMTOOL := $(BIN)/promtool

EXTRA_TEST_TARGETS += sloth-check
EXTRA_GO_MODULES += deploy/sloth

.PHONY: sloth sloth-rules sloth-check sloth-regenerate-check

$(SLOTH_STAMP): tools/sloth/go.mod tools/sloth/go.sum
	@mkdir -p $(BIN)
	@echo ">> building the pinned sloth into .bin"
	cd tools/sloth && go build -ldflags "-X github.com/slok/sloth/internal/info.Version=$(SLOTH_VERSION)" -o $(BIN)/ github.com/slok/sloth/cmd/sloth
	@touch $@

sloth: $(SLOTH_STAMP) ## build the pinned Sloth into .bin

sloth-rules: $(SLOTH_STAMP) ## regenerate deploy/sloth's rules from its Sloth specs
	@for spec in $(SLOTH_SPECS); do \
		echo "sloth generate -i $$spec"; \
		sloth generate --no-log -i "$$spec" -o "$${spec%.sloth.yml}.rules.yml"; \
	done
	sha256sum $(SLOTH_INPUTS) $(SLOTH_RULES) >$(SLOTH_MANIFEST)

# While the manifest holds (the pin, the specs and the rules are those last generated
# together), the rules are current and Sloth is not built. Otherwise, or with SLOTH_FORCE=1,
# Sloth regenerates every spec and the rules must not change.
sloth-check: $(PROMETHEUS_STAMP) ## fail when deploy/sloth's rules are not what Sloth generates; promtool check rules on them
	@echo ">> the Sloth rules are up to date and valid"
	@if [ -z "$(SLOTH_FORCE)" ] && [ "$$(awk '{ print $$2 }' $(SLOTH_MANIFEST) 2>/dev/null | xargs)" = "$(strip $(SLOTH_INPUTS) $(SLOTH_RULES))" ] \
		&& sha256sum --quiet --strict -c $(SLOTH_MANIFEST) >/dev/null 2>&1; then \
		echo "unchanged since 'make sloth-rules' ($(SLOTH_MANIFEST)): Sloth not needed"; \
	else \
		$(MAKE) --no-print-directory sloth-regenerate-check; \
	fi
	promtool check rules --lint=all --lint-fatal deploy/sloth/grpcobs.rules.yml
	@# Per-service SLOs share their alerts' names and labels, which promtool's duplicate-rules
	@# linter flags although their expressions differ (by sloth_id): lint the example apart.
	promtool check rules --lint=none $(filter-out deploy/sloth/grpcobs.rules.yml,$(SLOTH_RULES))

sloth-regenerate-check: $(SLOTH_STAMP)
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	for spec in $(SLOTH_SPECS); do \
		sloth generate --no-log -i "$$spec" -o "$$tmp/out.yml"; \
		if ! diff -u "$${spec%.sloth.yml}.rules.yml" "$$tmp/out.yml"; then \
			echo "$${spec%.sloth.yml}.rules.yml is stale: run 'make sloth-rules' and commit"; exit 1; \
		fi; \
	done; \
	if ! sha256sum --quiet --strict -c $(SLOTH_MANIFEST); then \
		echo "the rules are current but $(SLOTH_MANIFEST) is not: run 'make sloth-rules' and commit"; exit 1; \
	fi
