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
HUB_LDFLAGS = -s -w -X main.Version=$(VERSION) -X main.Commit=$(1) -X main.BuildDate=$(2)

# Debian packages the Fyne (GLFW/OpenGL) build needs.
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev
# What the tests need: gcc for the race detector, poppler-utils (pdftotext)
# to read the PDF visit briefs back.
TEST_PKGS  := gcc poppler-utils

.PHONY: all run build deps test-deps test vet bench fuzz screenshots clean help

all: build

help:
	@echo "make run          build and open RepDesk (demo data on the very first start)"
	@echo "make test         go vet and the whole test suite with the race detector"
	@echo "make bench        the benchmarks (medians of 5 runs)"
	@echo "make fuzz         fuzz the vCard reader and the phone number fast path, a minute each"
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
	CGO_ENABLED=0 $(GO) build -ldflags "$(call HUB_LDFLAGS,$(COMMIT),$(BUILDDATE))" -o bin/repdesk-hub ./cmd/repdesk-hub

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
	$(GO) test -tags $(TEST_TAGS) -run '^$$' -fuzz FuzzPhoneFastPath -fuzztime 60s ./localdb

# The real app under Xvfb with 100,000 demo contacts visits every screen and
# saves one PNG per screen and language into docs/screenshots.
SHOTS_DATA ?= $(CURDIR)/bin/screenshot-data
screenshots: build
	$(call install-pkgs,xvfb)
	@test -f $(SHOTS_DATA)/repdesk.db || ./bin/repdesk --data $(SHOTS_DATA) demo --contacts 100000 --quiet
	xvfb-run -a -s "-screen 0 1366x768x24" ./bin/repdesk --data $(SHOTS_DATA) --screenshots docs/screenshots
	$(call install-pkgs,poppler-utils)
	id=$$(./bin/repdesk --data $(SHOTS_DATA) visits list | awk 'NR == 2 {print $$1}'); \
	  ./bin/repdesk --data $(SHOTS_DATA) brief $$id --lang de --out docs/screenshots/brief.pdf
	pdftoppm -png -r 80 docs/screenshots/brief.pdf docs/screenshots/brief

clean:
	rm -rf bin dist bench.txt

# ---------------------------------------------------------------------------
# Packages for admins (docs/packaging.md): `make dist` writes
#   dist/repdesk-VERSION-linux-amd64.tar.xz     binary, .desktop file, icon, Makefile (fyne package)
#   dist/repdesk-VERSION-windows-amd64.zip      repdesk.exe: GUI subsystem, icon, signed with SIGN_CERT/SIGN_KEY
#   dist/repdesk-hub-VERSION-linux-amd64        the static hub
#   dist/repdesk-hub-VERSION-linux-amd64.tar.xz the hub with its systemd unit and Containerfile (docs/deploy)
#   dist/SHA256SUMS
# PROVISION=FILE embeds an admin's provisioning.json in both desktop packages.
DIST_DIR          ?= $(CURDIR)/dist
FYNE_TOOL_VERSION := v1.7.4
FYNE_TOOL         := $(CURDIR)/bin/tools/fyne-$(FYNE_TOOL_VERSION)
# fyne package takes x.y.z only; a pre-release suffix stays in the stamped version.
APP_VERSION       := $(firstword $(subst -, ,$(subst +, ,$(VERSION))))
# Evaluated once, so that every package of one `make dist` carries the same stamp.
DIST_COMMIT       := $(COMMIT)
DIST_BUILDDATE    := $(BUILDDATE)
DIST_PKGS         := $(BUILD_PKGS) gcc-mingw-w64-x86-64 xz-utils zip $(if $(PROVISION),jq) $(if $(SIGN_CERT),osslsigncode)
SIGN_CERT         ?=
SIGN_KEY          ?=
SIGN_PASS_FILE    ?=
SIGN_TIMESTAMP    ?=
PROVISION         ?=
# fyne package takes the linker flags from GOFLAGS (one -ldflags= per flag, no
# spaces); -buildvcs=false because the copy it builds has no .git of its own.
DIST_GOFLAGS = -buildvcs=false \
	-ldflags=-X=repdesk/cmd/repdesk/cli.Version=$(VERSION) \
	-ldflags=-X=repdesk/cmd/repdesk/cli.Commit=$(DIST_COMMIT) \
	-ldflags=-X=repdesk/cmd/repdesk/cli.BuildDate=$(DIST_BUILDDATE) \
	$(if $(PROVISION),-ldflags=-X=repdesk/localdb/provision.Embedded=$(shell base64 -w0 < '$(PROVISION)'))

