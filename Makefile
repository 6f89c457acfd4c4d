# RepDesk — `make run` and `make test` are all a new user needs.
SHELL := /bin/bash
export LANG := en_US.UTF-8
export LC_ALL :=

GO        ?= go
TAGS      := migrated_fynedo
TEST_TAGS := ci,migrated_fynedo
VERSION   ?= $(shell awk -F'"' '/^ *Version *=/{print $$2; exit}' FyneApp.toml)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILDDATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -s -w -X repdesk/cmd/repdesk/cli.Version=$(VERSION) -X repdesk/cmd/repdesk/cli.Commit=$(COMMIT) -X repdesk/cmd/repdesk/cli.BuildDate=$(BUILDDATE)

# Debian packages the Fyne (GLFW/OpenGL) build needs.
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev
# What the tests need: gcc for the race detector.
TEST_PKGS  := gcc

.PHONY: all run build deps test-deps test vet bench fuzz screenshots clean help

all: build

help:
	@echo "make run          build and open RepDesk (demo data on the very first start)"
	@echo "make test         go vet and the whole test suite with the race detector"
	@echo "make bench        the benchmarks (medians of 5 runs)"
	@echo "make fuzz         fuzz the vCard reader for a minute"
	@echo "make screenshots  every screen as PNG, English and German, under Xvfb"

# install-pkgs installs the missing Debian packages named in $(1), as root, or
# prints the exact command for a user who is not root.
define install-pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "RepDesk needs these Debian/Ubuntu packages to build:$$missing"; \
	    echo "Install them with:"; \
	    echo "    sudo apt-get install -y$$missing"; \
	    echo "then run make again."; \
	    exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install-pkgs,$(BUILD_PKGS))
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is needed: https://go.dev/dl/"; exit 1; }

test-deps:
	$(call install-pkgs,$(TEST_PKGS))

build: deps
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o bin/repdesk ./cmd/repdesk
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/repdesk-hub ./cmd/repdesk-hub

run: build
	./bin/repdesk --demo-on-first-start

vet:
	$(GO) vet -tags $(TEST_TAGS) ./...

test: test-deps vet
	$(GO) test -race -tags $(TEST_TAGS) -timeout 30m ./...

BENCH ?= .
bench: test-deps
	$(GO) test -tags $(TEST_TAGS) -run '^$$' -bench '$(BENCH)' -count 5 -timeout 60m ./... | tee bench.txt
	@command -v benchstat >/dev/null || $(GO) install golang.org/x/perf/cmd/benchstat@latest
	@$$($(GO) env GOPATH)/bin/benchstat bench.txt

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 60s ./localdb/vcard

# The real app under Xvfb with 100,000 demo contacts visits every screen and
# saves one PNG per screen and language into docs/screenshots.
SHOTS_DATA ?= $(CURDIR)/bin/screenshot-data
screenshots: build
	$(call install-pkgs,xvfb)
	@test -f $(SHOTS_DATA)/repdesk.db || ./bin/repdesk --data $(SHOTS_DATA) demo --contacts 100000 --quiet
	xvfb-run -a -s "-screen 0 1366x768x24" ./bin/repdesk --data $(SHOTS_DATA) --screenshots docs/screenshots

clean:
	rm -rf bin dist bench.txt
