# flowlens — network flow observability as an OpenTelemetry Collector distribution.
# `make help` lists the targets. The two a newcomer needs: `make run` and `make test`.

SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

export GOPROXY ?= https://proxy.golang.org
export GOTOOLCHAIN := local
export GOFLAGS ?= -buildvcs=false
export CGO_ENABLED := 0

TOOLS := $(CURDIR)/.tools/bin
export PATH := $(TOOLS):$(PATH)
COLLECTOR := bin/otelcol-flowlens
CONSOLE := bin/flowlens-console
# bpf2go needs the C library's arch headers (asm/types.h) for the host triplet.
export BPF_ARCH_INCLUDE ?= /usr/include/$(shell gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

##@ Main

.PHONY: run
run: deps build ## Capture this host's flows (needs root) and show them on http://127.0.0.1:9001; Ctrl-C stops.
	@hack/run.sh

.PHONY: test
test: deps build ## Run every test this machine allows; says which were skipped and why.
	@set -o pipefail; assets=$$(hack/envtest-assets.sh) && \
	  KUBEBUILDER_ASSETS=$$assets FLOWLENS_COLLECTOR=$(CURDIR)/$(COLLECTOR) FLOWLENS_CONSOLE=$(CURDIR)/$(CONSOLE) \
	  go test -json -count=1 -timeout 30m $(TESTFLAGS) ./... | go run ./hack/testsummary

.PHONY: bench
bench: deps build ## Run the benchmarks (numbers go to docs/performance.md).
	@hack/bench.sh

##@ Build

.PHONY: deps
deps: ## Install Debian packages and pinned Go tools (idempotent, quiet when done).
	@hack/deps.sh
	@hack/tools.sh

.PHONY: build
build: ## Build bin/otelcol-flowlens (from builder-config.yaml) and bin/flowlens-console.
	@$(TOOLS)/builder --config builder-config.yaml --skip-compilation --skip-get-modules >/dev/null 2>&1 || \
	  $(TOOLS)/builder --config builder-config.yaml --skip-compilation --skip-get-modules
	go build -trimpath -ldflags "-s -w" -o $(COLLECTOR) ./distribution/otelcol-flowlens
	go build -trimpath -ldflags "-s -w" -o $(CONSOLE) ./console/cmd/flowlens-console

.PHONY: generate
generate: ## Regenerate BPF objects (clang), mdatagen metadata, ocb sources and the web UI.
	cd receiver/ebpfflowreceiver/internal/bpfgen && go generate ./...
	@for d in $$(git ls-files '*metadata.yaml' | xargs -n1 dirname); do \
	  (cd $$d && mdatagen metadata.yaml) || exit 1; done
	$(TOOLS)/builder --config builder-config.yaml --skip-compilation --skip-get-modules >/dev/null 2>&1
	console/web/build.sh

.PHONY: check-generated
check-generated: generate ## Fail when committed generated files are stale.
	@git diff --exit-code -- . ':!go.sum' || { echo "generated files are stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all | grep -v '^??  *bin/')" || \
	  { git status --porcelain; echo "generation created untracked files"; exit 1; }

.PHONY: fmt
fmt: ## gofmt and clang-format.
	gofmt -w $$(git ls-files '*.go' | grep -v generated)
	clang-format -i bpf/*.c bpf/*.h

.PHONY: clean
clean: ## Remove build outputs.
	rm -rf bin

# Each part of the project may add its own targets here (operator, console...).
-include $(wildcard */*.mk)

##@ Help

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)