.PHONY: dist dist-deps dist-provision dist-linux dist-windows dist-hub dist-sign-exe test-dist

dist: dist-linux dist-windows dist-hub
	cd $(DIST_DIR) && sha256sum repdesk-$(VERSION)-linux-amd64.tar.xz repdesk-$(VERSION)-windows-amd64.zip \
	  repdesk-hub-$(VERSION)-linux-amd64 repdesk-hub-$(VERSION)-linux-amd64.tar.xz > SHA256SUMS
	@ls -l $(DIST_DIR)

dist-deps:
	$(call install-pkgs,$(DIST_PKGS))
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is needed: https://go.dev/dl/"; exit 1; }
	@if [ -n "$(SIGN_CERT)$(SIGN_KEY)" ] && { [ ! -r "$(SIGN_CERT)" ] || [ ! -r "$(SIGN_KEY)" ]; }; then \
	  echo "Signing needs both SIGN_CERT (certificate, PEM or DER) and SIGN_KEY (private key) as readable files."; exit 2; fi

# The pinned packaging tool, installed into bin/tools under its version.
$(FYNE_TOOL):
	GOBIN=$(CURDIR)/bin/tools $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOL_VERSION)
	mv $(CURDIR)/bin/tools/fyne $@

dist-provision: dist-deps
	@if [ -n "$(PROVISION)" ]; then \
	  test -r '$(PROVISION)' || { echo "PROVISION=$(PROVISION): no such file"; exit 2; }; \
	  jq -e 'type == "object"' '$(PROVISION)' >/dev/null 2>&1 || { \
	    echo "PROVISION=$(PROVISION) is not a JSON object:"; jq empty '$(PROVISION)'; exit 2; }; \
	  echo "Embedding $(PROVISION)"; \
	fi

# copy-source copies the work tree (tracked and new files, not ignored ones)
# to $(1): fyne package writes into the source folder and bumps Build in
# FyneApp.toml, so it runs on a copy and the checkout stays untouched.
define copy-source
mkdir -p $(1) && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do if [ -e "$$f" ]; then printf '%s\0' "$$f"; fi; done | tar --null -T - -cf - | tar -xf - -C $(1) && cp $(1)/FyneApp.toml $(1)/cmd/repdesk/FyneApp.toml
endef

dist-linux: dist-provision $(FYNE_TOOL)
	@mkdir -p $(DIST_DIR)
	set -e; work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	$(call copy-source,$$work/src); \
	cd $$work/src && GOFLAGS="$(DIST_GOFLAGS)" $(FYNE_TOOL) package --target linux --release \
	  --src $$work/src/cmd/repdesk --icon $$work/src/assets/icon.png --app-version $(APP_VERSION) --tags $(TAGS); \
	mv $$work/src/RepDesk.tar.xz $(DIST_DIR)/repdesk-$(VERSION)-linux-amd64.tar.xz

# fyne package builds a Windows app twice (without, then with the icon
# resource) and loses GOFLAGS' linker flags after the first build: an existing
# --executable skips the first, so the stamped build is the one with the icon.
# sign-exe Authenticode-signs the Windows executable $(1) into $(2) with
# SIGN_CERT and SIGN_KEY (SIGN_PASS_FILE: the key's passphrase; SIGN_TIMESTAMP:
# a time-stamping server's URL, so that the signature outlives the certificate).
define sign-exe
osslsigncode sign -certs '$(SIGN_CERT)' -key '$(SIGN_KEY)' $(if $(SIGN_PASS_FILE),-readpass '$(SIGN_PASS_FILE)') -h sha256 -n RepDesk -i https://repdesk.example $(if $(SIGN_TIMESTAMP),-ts '$(SIGN_TIMESTAMP)') -in $(1) -out $(2)
endef

