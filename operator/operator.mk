# Operator targets (included by the root Makefile). `make build` also builds the operator and
# `make generate` (hence `make check-generated`) also regenerates its manifests.

OPERATOR := bin/flowlens-operator
CONTROLLER_GEN := $(TOOLS)/controller-gen
OPERATOR_IMG ?= flowlens/flowlens-operator:0.1.0
COLLECTOR_IMG ?= flowlens/otelcol-flowlens:0.1.0
CONSOLE_IMG ?= flowlens/console:0.1.0
KUBECTL ?= kubectl
CRD_GEN_FLAGS := crd rbac:roleName=flowlens-operator webhook paths=./operator/... \
  output:crd:artifacts:config=operator/config/crd/bases \
  output:rbac:artifacts:config=operator/config/rbac \
  output:webhook:artifacts:config=operator/config/webhook

build: build-operator
generate: manifests

##@ Operator

.PHONY: build-operator
build-operator: ## Build bin/flowlens-operator (manager, and `render -f FILE` dry run).
	go build -trimpath -ldflags "-s -w" -o $(OPERATOR) ./operator/cmd/flowlens-operator

.PHONY: manifests
manifests: ## Regenerate the FlowCollector CRD, RBAC, webhook config, deepcopy and operator/config/install.yaml.
	@test -x $(CONTROLLER_GEN) || hack/tools.sh
	$(CONTROLLER_GEN) object:headerFile=operator/hack/boilerplate.go.txt paths=./operator/api/...
	$(CONTROLLER_GEN) $(CRD_GEN_FLAGS)
	go run ./operator/hack/installgen -config operator/config -o operator/config/install.yaml

.PHONY: deploy
deploy: ## Install the CRD, RBAC and operator into the current kubectl context (OPERATOR_IMG=...).
	@command -v $(KUBECTL) >/dev/null || { echo "kubectl not found: apply operator/config/install.yaml with your cluster's tool (server-side apply)"; exit 1; }
	go run ./operator/hack/installgen -config operator/config -image $(OPERATOR_IMG) \
	  -collector-image $(COLLECTOR_IMG) -console-image $(CONSOLE_IMG) | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: ## Delete the FlowCollector (the operator removes what it created), then the operator and CRD.
	@command -v $(KUBECTL) >/dev/null || { echo "kubectl not found"; exit 1; }
	-$(KUBECTL) delete flowcollector cluster --ignore-not-found --wait --timeout=120s
	$(KUBECTL) delete --ignore-not-found -f operator/config/install.yaml

.PHONY: deploy-sample-cr
deploy-sample-cr: ## Apply operator/config/samples/flowcollector.yaml.
	@command -v $(KUBECTL) >/dev/null || { echo "kubectl not found"; exit 1; }
	$(KUBECTL) apply -f operator/config/samples/flowcollector.yaml
