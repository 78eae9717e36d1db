# The status page (interceptors/statuspage): its browser test runs in a Go module of its own
# (so the library's go.mod does not carry chromedp) against Debian's headless Chromium, which
# make installs when it is missing. Being in EXTRA_GO_MODULES, the module is vetted,
# staticchecked and tested (under -race, by `unit`) like the others.

STATUSPAGE_BROWSERTEST := interceptors/statuspage/browsertest
EXTRA_GO_MODULES += $(STATUSPAGE_BROWSERTEST)

# The browser the test drives (browsertest.FindChromium reads $CHROMIUM too).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
# Where the browser test saves its screenshot (git ignores .demo/).
export GRPCOBS_STATUSPAGE_SCREENSHOT ?= $(CURDIR)/.demo/statuspage-browsertest.png
# apt-get needs root: sudo when make does not run as root.
APT_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: chromium statuspage-browser

chromium: $(CHROMIUM) ## install Debian's chromium (headless browser tests, the demo's screenshot)

$(CHROMIUM):
	@echo ">> installing Debian's chromium (about 40 s)"
	$(APT_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(APT_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	@test -x $(CHROMIUM) || { echo "apt-get installed chromium, but not at $(CHROMIUM)"; exit 1; }

# `unit` tests every module, this one included: the browser must be there first.
unit: $(CHROMIUM)
# `make demo` saves a screenshot of the status page with the browser (installed while the
# demo's tools build: see DEMO_DEPS).
DEMO_DEPS += $(CHROMIUM)

statuspage-browser: $(CHROMIUM) ## the status page in headless Chromium only; SCREENSHOT=file.png saves its screenshot there
	cd $(STATUSPAGE_BROWSERTEST) && $(if $(SCREENSHOT),GRPCOBS_STATUSPAGE_SCREENSHOT="$(abspath $(SCREENSHOT))") go test $(RACE) -count=1 -v -run TestStatusPageInChromium ./...