# Signs one executable: make dist-sign-exe SIGN_IN=a.exe SIGN_OUT=b.exe SIGN_CERT=... SIGN_KEY=...
dist-sign-exe:
	@test -n "$(SIGN_IN)" -a -n "$(SIGN_OUT)" -a -n "$(SIGN_CERT)" -a -n "$(SIGN_KEY)" || \
	  { echo "usage: make dist-sign-exe SIGN_IN=FILE SIGN_OUT=FILE SIGN_CERT=FILE SIGN_KEY=FILE"; exit 2; }
	$(call install-pkgs,osslsigncode)
	$(call sign-exe,'$(SIGN_IN)','$(SIGN_OUT)')

dist-windows: dist-provision $(FYNE_TOOL)
	@mkdir -p $(DIST_DIR)
	set -e; work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	$(call copy-source,$$work/src); \
	: > $$work/src/cmd/repdesk/repdesk.exe; \
	cd $$work/src && GOFLAGS="$(DIST_GOFLAGS)" GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
	  $(FYNE_TOOL) package --target windows --release --executable $$work/src/cmd/repdesk/repdesk.exe \
	  --src $$work/src/cmd/repdesk --icon $$work/src/assets/icon.png --app-version $(APP_VERSION) --tags $(TAGS); \
	mkdir $$work/zip; \
	if [ -n "$(SIGN_CERT)" ]; then \
	  $(call sign-exe,$$work/src/cmd/repdesk/RepDesk.exe,$$work/zip/repdesk.exe); \
	else \
	  mv $$work/src/cmd/repdesk/RepDesk.exe $$work/zip/repdesk.exe; \
	fi; \
	cp LICENSE $$work/zip/LICENSE.txt; \
	rm -f $(DIST_DIR)/repdesk-$(VERSION)-windows-amd64.zip; \
	cd $$work/zip && zip -q -9 $(DIST_DIR)/repdesk-$(VERSION)-windows-amd64.zip repdesk.exe LICENSE.txt

dist-hub: dist-deps
	@mkdir -p $(DIST_DIR)
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags "$(call HUB_LDFLAGS,$(DIST_COMMIT),$(DIST_BUILDDATE))" \
	  -o $(DIST_DIR)/repdesk-hub-$(VERSION)-linux-amd64 ./cmd/repdesk-hub
	set -e; work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	d=$$work/repdesk-hub-$(VERSION); mkdir $$d; \
	cp $(DIST_DIR)/repdesk-hub-$(VERSION)-linux-amd64 $$d/repdesk-hub; \
	cp docs/deploy/repdesk-hub.service docs/deploy/Containerfile docs/deploy/README.md LICENSE $$d/; \
	tar -C $$work -cJf $(DIST_DIR)/repdesk-hub-$(VERSION)-linux-amd64.tar.xz repdesk-hub-$(VERSION)

# The packages as a user gets them (cmd/internal/disttest): built with a test
# provisioning file into bin/dist-test, unpacked, installed, run and signed.
DIST_TEST_DIR := $(CURDIR)/bin/dist-test
DIST_TEST_PROVISION := $(CURDIR)/cmd/internal/disttest/testdata/provisioning.json
test-dist:
	rm -rf $(DIST_TEST_DIR) && mkdir -p $(DIST_TEST_DIR)
	git status --porcelain --untracked-files=all > $(DIST_TEST_DIR)/git-status-before
	$(MAKE) --no-print-directory dist DIST_DIR=$(DIST_TEST_DIR) PROVISION=$(DIST_TEST_PROVISION) \
	  COMMIT=$(DIST_COMMIT) BUILDDATE=$(DIST_BUILDDATE)
	$(call install-pkgs,osslsigncode openssl)
	REPDESK_DIST_DIR=$(DIST_TEST_DIR) REPDESK_DIST_VERSION=$(VERSION) REPDESK_DIST_COMMIT=$(DIST_COMMIT) \
	  REPDESK_DIST_BUILDDATE=$(DIST_BUILDDATE) REPDESK_DIST_PROVISION=$(DIST_TEST_PROVISION) \
	  $(GO) test -race -tags $(TEST_TAGS) -count=1 -v ./cmd/internal/disttest/
