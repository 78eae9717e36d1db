# The chaos differential (issue 21): internal/firstlaw's TestChaos, seeded random rounds of
# calls run bare and with the full stack on both sides. `make test` runs a bounded one (a fixed
# seed, 240 calls); `make chaos` runs a long one from CHAOS_SEED (random unless given, printed)
# with CHAOS_CALLS calls, and prints its figures.
CHAOS_CALLS ?= 3000

.PHONY: chaos

chaos: ## the long chaos differential: CHAOS_CALLS calls (3000) from CHAOS_SEED (random, printed)
	@seed="$(CHAOS_SEED)"; [ -n "$$seed" ] || seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	echo ">> chaos differential: CHAOS_SEED=$$seed CHAOS_CALLS=$(CHAOS_CALLS)"; \
	CHAOS_SEED=$$seed CHAOS_CALLS=$(CHAOS_CALLS) go test $(RACE) -count=1 -timeout 0 -run '^TestChaos$$' -v ./internal/firstlaw/ \
		| grep -Ev '^\s*(=== |--- PASS: TestChaos/round_)'
